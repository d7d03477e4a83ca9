"""The one rule for accepting an uploaded file, used by the API, the portal and signing.

The type is sniffed from the bytes (the client's name and content type are not
trusted); an image's size is read from its header under a pixel limit (a decompression
bomb is refused before anything is decoded) and the image is stripped to the segments
or chunks of its pixels, which drops EXIF (GPS included), comments, colour profiles and
anything appended after the image, without the cost of decoding it in the request (one
to turn upright, in CMYK, or in HEIC is re-encoded instead; the worker's checks decode
the pixels under the same limit and an undecodable file makes the document unusable);
PDFs are refused when encrypted, too long, carrying scripts, launch actions or
attached files anywhere in their object graph, or holding a stream that unpacks
to far more than it weighs (a PDF decompression bomb).
"""

import hashlib
import io
from dataclasses import dataclass

import magic
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.filters import decode_stream_data
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from onboarding import image_strip
from onboarding.checks.images import MAX_PDF_PAGES as MAX_RENDERED_PAGES
from onboarding.checks.images import UnreadableDocument, open_image, render_scales
from onboarding.errors import ValidationFailed

IMAGE_TYPES = {"image/jpeg", "image/png", "image/heic", "image/heif"}
PDF_TYPE = "application/pdf"
MAX_PDF_PAGES = 50
MAX_IMAGE_SIDE = 4000
ORIENTATION = 0x0112
# Objects visited when looking for active content: a scanned 50-page PDF holds a few hundred.
MAX_PDF_OBJECTS = 100_000
# Dictionary keys and values that make a PDF run something or carry other files.
ACTIVE_KEYS = {"/JS", "/JavaScript"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
ATTACHMENT_MARKERS = {"/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment", "/RichMedia"}
# Encoded streams other than images (page contents, fonts) are decoded to measure them, up to
# these sizes: a few kilobytes can unpack to gigabytes in the worker's PDF renderer otherwise.
MAX_PDF_STREAM_BYTES = 32 * 2**20
MAX_PDF_INFLATED_BYTES = 256 * 2**20
# pypdf's output limit of each filter (and of a whole chain), set to the budget while measuring.
DECODE_BUDGETS = (
    "zlib_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "brotli_maximum_output_length",
    "jbig2_maximum_output_length",
    "stream_decoding_work_maximum_length",
    "array_based_stream_maximum_output_length",
)


class FileTooLarge(ValidationFailed):
    """The file exceeds MAX_UPLOAD_BYTES (the API answers 413)."""


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


def refuse(message, field="file", error=ValidationFailed):
    """Refuse the upload; `message` is already in the applicant's language."""
    raise error({field: [message]})


def sniff(content):
    return magic.from_buffer(content[:8192], mime=True)


def size_text(size):
    if size >= 2**20:
        return f"{size / 2**20:.3g} MB"
    return f"{size / 2**10:.3g} KB" if size >= 2**10 else f"{size} bytes"


def _clean_image(content, mime_type):
    """The image without metadata or appended bytes: stripped (onboarding.image_strip) when its
    pixels can stay as they are, re-encoded otherwise: HEIC (stored as JPEG), a JPEG to turn
    upright by its EXIF orientation, or whose colours an Adobe segment (CMYK, RGB) describes."""
    strip = {"image/jpeg": image_strip.strip_jpeg, "image/png": image_strip.strip_png}.get(mime_type)
    try:
        if strip is None:
            return _reencode_image(content)
        image = open_image(content, decode=False)  # size checked against the pixel limit, nothing decoded
        if mime_type == "image/jpeg" and (
            image.getexif().get(ORIENTATION, 1) != 1 or "adobe" in image.info or image.mode not in ("L", "RGB")
        ):
            return _reencode_image(content)
        return strip(content), mime_type
    except (UnreadableDocument, image_strip.BrokenImage):
        refuse(_("This image is damaged, truncated or too large to open."))


def _reencode_image(content):
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = open_image(content)
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    image.info = {}  # Pillow would otherwise copy the original's comment and colour profile
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue(), "image/jpeg"


def _decoded_size(stream, limit):
    """Bytes a stream decodes to through its whole filter chain (`[/ASCIIHexDecode /FlateDecode]`
    as well as a lone Flate), really decoded but never past `limit`: infinity beyond it."""
    budget = {name: max(limit, 1) for name in DECODE_BUDGETS}
    try:
        with apply_configuration(**budget):
            return len(decode_stream_data(stream))
    except LimitReachedError:
        return float("inf")
    except Exception:  # pypdf raises many types on damaged streams
        return 0  # a stream pypdf cannot decode is the renderer's to skip; its pages are priced apart


def _unpacked_size(stream, limit):
    """Bytes a stream decodes to, as far as it matters: an image by its declared pixels (the
    renderer allocates no more), any other stream by decoding it up to just past `limit`."""
    if stream.get("/Subtype") == "/Image":
        width, height = stream.get("/Width", 0), stream.get("/Height", 0)
        pixels = width * height if isinstance(width, int) and isinstance(height, int) else 0
        return float("inf") if pixels > settings.MAX_IMAGE_PIXELS else 0
    if "/Filter" not in stream:
        return 0
    return _decoded_size(stream, limit)


def _active_content(root):
    """'script', 'attachment', 'bomb' or None: what the PDF's object graph (from its catalog) carries."""
    seen, stack, visited, inflated = set(), [root], 0, 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "too_complex"
        if isinstance(node, DictionaryObject):
            keys = set(node.keys())
            if keys & ACTIVE_KEYS or node.get("/S") in ACTIVE_ACTIONS:
                return "script"
            if (
                keys & ATTACHMENT_MARKERS
                or node.get("/Type") in ATTACHMENT_MARKERS
                or node.get("/Subtype") in ATTACHMENT_MARKERS
            ):
                return "attachment"
            if isinstance(node, StreamObject):
                size = _unpacked_size(node, min(MAX_PDF_STREAM_BYTES, MAX_PDF_INFLATED_BYTES - inflated))
                inflated += size
                if size > MAX_PDF_STREAM_BYTES or inflated > MAX_PDF_INFLATED_BYTES:
                    return "bomb"
            stack.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


ACTIVE_CONTENT_REFUSALS = {
    "script": gettext_noop("PDFs with scripts are not accepted."),
    "attachment": gettext_noop("PDFs with attached files are not accepted."),
    "bomb": gettext_noop("This PDF is too large to open once unpacked."),
    "too_complex": gettext_noop("This PDF is damaged and cannot be read."),
}


def check_pdf(content):
    """The PDF's page count, or ValidationFailed: encrypted, too long, active content, a bomb (every
    stream decoded under a budget, never in full), or pages too large to render."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            refuse(_("Encrypted PDFs cannot be read: please send the document without a password."))
        root = reader.trailer["/Root"].get_object()
        # The declared count first: counting thousands of pages costs time a refusal need not spend.
        declared = root["/Pages"].get_object().get("/Count", 0)
        pages = declared if isinstance(declared, int) and declared > MAX_PDF_PAGES else len(reader.pages)
        active = _active_content(root) if pages <= MAX_PDF_PAGES else None
        sizes = [_page_size(page) for page in reader.pages[:MAX_RENDERED_PAGES]] if pages <= MAX_PDF_PAGES else []
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        refuse(_("This PDF is damaged and cannot be read."))
    if pages == 0:
        refuse(_("This PDF has no pages."))
    if pages > MAX_PDF_PAGES:
        refuse(
            _("This PDF has %(pages)s pages; at most %(limit)s are accepted.")
            % {"pages": pages, "limit": MAX_PDF_PAGES}
        )
    if active:
        refuse(_(ACTIVE_CONTENT_REFUSALS[active]))
    try:
        render_scales(sizes)
    except UnreadableDocument:
        refuse(_("This PDF's pages are too large or oddly shaped to be read."))
    return pages


def _page_size(page):
    """(width, height) in points of what is rendered: the crop box, which defaults to the media box."""
    box = page.cropbox
    return float(box.width), float(box.height)


def prepare_upload(content):
    """A checked, normalised file ready to store, or ValidationFailed saying why not."""
    limit = settings.MAX_UPLOAD_BYTES
    if not content:
        refuse(_("The file is empty."))
    if len(content) > limit:
        refuse(_("The file is larger than %(size)s.") % {"size": size_text(limit)}, error=FileTooLarge)
    mime_type = sniff(content)
    if mime_type in IMAGE_TYPES:
        content, mime_type = _clean_image(content, mime_type)
        pages = 1
    elif mime_type == PDF_TYPE:
        pages = check_pdf(content)
    else:
        refuse(_("Only JPEG, PNG, HEIC photos and PDF documents are accepted."))
    return PreparedFile(content, mime_type, pages, hashlib.sha256(content).hexdigest())
