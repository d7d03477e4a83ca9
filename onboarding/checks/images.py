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
RENDER_DPI = 200
# No document page is this long at RENDER_DPI; a longer one is a stripe made to break the renderer.
MAX_PAGE_SIDE = 20_000
# PDFium is not thread-safe, not even across documents: one use at a time per process
# (web servers answer requests on several threads, and eager checks run in them).
PDFIUM_LOCK = threading.Lock()


class UnreadableDocument(ValueError):
    """The bytes are not an image or PDF we can read."""


def _max_pixels():
    # Checks also run outside Django (bench scripts): then the default of config/settings.py.
    return settings.MAX_IMAGE_PIXELS if settings.configured else 40_000_000


def _max_render_pixels():
    return settings.MAX_RENDER_PIXELS if settings.configured else 80_000_000


def open_image(content, *, decode=True):
    """A decoded RGB image, upright according to its EXIF orientation; with decode=False, the
    image as its header describes it (size, mode, EXIF), no pixel decoded yet."""
    Image.MAX_IMAGE_PIXELS = _max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if not decode:
                return image
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableDocument(str(exc)) from exc
    # Turned in place, then converted: one copy (36 MB for a 12-megapixel photo), and an image of
    # its own, not the file's (whose format would have pytesseract hand it on re-encoded as JPEG).
    ImageOps.exif_transpose(image, in_place=True)
    return image.convert("RGB")


def render_scales(sizes, dpi=RENDER_DPI):
    """The scale each page (width, height in points) renders at: `dpi`, lowered so that one page
    stays under MAX_IMAGE_PIXELS; UnreadableDocument when the pages together would cost more than
    MAX_RENDER_PIXELS or a page would render under one pixel or over MAX_PAGE_SIDE pixels wide.

    The upload check and the renderer share it, so a file accepted is a file the worker can afford."""
    scales, total = [], 0
    for width, height in sizes:
        if not (width > 0 and height > 0):
            raise UnreadableDocument("a page has no area")
        scale = min(dpi / 72, (_max_pixels() / (width * height)) ** 0.5)
        sides = (width * scale, height * scale)
        if min(sides) < 1 or max(sides) > MAX_PAGE_SIDE:
            raise UnreadableDocument(f"a page of {width:g} x {height:g} pt cannot be rendered")
        total += sides[0] * sides[1]
        if total > _max_render_pixels():
            raise UnreadableDocument("the pages together are too large to render")
        scales.append(scale)
    return scales


def pdf_pages(content, dpi=RENDER_DPI, max_pages=MAX_PDF_PAGES):
    with PDFIUM_LOCK:
        return _render_pages(content, dpi, max_pages)


def _render_pages(content, dpi, max_pages):
    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(str(exc)) from exc
    try:
        pages = [pdf[index] for index in range(min(len(pdf), max_pages))]
        # Priced before anything is rendered: a hostile file costs the applicant an attempt, not the worker.
        scales = render_scales([page.get_size() for page in pages], dpi)
        # convert() copies: the image must not share memory PDFium frees on close.
        return [page.render(scale=scale).to_pil().convert("RGB") for page, scale in zip(pages, scales)]
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(str(exc)) from exc
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
