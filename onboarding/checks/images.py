"""Turning uploaded bytes into page images and text for OCR.

Pillow refuses images above MAX_IMAGE_PIXELS (a decompression bomb is an error,
not a warning), and PDFs are rasterised page by page with pdfium.
"""

import io
import threading
import warnings

import pypdfium2
from django.conf import settings
from PIL import Image, ImageOps
from pypdf import PdfReader

MAX_PDF_PAGES = 20
# PDFium is not thread-safe, not even across documents: one use at a time per process
# (web servers answer requests on several threads, and eager checks run in them).
PDFIUM_LOCK = threading.Lock()


class UnreadableDocument(ValueError):
    """The bytes are not an image or PDF we can read."""


def _max_pixels():
    return getattr(settings, "MAX_IMAGE_PIXELS", 40_000_000) if settings.configured else 40_000_000


def open_image(content):
    """A decoded RGB image, upright according to its EXIF orientation."""
    Image.MAX_IMAGE_PIXELS = _max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableDocument(str(exc)) from exc
    return ImageOps.exif_transpose(image).convert("RGB")


def pdf_pages(content, dpi=200, max_pages=MAX_PDF_PAGES):
    with PDFIUM_LOCK:
        return _render_pages(content, dpi, max_pages)


def _render_pages(content, dpi, max_pages):
    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(str(exc)) from exc
    try:
        pages = []
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            width, height = page.get_size()
            scale = dpi / 72
            if width * scale * height * scale > _max_pixels():
                scale = (_max_pixels() / (width * height)) ** 0.5
            # convert() copies: the image must not share memory PDFium frees on close.
            pages.append(page.render(scale=scale).to_pil().convert("RGB"))
        return pages
    finally:
        pdf.close()


def pdf_text(content):
    """The text layer of a PDF ('' when it has none or cannot be read)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PDF_PAGES])
    except Exception:  # pypdf raises many types on damaged files; a missing text layer is not an error
        return ""


def load_pages(content, mime_type):
    """Every page of a document as RGB images: one for a photo, several for a PDF."""
    if mime_type == "application/pdf" or content[:5] == b"%PDF-":
        return pdf_pages(content)
    return [open_image(content)]
