"""The text of uploaded documents, for checks that look for words in it.

A PDF's own text layer is exact and instant, so it wins when present; scans and
photos go through Tesseract after light clean-up, and a photo that reads as
smudges is read again the right way up (taken sideways or upside down, its
orientation lost on upload). Raises
``images.UnreadableDocument`` when bytes are neither an image nor a PDF.

Checks that read values by their labels need to know where each piece of text
sits: ``document_lines`` gives the page as positioned runs of text, split where
a wide gap separates two columns, so that a value is looked for beside or under
its own label and not in the neighbouring column.
"""

import functools
import math
import os
import re
import statistics
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy
import pypdfium2
import pytesseract
from PIL import Image, ImageOps

from onboarding.checks import images, textlines
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
PAPER_GAIN = 1.08
# Skew searched within this many degrees, corrected from MIN_SKEW on, measured at SKEW_WIDTH pixels.
MAX_SKEW, MIN_SKEW, SKEW_WIDTH = 7.0, 0.4, 600
MIN_INK, SKEW_GAIN = 0.002, 1.1
# A page whose median grey is under this is light text on a dark background.
DARK_PAGE = 100
# A text layer shorter than this is a scanned PDF with a stray header, not the document.
MIN_TEXT_LAYER_CHARS = 20


def _pixels(image):
    return numpy.asarray(image) if hasattr(image, "convert") else image


def flatten_light(gray):
    """The page (a grayscale array) divided by its own paper brightness: a phone photo's
    shadows and vignetting would otherwise push one side of the page under Tesseract's single
    black/white threshold. The paper is estimated at 1/8 scale with a maximum filter wider than
    any stroke, so text does not darken its own background."""
    height, width = gray.shape
    small = cv2.resize(gray, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_LINEAR)
    paper = cv2.GaussianBlur(cv2.dilate(small, numpy.ones((5, 5), numpy.uint8)), (0, 0), 4)
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    # A little over 1 so the paper itself saturates to white instead of keeping its grain.
    return cv2.divide(gray, numpy.maximum(paper, 1), scale=PAPER_GAIN * 255)


def remove_rules(gray):
    """The page (a grayscale array) without long thin horizontal lines (a fold's crease, table
    rules, underlines): Tesseract reads a line crossing a row of text as part of its glyphs and
    loses the whole row."""
    pixels = gray.copy()
    dark = (pixels < 230).astype(numpy.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(24, pixels.shape[1] // 60), 1))
    rules = cv2.dilate(cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel), numpy.ones((3, 1), numpy.uint8))
    # Ink is darker than a crease or a grey rule: where a glyph crosses the line, it stays.
    pixels[(rules > 0) & (pixels > 110)] = 255
    return pixels


def skew_angle(gray):
    """Degrees the page's lines of text are turned (counter-clockwise), found as the
    angle whose rows of ink are the most sharply separated. Text strokes are picked
    with a black-hat filter so a dark table around the page does not count."""
    gray = _pixels(gray)
    scale = SKEW_WIDTH / gray.shape[1]
    small = cv2.resize(gray, (SKEW_WIDTH, max(1, round(gray.shape[0] * scale))), interpolation=cv2.INTER_LINEAR)
    strokes = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, numpy.ones((9, 9), numpy.uint8))
    ink = strokes > 40
    if ink.mean() < MIN_INK:
        return 0.0
    rows, columns = numpy.nonzero(ink)
    rows, columns = rows - ink.shape[0] / 2, columns - ink.shape[1] / 2

    def sharpness(angle):
        # The row each ink pixel lands on once the page is turned by ``angle`` about its centre.
        radians = math.radians(angle)
        turned = numpy.rint(rows * math.cos(radians) - columns * math.sin(radians) + ink.shape[0] / 2)
        inside = turned[(turned >= 0) & (turned < ink.shape[0])].astype(numpy.intp)
        return float(numpy.var(numpy.bincount(inside, minlength=ink.shape[0])))

    coarse = max(numpy.arange(-MAX_SKEW, MAX_SKEW + 0.01, 1.0), key=sharpness)
    best = float(max(numpy.arange(coarse - 0.75, coarse + 0.76, 0.25), key=sharpness))
    # Turning the page costs a resampling: only when the rows get clearly sharper.
    return best if sharpness(best) > SKEW_GAIN * sharpness(0.0) else 0.0


def deskew(gray):
    """The page (a grayscale array) turned so its lines run level, on white: a photo taken a
    few degrees askew puts a label and its value in the next column at different heights."""
    angle = skew_angle(gray)
    if abs(angle) < MIN_SKEW:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (round(height * sin + width * cos), round(height * cos + width * sin))
    matrix[:, 2] += (size[0] - width) / 2, (size[1] - height) / 2
    return cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_CUBIC, borderValue=255)


def _histogram(gray):
    """How many pixels of a grayscale array have each of the 256 grey levels. OpenCV counts
    them several times faster than numpy; its counts are floats, exact below 2**24 per level."""
    if gray.size < 2**24:
        return cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(numpy.int64)
    return numpy.bincount(gray.ravel(), minlength=256)


def _median_grey(gray):
    """numpy.median of a grayscale array, read off its histogram instead of sorting its pixels."""
    cumulative = numpy.cumsum(_histogram(gray))
    count = int(cumulative[-1])

    def level(rank):  # the grey level of the pixel of that rank, darkest first
        return int(numpy.searchsorted(cumulative, rank, side="right"))

    return level(count // 2) if count % 2 else (level(count // 2 - 1) + level(count // 2)) / 2


def _autocontrast(gray, cutoff=0.01):
    """Grey levels stretched to the full range, ``cutoff`` of the pixels clipped at each end."""
    histogram = numpy.cumsum(_histogram(gray))
    low = int(numpy.searchsorted(histogram, cutoff * histogram[-1], side="right"))
    high = int(numpy.searchsorted(histogram, (1 - cutoff) * histogram[-1]))
    if high <= low:
        return gray
    table = numpy.clip((numpy.arange(256) - low) * 255.0 / (high - low), 0, 255).astype(numpy.uint8)
    return cv2.LUT(gray, table)


def prepare_for_ocr(image):
    """Grayscale, light text on dark turned dark on light, scaled into Tesseract's comfortable
    range, evenly lit, turned level, without rules, contrast stretched. Done with OpenCV on
    arrays: the same steps with Pillow cost about a third of Tesseract's own time on the page."""
    gray = numpy.asarray(image.convert("L"))
    if _median_grey(gray) < DARK_PAGE:
        # A dark-mode screenshot: Tesseract and the paper estimate both expect dark ink on light paper.
        gray = 255 - gray
    height, width = gray.shape
    if width < MIN_WIDTH or width > MAX_WIDTH:
        # Scaled before the light is flattened: flattening first, then enlarging, blurs the
        # saturated paper into the strokes (a bold 8 then reads as a 3).
        target = MIN_WIDTH if width < MIN_WIDTH else MAX_WIDTH
        size = (target, round(height * target / width))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_LANCZOS4 if target > width else cv2.INTER_AREA)
    return Image.fromarray(_autocontrast(remove_rules(deskew(flatten_light(gray)))))


def tesseract(read, image, **options):
    """``read`` (a pytesseract function) of one page handed over as an uncompressed TIFF: the
    same pixels as the PNG pytesseract would write, without compressing and decompressing a
    page of several million pixels on each call."""
    with tempfile.NamedTemporaryFile(suffix=".tif") as file:
        image.save(file, format="TIFF")
        file.flush()
        return read(file.name, **options)


# Where a .traineddata file lists the characters its LSTM model writes (tessdatamanager.h).
_LSTM_UNICHARSET = 21


@functools.cache
def _tessdata():
    """(folder, languages) of the language models Tesseract has on this machine."""
    try:
        listing = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"], capture_output=True,
                                 text=True, timeout=30, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None, frozenset()
    heading, *languages = (listing.stdout + listing.stderr).splitlines() or [""]
    folder = re.search(r'"(.+)"', heading)
    return (Path(folder.group(1)) if folder else None), frozenset(filter(None, map(str.strip, languages)))


def installed_languages():
    """The language models Tesseract has on this machine ("eng", "fra", ...)."""
    return _tessdata()[1]


@functools.cache
def model_characters(lang):
    """The characters Tesseract's model of ``lang`` (one language) can write: a model without
    "ó" reads one as some other letter, so its reading says nothing about an "ó". Read from the
    model's file (a table of component offsets, then the components); empty when unknown."""
    folder = _tessdata()[0]
    try:
        data = (folder / f"{lang}.traineddata").read_bytes()
        count = struct.unpack("<i", data[:4])[0]
        offsets = struct.unpack(f"<{count}q", data[4 : 4 + 8 * count])
        start = offsets[_LSTM_UNICHARSET]
        end = min([offset for offset in offsets[_LSTM_UNICHARSET + 1 :] if offset > 0] + [len(data)])
        listing = data[start:end].decode() if start > 0 else ""
    except (TypeError, OSError, IndexError, struct.error, UnicodeDecodeError):
        return frozenset()
    return frozenset(line.split(" ")[0] for line in listing.splitlines()[1:] if line)


def read_line(scan, box, lang, margin=0.15, paper=0.5):
    """What Tesseract reads with ``lang`` as one line of text in ``box`` (left, top, right,
    bottom) of a page prepared for it: the region is cut ``margin`` line heights wider than
    the box, so no stroke is clipped, and set on ``paper`` line heights of white, so a
    neighbouring word or line is not read with it."""
    left, top, right, bottom = box
    grow, border = round(margin * (bottom - top)), round(paper * (bottom - top))
    region = scan.crop((max(0, left - grow), max(0, top - grow), min(scan.width, right + grow),
                        min(scan.height, bottom + grow)))  # fmt: skip
    region = ImageOps.expand(region.convert("L"), border=border, fill=255)
    # --psm 7: the region is one line; the page's layout analysis would only cost time.
    return tesseract(pytesseract.image_to_string, region, lang=lang, config="--psm 7").strip()


def image_text(image, lang=DEFAULT_LANG):
    """OCR of one page image."""
    return tesseract(pytesseract.image_to_string, prepare_for_ocr(image), lang=lang)


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


# A horizontal gap wider than this many text heights separates two columns.
COLUMN_GAP = 1.6


@dataclass(frozen=True)
class TextLine:
    """A run of text on one row of a page, without any wide gap inside it.

    ``box`` is (left, top, right, bottom) with y growing downwards, in the page's
    own units (PDF points or image pixels: only distances between lines of the
    same page are compared). ``source`` is "pdf" for the text layer, "ocr" otherwise.
    ``confidences`` holds Tesseract's confidence (0-100) in each word of ``text``; a
    text layer's words are read as written (100). ``word_boxes`` holds each OCR word's
    box, and ``scan`` the page image Tesseract read them on (after ``prepare_for_ocr``:
    rescaled, levelled, cleaned), whose pixels the boxes are in: a second reader crops
    the very pixels Tesseract read. Both are empty for a text layer.
    """

    text: str
    box: tuple
    page: int = 0
    source: str = "ocr"
    confidences: tuple = ()
    word_boxes: tuple = ()
    scan: object = field(default=None, compare=False, repr=False)

    def confidence_of(self, value):
        """The lowest confidence among the words of ``value``, which ends the line."""
        return min(self.confidences[-len(value.split()) :], default=100.0)

    def box_of(self, value):
        """The box around the words of ``value``, which ends the line (the line's box
        when its words' boxes are not known)."""
        boxes = self.word_boxes[-len(value.split()) :] if value.split() else ()
        if not boxes:
            return self.box
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    @property
    def height(self):
        return self.box[3] - self.box[1]


def _split_row(pieces, page, source, scan=None):
    """TextLines from one row's (text, box, confidence) pieces, cut where the gap is a column gap."""
    pieces = sorted(pieces, key=lambda piece: piece[1][0])
    height = statistics.median(box[3] - box[1] for _, box, _ in pieces) or 1
    runs, current = [], [pieces[0]]
    for piece in pieces[1:]:
        if piece[1][0] - current[-1][1][2] > COLUMN_GAP * height:
            runs.append(current)
            current = []
        current.append(piece)
    runs.append(current)
    lines = []
    for run in runs:
        text = " ".join(text for text, _, _ in run).strip()
        if text:
            box = (min(b[0] for _, b, _ in run), min(b[1] for _, b, _ in run),
                   max(b[2] for _, b, _ in run), max(b[3] for _, b, _ in run))  # fmt: skip
            words = [(box, confidence) for word, box, confidence in run if word.strip()]
            confidences = tuple(confidence for _, confidence in words)
            word_boxes = tuple(box for box, _ in words) if scan is not None else ()
            lines.append(TextLine(text, box, page, source, confidences, word_boxes, scan))
    return lines


# A word Tesseract is this sure of, with this many letters, is a word read, not a smudge.
SURE_WORD_CONFIDENCE, SURE_WORD_LETTERS = 85, 3
# A page with fewer of its words read sure than this share may lie sideways or upside down,
# unless this many were (read the right way up among papers it lay on a table with).
MIN_SURE_SHARE, ENOUGH_SURE_WORDS = 0.2, 20
TURNED_SURE_SHARE = 0.4  # of its words a page read turned must read sure to replace the upright reading
_TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def sure_words(lines):
    """How many words of ``lines`` Tesseract read sure, and how many it read."""
    words = [(word, confidence) for line in lines for word, confidence in zip(line.text.split(), line.confidences)]
    sure = [
        word for word, confidence in words
        if confidence >= SURE_WORD_CONFIDENCE and sum(char.isalpha() for char in word) >= SURE_WORD_LETTERS
    ]  # fmt: skip
    return len(sure), len(words)


def image_lines(image, page=0, lang=DEFAULT_LANG):
    """The positioned text lines Tesseract reads on one page image, in the pixels of the
    page as prepared for it (kept as each line's ``scan``). A page that reads as smudges is
    read again turned the way its lines read upright (a photo taken sideways or upside down,
    with no orientation recorded), and that reading is kept when it holds more sure words and
    reads as a page (``TURNED_SURE_SHARE``)."""
    lines = _tesseract_lines(image, page, lang)
    sure, read = sure_words(lines)
    if sure >= MIN_SURE_SHARE * read or sure >= ENOUGH_SURE_WORDS:
        return lines
    turn = textlines.page_turn(image)
    if not turn:
        return lines
    turned = _tesseract_lines(image.transpose(_TURNS[turn]), page, lang)
    turned_sure, turned_read = sure_words(turned)
    # Turned, the page must read as a page: a bill left upright but blurred beside another
    # paper lying sideways reads, turned, that paper sure and the bill as smudges (32 of 137
    # words sure), where every hurried photo of the sets turned read 46-72 % of its words sure.
    return turned if turned_sure > sure and turned_sure >= TURNED_SURE_SHARE * turned_read else lines


def _tesseract_lines(image, page, lang):
    scan = prepare_for_ocr(image)
    data = tesseract(pytesseract.image_to_data, scan, lang=lang, output_type=pytesseract.Output.DICT)
    rows = {}
    for index, word in enumerate(data["text"]):
        if data["level"][index] != 5 or not word.strip():
            continue
        left, top = data["left"][index], data["top"][index]
        box = (left, top, left + data["width"][index], top + data["height"][index])
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        rows.setdefault(key, []).append((word, box, float(data["conf"][index])))
    lines = [line for pieces in rows.values() for line in _split_row(pieces, page, "ocr", scan)]
    return sorted(_join_broken_rows(lines), key=lambda line: (line.box[1], line.box[0]))


def _join_broken_rows(lines):
    """Lines Tesseract split on a slanted row joined again: one starting right where
    another ends, at the same height, is the rest of it ("Rekeninghouder: Anna de" +
    "Vries" on a photo taken at an angle)."""
    joined = sorted(lines, key=lambda line: line.box[0])
    changed = True
    while changed:
        changed = False
        for first in joined:
            follower = next((
                other for other in joined
                if other is not first and 0 <= other.box[0] - first.box[2] < COLUMN_GAP * first.height
                and min(first.box[3], other.box[3]) - max(first.box[1], other.box[1]) > 0.4 * min(first.height, other.height)
            ), None)  # fmt: skip
            if follower:
                box = (
                    first.box[0],
                    min(first.box[1], follower.box[1]),
                    follower.box[2],
                    max(first.box[3], follower.box[3]),
                )
                joined = [line for line in joined if line is not first and line is not follower]
                text = f"{first.text} {follower.text}"
                confidences = first.confidences + follower.confidences
                word_boxes = first.word_boxes + follower.word_boxes
                joined.append(TextLine(text, box, first.page, first.source, confidences, word_boxes, first.scan))
                changed = True
                break
    return joined


def _pdf_page_lines(page, index):
    """Positioned text lines of a PDF page's text layer, from PDFium's characters."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        rows, pieces, last = [], [], None
        for char_index in range(textpage.count_chars()):
            char = textpage.get_text_range(char_index, 1)
            if char in "\r\n":
                last = None
                continue
            left, bottom, right, top = textpage.get_charbox(char_index, loose=True)
            box = (left, height - top, right, height - bottom)
            same_row = last is not None and abs(box[3] - last[3]) < 0.5 * max(box[3] - box[1], 1)
            if not same_row and pieces:
                rows.append(pieces)
                pieces = []
            if char.strip():
                pieces.append((char, box))
            elif pieces:
                pieces.append((" ", (box[0], pieces[-1][1][1], box[2], pieces[-1][1][3])))
            last = box
        if pieces:
            rows.append(pieces)
    finally:
        textpage.close()
    return [line for row in rows for line in _split_row(_words(row), index, "pdf")]


def _words(characters):
    """(word, box, confidence) pieces from a row's characters, so gaps are measured between
    words; a text layer is read as written."""
    words, current = [], []
    for char, box in characters + [(" ", None)]:
        if char == " ":
            if current:
                text = "".join(c for c, _ in current)
                boxes = [b for _, b in current]
                box = (boxes[0][0], min(b[1] for b in boxes), boxes[-1][2], max(b[3] for b in boxes))
                words.append((text, box, 100.0))
            current = []
        else:
            current.append((char, box))
    return words


def pdf_lines(content):
    """The positioned lines of a PDF's text layer ([] when it has none or cannot be read)."""
    with images.PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(content)
        except pypdfium2.PdfiumError:
            return []
        try:
            lines = []
            for index in range(min(len(pdf), images.MAX_PDF_PAGES)):
                lines += _pdf_page_lines(pdf[index], index)
            return sorted(lines, key=lambda line: (line.page, line.box[1], line.box[0]))
        finally:
            pdf.close()


def document_lines(documents, lang=DEFAULT_LANG, pages=None):
    """Positioned lines of every document: a PDF's text layer when it has one, else OCR.
    Pages are numbered across documents in upload order. ``pages``, each document's page
    images when the caller has loaded them already, saves decoding or rendering them again."""
    lines, offset = [], 0
    for index, document in enumerate(documents):
        if document.mime_type == "application/pdf" or document.content[:5] == b"%PDF-":
            layer = pdf_lines(document.content)
            if sum(len(line.text) for line in layer) >= MIN_TEXT_LAYER_CHARS:
                lines += [TextLine(line.text, line.box, line.page + offset, "pdf") for line in layer]
                offset = max(line.page for line in lines) + 1
                continue
        for page in pages[index] if pages else images.load_pages(document.content, document.mime_type):
            lines += image_lines(page, offset, lang)
            offset += 1
    return lines


def lines_text(lines):
    """The lines as plain text, one row per line; columns of a row kept apart by wide spacing."""
    rows, previous = [], None
    for line in lines:
        if previous and line.page == previous.page and line.box[1] < previous.box[3] - 0.3 * previous.height:
            rows[-1] += "    " + line.text
        else:
            rows.append(line.text)
        previous = line
    return "\n".join(rows)


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
