"""PDF pages as PNG images for people to read (a reviewer's preview, an applicant's contract),
rendered on the server so no page needs a PDF viewer or JavaScript."""

import io

import pypdfium2

from onboarding.checks.images import PDFIUM_LOCK

# Pages shown at most: a contract longer than this is read in the PDF itself.
MAX_PREVIEW_PAGES = 20


def pdf_page_count(content):
    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(content)
        try:
            return len(pdf)
        finally:
            pdf.close()


def pdf_page_png(content, page_number, max_width, max_height):
    """The page (1-based) as PNG bytes within max_width × max_height pixels; IndexError past the last page."""
    with PDFIUM_LOCK:
        pdf = pypdfium2.PdfDocument(content)
        try:
            if not 1 <= page_number <= len(pdf):
                raise IndexError(page_number)
            page = pdf[page_number - 1]
            width, height = page.get_width() or 1, page.get_height() or 1
            # Copied so the image no longer shares memory with the bitmap PDFium frees on close.
            image = page.render(scale=min(2.0, max_width / width, max_height / height)).to_pil().copy()
        finally:
            pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
