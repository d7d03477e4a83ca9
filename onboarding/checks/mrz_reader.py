"""Reading the MRZ of a photographed or scanned identity document.

A whole-page OCR of an MRZ rarely passes its check digits: Tesseract miscounts
runs of ``<`` and confuses O/0, S/5, G/6. So the zone is located with
morphology, deskewed, binarised and cut into lines of fixed-pitch character
cells. The ``<`` fillers are recognised by their chevron shape and left out,
and one Tesseract call reads the other glyphs in place (plus, on a row below,
the glyphs of letters-or-digits fields spaced apart, away from the neighbours
that bias their reading). Each character read is mapped back to its cell by
position and made to fit its field (letters, digits). Every glyph is also
compared with the OCR-B shapes, the font ICAO prescribes for MRZs.

Cells under a failing check digit get a second Tesseract reading, alone. A
failing check is fixed from the disagreements between the readings, or by one
substitution among known confusions, and only when exactly one candidate
satisfies the check digits. Any doubt left in a cell no check digit covers
(names, nationality) makes the MRZ unreadable rather than wrongly read.
"""

import functools
import itertools
import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from . import mrz

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LETTERS = _ALNUM[:26]
_DIGITS = _ALNUM[26:]
# Characters OCR-B glyphs are confused with, in both directions.
_CONFUSIONS = {
    "0": "OQD8", "O": "0QD", "Q": "O09", "D": "0O", "U": "V",
    "1": "I7LT", "I": "1LT", "L": "1I", "T": "17I", "7": "1T",
    "2": "Z", "Z": "27", "5": "S6", "S": "58", "6": "G5B", "G": "6C",
    "8": "B3S0", "B": "83", "3": "8B", "4": "A", "A": "4", "9": "6", "C": "GO",
    "M": "N", "N": "MH", "H": "N", "K": "X", "X": "K", "E": "F", "F": "EP", "P": "F",
}  # fmt: skip
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "7", "Z": "2",
             "S": "5", "G": "6", "B": "8", "A": "4"}  # fmt: skip
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B", "4": "A", "7": "T", "3": "B"}
_LINE_WIDTH = {3: (30,), 2: (36, 44)}
_CAP_HEIGHT = 32  # pixels: Tesseract reads best with capitals 20-40 px high


class MrzNotFound(ValueError):
    """No MRZ could be located or segmented in the image."""


@dataclass
class MrzReading:
    """What was read; ``mrz`` is None when the characters could not all be determined."""

    lines: list
    mrz: "mrz.Mrz | None"
    corrections: list = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)

    @property
    def valid(self):
        return self.mrz is not None and self.mrz.valid


# -- locating -------------------------------------------------------------------------------


@dataclass
class _Band:
    angle: float  # degrees the image must turn for the lines to be horizontal
    lines: list  # per MRZ line: (x0, y0, x1, y1) in the deskewed full-resolution image
    image: np.ndarray  # the deskewed grayscale image


def _text_mask(gray):
    """Dark strokes on a lighter ground, whatever the ground's colour."""
    blackhat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    otsu, _ = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Half the Otsu level keeps the thin strokes of the "<" fillers.
    _, mask = cv2.threshold(blackhat, otsu * 0.5, 255, cv2.THRESH_BINARY)
    return mask


def _text_height(mask):
    """The typical height of character blobs, which sets the size of every later kernel."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    heights = [h for _, _, w, h, _ in stats[1:count] if 5 <= h <= mask.shape[0] / 8 and 0.15 * h <= w <= 1.5 * h]
    return float(np.median(heights)) if heights else 10.0


def _line_bars(gray):
    """Long thin blobs of dark text: candidate MRZ lines, as (length, thickness, angle, centre)."""
    width = gray.shape[1]
    mask = _text_mask(gray)
    height = _text_height(mask)
    closing = cv2.getStructuringElement(cv2.MORPH_RECT, (int(height * 1.2) | 1, max(1, int(height * 0.35))))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, closing)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (int(height), 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    bars = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if w < width * 0.25:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        points = np.column_stack([xs + x, ys + y]).astype(np.float32)
        centre = points.mean(axis=0)
        _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
        direction = vt[0] if vt[0][0] >= 0 else -vt[0]
        projected = (points - centre) @ vt.T
        length = np.ptp(projected[:, 0])
        thickness = area / max(length, 1)
        if length > 12 * thickness and abs(direction[1]) < 0.26:  # within ±15°
            bars.append((length, thickness, math.degrees(math.atan2(direction[1], direction[0])), centre))
    return bars


def _mrz_bars(bars):
    """The bottom-most group of 2 or 3 parallel bars of similar length and regular spacing."""
    bars = sorted(bars, key=lambda bar: bar[3][1])
    for count in (3, 2):
        for start in range(len(bars) - count, -1, -1):
            group = bars[start : start + count]
            lengths = [bar[0] for bar in group]
            thickness = np.median([bar[1] for bar in group])
            gaps = np.diff([bar[3][1] for bar in group])
            if (
                max(lengths) < 1.2 * min(lengths)
                and max(bar[2] for bar in group) - min(bar[2] for bar in group) < 3
                and all(thickness < gap < 4 * thickness for gap in gaps)
                and (count == 2 or max(gaps) < 1.3 * min(gaps))
            ):
                return group
    return None


def locate(gray):
    """The deskewed MRZ lines of a grayscale image; ``MrzNotFound`` when there is none."""
    scale = min(1.0, 1200 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    group = _mrz_bars(_line_bars(small))
    if group is None:
        raise MrzNotFound("no MRZ lines found")
    angle = float(np.mean([bar[2] for bar in group]))
    centre = np.mean([bar[3] for bar in group], axis=0) / scale
    rotation = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    upright = cv2.warpAffine(gray, rotation, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    lines = []
    for length, thickness, _, bar_centre in group:
        cx, cy = rotation @ np.array([bar_centre[0] / scale, bar_centre[1] / scale, 1.0])
        half_length, half_thickness = length / scale / 2, thickness / scale / 2
        lines.append((cx - half_length, cy - half_thickness, cx + half_length, cy + half_thickness))
    return _Band(angle=angle, lines=lines, image=upright)


# -- segmenting -------------------------------------------------------------------------------


@dataclass
class _Line:
    centre_y: float
    centres: np.ndarray  # x of each cell centre
    pitch: float
    glyph_boxes: list  # (x0, y0, x1, y1) of the ink in each cell, None when the cell is empty


def _binarise(gray):
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def _blobs(binary, cap):
    """Boxes (x0, y0, x1, y1) of the connected ink blobs that may be (parts of) glyphs."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return [
        [x, y, x + w, y + h]
        for x, y, w, h, area in stats[1:count]
        if area > cap * cap * 0.02 and h < cap * 1.8 and w < cap * 2.5
    ]


def _glyphs(blobs, cap):
    """The blobs of one line merged when they overlap horizontally (broken strokes), left to right."""
    merged = []
    for box in sorted(blobs):
        if merged and box[0] < merged[-1][2] - 0.3 * (box[2] - box[0]):
            merged[-1] = _union(merged[-1], box)
        else:
            merged.append(box)
    return [box for box in merged if box[3] - box[1] > cap * 0.45]


def _on_line(blobs, centre, cap):
    return [b for b in blobs if abs((b[1] + b[3]) / 2 - centre) < cap * 0.6]


def _cells(glyphs, widths):
    """(cell centres, pitch) of the line: evenly spaced cells fitted through the glyph centres."""
    centres = np.array([(box[0] + box[2]) / 2 for box in glyphs])
    pitch = np.median(np.diff(centres))
    span = centres[-1] - centres[0]
    count = min(widths, key=lambda n: abs(span / (n - 1) - pitch))
    if abs(span / (count - 1) - pitch) > 0.2 * pitch:
        raise MrzNotFound("MRZ line does not have the width of any format")
    start, pitch = centres[0], span / (count - 1)
    # Refit on every glyph, not only the two end ones whose side bearings skew the pitch.
    for _ in range(2):
        index = np.round((centres - start) / pitch)
        keep = (index >= 0) & (index < count)
        pitch, start = np.polyfit(index[keep], centres[keep], 1)
    return start + pitch * np.arange(count), pitch


def _scaled_band(band):
    """The band cropped from the deskewed image and scaled so capitals are _CAP_HEIGHT high,
    with the line centres in the crop's coordinates."""
    centres_y = [(y0 + y1) / 2 for _, y0, _, y1 in band.lines]
    spacing = np.median(np.diff(centres_y)) if len(centres_y) > 1 else 2 * (band.lines[0][3] - band.lines[0][1])
    x0 = max(0, int(min(line[0] for line in band.lines) - spacing))
    x1 = int(max(line[2] for line in band.lines) + spacing)
    y0 = max(0, int(centres_y[0] - spacing * 0.6))
    y1 = int(centres_y[-1] + spacing * 0.6)
    crop = band.image[y0:y1, x0:x1]
    cap = spacing / 2
    glyphs = _glyphs(_on_line(_blobs(_binarise(crop), cap), centres_y[0] - y0, cap), cap)
    if not glyphs:
        raise MrzNotFound("no glyphs in the MRZ band")
    scale = _CAP_HEIGHT / np.median([g[3] - g[1] for g in glyphs])
    interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interpolation)
    return crop, [(c - y0) * scale for c in centres_y]


def segment(band):
    """The band's lines cut into cells, scaled so capitals are about _CAP_HEIGHT pixels high."""
    gray, centres_y = _scaled_band(band)
    binary = _binarise(gray)
    blobs = _blobs(binary, _CAP_HEIGHT)
    widths = _LINE_WIDTH[len(centres_y)]
    lines = []
    for centre in centres_y:
        on_line = _glyphs(_on_line(blobs, centre, _CAP_HEIGHT), _CAP_HEIGHT)
        if len(on_line) < widths[0] * 0.5:
            raise MrzNotFound("too few glyphs on an MRZ line")
        centres, pitch = _cells(on_line, widths)
        boxes = [None] * len(centres)
        for glyph in on_line:
            index = int(round(((glyph[0] + glyph[2]) / 2 - centres[0]) / pitch))
            if 0 <= index < len(centres):
                boxes[index] = glyph if boxes[index] is None else _union(boxes[index], glyph)
        lines.append(_Line(centre_y=centre, centres=centres, pitch=pitch, glyph_boxes=boxes))
    if len({len(line.centres) for line in lines}) != 1:
        raise MrzNotFound("MRZ lines of different widths")
    return binary, lines


def _union(a, b):
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


# -- recognising ----------------------------------------------------------------------------

# Ink density of a "<" over a 3 x 3 grid of its box: a chevron leaves the left corners and the
# right middle empty, which no letter or digit of OCR-B does.
_FILLER_PROFILE = np.array([0.02, 0.41, 0.6, 0.77, 0.48, 0.0, 0.05, 0.45, 0.55])
_FILLER, _GLYPH, _UNSURE = "filler", "glyph", "unsure"
_UNKNOWN = "?"


def _grid_density(binary, box):
    x0, y0, x1, y1 = box
    patch = binary[y0:y1, x0:x1] > 0
    h, w = patch.shape
    return np.array([patch[a * h // 3 : (a + 1) * h // 3, b * w // 3 : (b + 1) * w // 3].mean()
                     for a in range(3) for b in range(3)])  # fmt: skip


def classify_cell(binary, box):
    """Whether a cell holds a "<" filler, another glyph, or cannot be told apart.

    A blurred chevron fills in and loses its empty corners; the OCR-B shapes, "<" among
    them, then have the last word."""
    if box is None:
        return _UNSURE
    distance = float(np.linalg.norm(_grid_density(binary, box) - _FILLER_PROFILE))
    if distance < 0.45:
        return _FILLER
    if _closest_shape(binary, box, _ALNUM + mrz.FILLER) == mrz.FILLER:
        return _FILLER if distance < 0.8 else _UNSURE
    return _GLYPH if distance > 0.6 else _UNSURE


def _tesseract_chars(image):
    """(char, x centre, y centre) of every character Tesseract reads in a black-on-white image."""
    config = f"--psm 6 -c tessedit_char_whitelist={_ALNUM}"
    boxes = pytesseract.image_to_boxes(image, config=config)
    height = image.shape[0]
    chars = []
    for row in boxes.splitlines():
        char, x0, y0, x1, y1, _ = row.split(" ")
        # Box rows count y from the bottom of the image.
        chars.append((char, (int(x0) + int(x1)) / 2, height - (int(y0) + int(y1)) / 2))
    return chars


_MARGIN = 16


@dataclass
class _Cell:
    line: int
    index: int
    box: list | None
    shape: str
    top: float  # the glyph's top relative to its line's centre


def _in_place(cells):
    return [((c.line, c.index), c, (c.box[0], c.box[1])) for c in cells]


def _spaced_out(cells, pitch, top):
    """Glyphs two pitches apart on one row from ``top``: read alone, without the context
    of their neighbours that leads Tesseract to read a "5" among letters as "S"."""
    return [(("alone", c.line, c.index), c, (k * pitch * 2, top + _CAP_HEIGHT + c.top)) for k, c in enumerate(cells)]


def _read_cells(binary, placements):
    """Tesseract's readings of each placed glyph, in one call.

    ``placements`` are (key, cell, (x, y)): where each cell's glyph goes on a blank
    canvas. Each character read is given to the glyph under its centre; a glyph read
    as two characters (an "S5" for a blurred "5") keeps both, the nearer one first.
    """
    if not placements:
        return {}
    width = max(x + cell.box[2] - cell.box[0] for _, cell, (x, _) in placements) + 2 * _MARGIN
    height = max(y + cell.box[3] - cell.box[1] for _, cell, (_, y) in placements) + 2 * _MARGIN
    canvas = np.full((int(height), int(width)), 255, np.uint8)
    targets = []
    for key, cell, (x, y) in placements:
        x0, y0, x1, y1 = cell.box
        dx, dy = int(x) + _MARGIN, int(y) + _MARGIN
        canvas[dy : dy + y1 - y0, dx : dx + x1 - x0][binary[y0:y1, x0:x1] > 0] = 0
        targets.append((key, dx, dy, dx + x1 - x0, dy + y1 - y0))
    found = {}
    for char, cx, cy in _tesseract_chars(canvas):
        hits = [(abs(cx - (x0 + x1) / 2), key) for key, x0, y0, x1, y1 in targets
                if x0 - 3 <= cx <= x1 + 3 and y0 - 3 <= cy <= y1 + 3]  # fmt: skip
        if hits:
            distance, key = min(hits)
            found.setdefault(key, []).append((distance, char))
    return {key: [char for _, char in sorted(chars)] for key, chars in found.items()}


# ICAO 9303 prints every MRZ in OCR-B: its glyphs, rendered once, give a second opinion per cell.
OCR_B_FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
_TEMPLATE_SIZE = (20, 28)  # (half the width, height) of the normalised glyph


def _normalised_glyph(ink):
    """A glyph scaled to the template height, centred, blurred a little, zero mean, unit norm."""
    height, width = ink.shape
    box_width, box_height = _TEMPLATE_SIZE[0] * 2, _TEMPLATE_SIZE[1]
    scaled_width = max(1, min(box_width, round(width * box_height / height)))
    scaled = cv2.resize(ink.astype(np.float32), (scaled_width, box_height), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((box_height, box_width), np.float32)
    left = (box_width - scaled_width) // 2
    canvas[:, left : left + scaled_width] = scaled
    canvas = cv2.GaussianBlur(canvas, (3, 3), 0)
    canvas -= canvas.mean()
    norm = np.linalg.norm(canvas)
    return (canvas / norm if norm else canvas).ravel()


@functools.cache
def _templates():
    """(characters, matrix of their normalised OCR-B glyphs); None without the font."""
    try:
        font = ImageFont.truetype(OCR_B_FONT, 96)
    except OSError:
        return None
    rows = []
    for char in _ALNUM + mrz.FILLER:
        image = Image.new("L", (140, 140), 0)
        ImageDraw.Draw(image).text((20, 10), char, font=font, fill=255)
        ink = np.asarray(image) > 127
        ys, xs = np.nonzero(ink)
        rows.append(_normalised_glyph(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]))
    return _ALNUM + mrz.FILLER, np.stack(rows)


def _closest_shape(binary, box, allowed):
    """The OCR-B character among ``allowed`` the glyph in ``box`` resembles most (None without the font)."""
    templates = _templates()
    if templates is None:
        return None
    chars, matrix = templates
    x0, y0, x1, y1 = box
    scores = matrix @ _normalised_glyph(binary[y0:y1, x0:x1] > 0)
    return max((score, char) for score, char in zip(scores, chars) if char in allowed)[1]


def _template_reading(binary, cell, kind, height_class):
    """The OCR-B character the glyph resembles most among those its field allows.

    The normalised shapes of "0" and "O" barely differ; OCR-B digits stand taller, so
    the glyph's height decides between them when it is clear."""
    if cell.box is None:
        return None
    best = _closest_shape(binary, cell.box, _allowed(kind))
    if best and best in "0O" and height_class and kind == "alnum":
        return "0" if height_class == "digit" else "O"
    return best


# -- correcting -----------------------------------------------------------------------------


def _kinds(fmt, width):
    """The kind of character each position of each line may hold."""
    kinds = [["alnum"] * width for _ in range(mrz.SHAPES[fmt][0])]
    for fld in mrz.LAYOUTS[fmt].values():
        for position in range(fld.start, fld.end):
            kinds[fld.line][position] = fld.kind
    return kinds


def _coerce(char, kind):
    """A character made to fit its field: an "O" in a date is a "0", a "1" in a name an "I"."""
    if char == _UNKNOWN or char == mrz.FILLER:
        return char
    if kind in ("numeric", "check"):
        return _TO_DIGIT.get(char, char if char.isdigit() else _UNKNOWN)
    if kind == "alpha":
        return _TO_LETTER.get(char, char if char.isalpha() else _UNKNOWN)
    if kind == "sex":
        return "M" if char in "MNHW" else "F" if char in "FEP" else _UNKNOWN
    return char


def _allowed(kind):
    return {"numeric": _DIGITS, "check": _DIGITS, "alpha": _LETTERS, "sex": "MF"}.get(kind, _ALNUM)


def _candidates(char, kind, unsure, height_class):
    """What a cell might hold instead of what was read; ``height_class`` ("letter",
    "digit" or None) drops candidates of the wrong height: OCR-B digits stand taller."""
    allowed = _allowed(kind)
    options = set(allowed) if char == _UNKNOWN else {_coerce(c, kind) for c in _CONFUSIONS.get(char, "")}
    if height_class == "letter":
        options -= set(_DIGITS)
    elif height_class == "digit":
        options -= set(_LETTERS)
    if unsure or char == _UNKNOWN:
        options.add(mrz.FILLER)
    options.discard(char)
    options.discard(_UNKNOWN)
    return sorted(options)


def _height_classes(cells, chars, kinds):
    """(line, index) -> "letter" or "digit" for glyphs whose height says so clearly,
    measured against the letters of alphabetic fields and the digits of numeric ones."""
    heights = {"letter": [], "digit": []}
    for cell in cells:
        char, kind = chars[cell.line][cell.index], kinds[cell.line][cell.index]
        if cell.box is not None and char != mrz.FILLER:
            if kind == "alpha" and char.isalpha():
                heights["letter"].append(cell.box[3] - cell.box[1])
            elif kind in ("numeric", "check") and char.isdigit():
                heights["digit"].append(cell.box[3] - cell.box[1])
    if len(heights["letter"]) < 3 or len(heights["digit"]) < 3:
        return {}
    letter, digit = np.median(heights["letter"]), np.median(heights["digit"])
    if digit - letter < 1.5:
        return {}
    low, high = letter + (digit - letter) * 0.35, letter + (digit - letter) * 0.65
    classes = {}
    for cell in cells:
        if cell.box is not None:
            height = cell.box[3] - cell.box[1]
            classes[(cell.line, cell.index)] = "letter" if height < low else "digit" if height > high else None
    return classes


def _passes(lines, spans):
    covered, digit_field, may_be_empty = spans
    data = "".join("".join(lines[line][start:end]) for line, start, end in covered)
    digit = lines[digit_field.line][digit_field.start]
    if _UNKNOWN in data or digit == _UNKNOWN:
        return False
    return mrz.check_digit_matches(data, digit, may_be_empty)


def _fix(lines, fmt, observed, confusable):
    """(lines, corrections, names of the checks still failing) after fixing what can be fixed
    without guessing.

    A failing check is fixed first from what was read differently in its cells (two
    Tesseract passes, a glyph read as two characters, the OCR-B shape): the one
    combination of those that passes. Failing that, and only when the readings agreed
    everywhere else, one substitution among known confusions (or of the one unknown
    character). Either fix is taken only when exactly one candidate satisfies the check
    digits. Field checks come first, then the composite check guards everything at once,
    over the cells no passing field check vouches for.
    """
    lines = [list(line) for line in lines]
    spans = mrz.check_digit_spans(fmt)
    corrections = []
    for name in sorted(spans, key=lambda name: name == "composite_check"):
        judged = list(spans.values()) if name == "composite_check" else [spans[name]]
        if all(_passes(lines, s) for s in judged):
            continue
        positions = _positions(spans[name])
        if name == "composite_check":
            # Fields whose own check digit passes are trusted; the doubt lies elsewhere.
            trusted = {p for other, s in spans.items() if other != name and _passes(lines, s) for p in _positions(s)}
            positions = [p for p in positions if p not in trusted]
        disputed = [(p, observed(*p)) for p in positions if observed(*p)]
        unknown = [p for p in positions if lines[p[0]][p[1]] == _UNKNOWN]
        fixes = _passing_combinations(lines, judged, [(p, [lines[p[0]][p[1]], *opts]) for p, opts in disputed])
        if not fixes and len(disputed) <= 1 and len(unknown) <= 1:
            # The composite digit catches errors that slipped past a field's own check:
            # it is not bent to agree without evidence that the digit itself was misread.
            suspects = unknown or ([] if name == "composite_check" else positions)
            fixes = _passing_combinations(lines, judged, [(p, confusable(*p)) for p in suspects], one_at_a_time=True)
        if len(fixes) == 1:
            for (line, i), char in fixes[0]:
                corrections.append({"line": line, "position": i, "read": lines[line][i], "corrected": char})
                lines[line][i] = char
    failing = [name for name, s in spans.items() if not _passes(lines, s)]
    return ["".join(line) for line in lines], corrections, failing


def _positions(spans):
    """The cells a check digit covers, the digit's own cell last."""
    covered, digit_field, _ = spans
    positions = [(line, i) for line, start, end in covered for i in range(start, end)]
    return positions + [(digit_field.line, digit_field.start)]


def _passing_combinations(lines, judged, options, one_at_a_time=False):
    """The changes (lists of ((line, index), char)) drawn from ``options`` that make every
    judged check pass: any combination of them, or single substitutions."""
    if one_at_a_time:
        changes = [[(p, char)] for p, chars in options for char in chars]
    elif len(options) <= 6:
        changes = [list(zip([p for p, _ in options], combo)) for combo in itertools.product(*[c for _, c in options])]
    else:
        return []
    passing = []
    for change in changes:
        saved = [(p, lines[p[0]][p[1]]) for p, _ in change]
        for (line, i), char in change:
            lines[line][i] = char
        if all(_passes(lines, s) for s in judged):
            passing.append([(p, char) for (p, char), (_, old) in zip(change, saved) if char != old])
        for (line, i), char in saved:
            lines[line][i] = char
    return passing


# -- reading --------------------------------------------------------------------------------


def _format(line_count, width, first_char):
    if line_count == 3:
        return "TD1"
    if width == 44:
        return "MRVA" if first_char == "V" else "TD3"
    return "MRVB" if first_char == "V" else "TD2"


def _combine(readings, raw, kinds, first_pass=True):
    """Add one Tesseract call's readings to ``readings`` ((line, index) -> characters, the
    one to trust first). In the first pass, a glyph of a letters-or-digits field read alone
    is trusted over the same glyph read within its word; later passes only add doubts.
    A lone glyph read as two characters is a hallucination, not a doubt: only the
    character nearest the glyph is kept."""
    for key, chars in raw.items():
        alone = key[0] == "alone"
        line, index = key[1:] if alone else key
        known = readings.setdefault((line, index), [])
        if alone:
            chars = chars[:1]
        if alone and first_pass and kinds[line][index] == "alnum":
            known[:0] = chars
        else:
            known.extend(chars)


def read_image(image):
    """The MRZ read from one PIL image; ``MrzNotFound`` when there is no MRZ to read."""
    started = time.perf_counter()
    gray = np.asarray(image.convert("L"))
    band = locate(gray)
    binary, lines = segment(band)
    cells = [
        _Cell(n, i, box, classify_cell(binary, box), (box[1] - line.centre_y) if box else 0.0)
        for n, line in enumerate(lines)
        for i, box in enumerate(line.glyph_boxes)
    ]
    timings = {"locate": _ms(started)}
    width, pitch = len(lines[0].centres), float(np.median([line.pitch for line in lines]))
    # Visas differ from TD2/TD3 only in their optional data: either layout tells which cells are alphanumeric.
    kinds = _kinds(_format(len(lines), width, ""), width)
    glyphs = [c for c in cells if c.shape != _FILLER and c.box is not None]
    alphanumeric = [c for c in glyphs if kinds[c.line][c.index] == "alnum"]
    below = max(c.box[3] for c in glyphs) + _CAP_HEIGHT
    readings = {}
    _combine(readings, _read_cells(binary, _in_place(glyphs) + _spaced_out(alphanumeric, pitch, below)), kinds)
    timings["ocr"] = _ms(started) - timings["locate"]
    fmt = _format(len(lines), width, readings.get((0, 0), [""])[0])
    kinds = _kinds(fmt, width)
    by_key = {(c.line, c.index): c for c in cells}

    def text():
        out = [[_UNKNOWN] * width for _ in lines]
        for (line, i), cell in by_key.items():
            char = mrz.FILLER if cell.shape == _FILLER else readings.get((line, i), [_UNKNOWN])[0]
            out[line][i] = _coerce(char, kinds[line][i])
        return out

    chars = text()
    height_classes = _height_classes(cells, chars, kinds)
    # The OCR-B shape is trusted first in letters-or-digits fields, where Tesseract leans on
    # the neighbouring characters; elsewhere it is a second opinion.
    for cell in glyphs:
        key = (cell.line, cell.index)
        shape = _template_reading(binary, cell, kinds[cell.line][cell.index], height_classes.get(key))
        if shape:
            known = readings.setdefault(key, [])
            known.insert(0, shape) if kinds[cell.line][cell.index] == "alnum" else known.append(shape)
    chars = text()
    failing = [by_key[key] for key in sorted(_failing_cells(chars, fmt)) if by_key[key].box is not None]
    if failing:
        _combine(readings, _read_cells(binary, _spaced_out(failing, pitch, 0)), kinds, first_pass=False)
        chars = text()
        timings["second_ocr"] = _ms(started) - timings["locate"] - timings["ocr"]

    def observed(line, i):
        """Other characters seen in this cell."""
        read = {_coerce(char, kinds[line][i]) for char in readings.get((line, i), ())}
        return sorted(read - {_UNKNOWN, chars[line][i]})

    def confusable(line, i):
        cell = by_key[(line, i)]
        return _candidates(chars[line][i], kinds[line][i], cell.shape == _UNSURE, height_classes.get((line, i)))

    fixed, corrections, failing = _fix(chars, fmt, observed, confusable)
    fixed, settled = _settle_country_codes(fixed, fmt, observed)
    timings["total"] = _ms(started)
    spans = mrz.check_digit_spans(fmt)
    # A cell is settled when a passing field check covers it or every reading agreed.
    settled |= {p for name, s in spans.items() if name != "composite_check" and name not in failing for p in _positions(s)}
    doubtful = {
        (line, i)
        for (line, i) in by_key
        if fixed[line][i] == _UNKNOWN
        or ((line, i) not in settled and set(observed(line, i)) - {fixed[line][i]})
    }
    in_failing = {p for name in failing for p in _positions(spans[name])}
    if doubtful & (set(_unchecked_cells(fmt)) | in_failing):
        return MrzReading(lines=["".join(line) for line in chars], mrz=None, corrections=corrections, timings_ms=timings)
    # What remains failing was read the same by every pass: the printed MRZ itself is wrong.
    return MrzReading(lines=fixed, mrz=mrz.parse(fixed), corrections=corrections, timings_ms=timings)


def _settle_country_codes(lines, fmt, observed):
    """(lines, settled cells): country fields have no check digit but few valid values, so
    among the readings of their cells the one combination forming a known code is taken."""
    lines = [list(line) for line in lines]
    settled = set()
    for name in ("issuing_country", "nationality"):
        fld = mrz.LAYOUTS[fmt][name]
        cells = [(fld.line, i) for i in range(fld.start, fld.end)]
        options = [[lines[line][i], *observed(line, i)] for line, i in cells]
        codes = {"".join(combo) for combo in itertools.product(*options)}
        valid = [code for code in codes if mrz.is_country_code(code)]
        if len(valid) == 1:
            for (line, i), char in zip(cells, valid[0]):
                lines[line][i] = char
            settled.update(cells)
    return ["".join(line) for line in lines], settled


def _unchecked_cells(fmt):
    """Cells no check digit covers (names, nationality, sex...): a doubt there cannot be settled."""
    checked = set()
    for covered, digit_field, _ in mrz.check_digit_spans(fmt).values():
        checked.update((line, i) for line, start, end in covered for i in range(start, end))
        checked.add((digit_field.line, digit_field.start))
    line_count, width = mrz.SHAPES[fmt]
    return [(line, i) for line in range(line_count) for i in range(width) if (line, i) not in checked]


def _ms(started):
    return round((time.perf_counter() - started) * 1000, 1)


def _failing_cells(chars, fmt):
    """Cells worth a second look: unknown ones and those under a failing check digit."""
    failing = {(n, i) for n, line in enumerate(chars) for i, char in enumerate(line) if char == _UNKNOWN}
    for spans in mrz.check_digit_spans(fmt).values():
        covered, digit_field, _ = spans
        if not _passes(chars, spans):
            failing.update((line, i) for line, start, end in covered for i in range(start, end))
            failing.add((digit_field.line, digit_field.start))
    return {key for key in failing if chars[key[0]][key[1]] != mrz.FILLER}


def read_pages(pages):
    """The best MRZ reading among the pages (the MRZ is often on the last one, a card's back)."""
    best = None
    for page in reversed(pages):
        try:
            reading = read_image(page)
        except MrzNotFound:
            continue
        if reading.valid:
            return reading
        best = best or reading
    return best
