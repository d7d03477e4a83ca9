"""Accepting an uploaded file: type sniffed from its bytes, size and page limits,
images re-encoded (which drops EXIF, GPS included, and anything appended)."""

import hashlib
import io
from dataclasses import dataclass

import magic
from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from onboarding.checks.images import UnreadableDocument, open_image
from onboarding.errors import ValidationFailed

IMAGE_TYPES = {"image/jpeg", "image/png", "image/heic", "image/heif"}
PDF_TYPE = "application/pdf"
MAX_PDF_PAGES = 50
MAX_IMAGE_SIDE = 4000


@dataclass(frozen=True)
class PreparedFile:
    content: bytes
    mime_type: str
    page_count: int
    sha256: str

    @property
    def size(self):
        return len(self.content)

    @property
    def extension(self):
        return {"image/jpeg": ".jpg", "image/png": ".png", PDF_TYPE: ".pdf"}[self.mime_type]


def refuse(message, field="file"):
    raise ValidationFailed({field: [message]})


def sniff(content):
    return magic.from_buffer(content[:8192], mime=True)


def _reencode_image(content, mime_type):
    try:
        if mime_type in ("image/heic", "image/heif"):
            import pillow_heif

            pillow_heif.register_heif_opener()
        image = open_image(content)
    except UnreadableDocument:
        refuse("This image is damaged, truncated or too large to open.")
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    if mime_type == "image/png":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.save(out, format="JPEG", quality=90)
    return out.getvalue(), "image/jpeg"


def _check_pdf(content):
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            refuse("Encrypted PDFs cannot be read: please send the document without a password.")
        pages = len(reader.pages)
        root = reader.trailer["/Root"]
        names = root.get("/Names", {})
        if "/OpenAction" in root or "/AA" in root or "/JavaScript" in names:
            refuse("PDFs with scripts are not accepted.")
        if "/EmbeddedFiles" in names:
            refuse("PDFs with attached files are not accepted.")
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError):
        refuse("This PDF is damaged and cannot be read.")
    if pages == 0:
        refuse("This PDF has no pages.")
    if pages > MAX_PDF_PAGES:
        refuse(f"This PDF has {pages} pages; at most {MAX_PDF_PAGES} are accepted.")
    return pages


def prepare_upload(content):
    """A checked, normalised file ready to store, or ValidationFailed saying why not."""
    limit = settings.MAX_UPLOAD_BYTES
    if not content:
        refuse("The file is empty.")
    if len(content) > limit:
        refuse(f"The file is larger than {limit // (1024 * 1024)} MB.")
    mime_type = sniff(content)
    if mime_type in IMAGE_TYPES:
        content, mime_type = _reencode_image(content, mime_type)
        pages = 1
    elif mime_type == PDF_TYPE:
        pages = _check_pdf(content)
    else:
        refuse("Only JPEG, PNG, HEIC photos and PDF documents are accepted.")
    return PreparedFile(content, mime_type, pages, hashlib.sha256(content).hexdigest())

