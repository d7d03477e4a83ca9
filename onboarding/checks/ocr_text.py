"""The text of uploaded documents, for checks that look for words in it.

A PDF's own text layer is exact and instant, so it wins when present; scans and
photos go through Tesseract after light clean-up. Raises
``images.UnreadableDocument`` when bytes are neither an image nor a PDF.
"""

import os

import pytesseract
from PIL import Image, ImageOps

from onboarding.checks import images
from onboarding.checks.names import normalize

# Tesseract's OpenMP threads fight each other (and other workers) for cores: one
# thread per page is about six times faster on a busy two-core machine. Workers
# get parallelism from running several tasks, not from threads inside one OCR call.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DEFAULT_LANG = "eng+fra+deu"
# Tesseract reads best with glyphs 20-30 px high; phone photos are usually larger,
# small scans and thumbnails are not.
MIN_WIDTH = 1600
MAX_WIDTH = 3000
# A text layer shorter than this is a scanned PDF with a stray header, not the document.
MIN_TEXT_LAYER_CHARS = 20


def prepare_for_ocr(image):
    """Grayscale, scaled into Tesseract's comfortable range, contrast stretched."""
    gray = ImageOps.grayscale(image)
    width = gray.width
    if width < MIN_WIDTH or width > MAX_WIDTH:
        target = MIN_WIDTH if width < MIN_WIDTH else MAX_WIDTH
        gray = gray.resize((target, round(gray.height * target / width)), Image.Resampling.LANCZOS)
    return ImageOps.autocontrast(gray, cutoff=1)


def image_text(image, lang=DEFAULT_LANG):
    """OCR of one page image."""
    return pytesseract.image_to_string(prepare_for_ocr(image), lang=lang)


def text_of(document, lang=DEFAULT_LANG):
    """The text of one DocumentInput: its PDF text layer, else OCR of its pages."""
    if document.mime_type == "application/pdf" or document.content[:5] == b"%PDF-":
        layer = images.pdf_text(document.content)
        if len(layer.strip()) >= MIN_TEXT_LAYER_CHARS:
            return layer
    return "\n".join(image_text(page, lang) for page in images.load_pages(document.content, document.mime_type))


def document_text(documents, lang=DEFAULT_LANG):
    """The text of every document, in upload order, separated by blank lines."""
    return "\n\n".join(text_of(document, lang) for document in documents)


def labelled_value(text, labels):
    """The value printed after the first of ``labels`` found ("Titulaire : JEAN
    DUPONT"), on the same line after a colon or on the next non-empty line;
    labels are matched case- and accent-insensitively at a line start."""
    lines = [line.strip() for line in text.splitlines()]
    wanted = [normalize(label) for label in labels]
    for index, line in enumerate(lines):
        words = normalize(line)
        for label in wanted:
            if not (words == label or words.startswith(label + " ")):
                continue
            value = _after_label(line, label)
            if value:
                return value
            following = next((other for other in lines[index + 1 :] if other), "")
            return following or None
    return None


def _after_label(line, normalized_label):
    """What follows the label on its line, without the separating colon."""
    if ":" in line:
        head, _, tail = line.partition(":")
        head = normalize(head)
        if head == normalized_label or head.startswith(normalized_label + " "):
            return tail.strip()
    words = line.split()
    label_length = len(normalized_label.split())
    return " ".join(words[label_length:]).strip(" :-") if len(words) > label_length else ""
