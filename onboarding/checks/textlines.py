"""Text lines on a photographed or scanned page: where they are and what they say.

The PP-OCRv6 text detector and line recogniser ship as ONNX models inside the
``rapidocr`` wheel (Apache-2.0) and run with onnxruntime, offline. They are loaded
once per process, on first use (a worker that checks documents loads them before its
pool forks, so its children share them), and shared by every check that reads text
(identity documents, proofs of address, bank details).

Pages are shrunk to ``MAX_PIXELS`` before detection: the detector's memory (about
190 MB at that size) and time grow with the pixel count, and phone photos carry far
more pixels than text needs. Each line found is perspective-warped from the full-resolution page to a
strip ``STRIP_HEIGHT`` pixels high for the recogniser, whose per-character
probabilities are available to callers that decode them under their own
constraints (see ``onboarding.checks.mrz``).
"""

import ctypes
import ctypes.util
import functools
import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings

MAX_PIXELS = 600_000  # pages are shrunk to this before detection (about 950 x 630)
STRIP_HEIGHT = 48  # the recogniser's input height
_DETECTOR = "PP-OCRv6_det_small.onnx"
_RECOGNISER = "PP-OCRv6_rec_small.onnx"
_PIXEL_THRESHOLD = 0.3  # detector probability above which a pixel is text
_BOX_THRESHOLD = 0.5  # mean probability a region needs to count as a line
_UNCLIP_RATIO = 1.6  # the detector marks a shrunk core of each line: grow it back
_BLANK = 0  # the recogniser's CTC blank class
_BATCH_WIDTH = 2400  # strips per recogniser call are grouped up to this padded width
# A region read on its own is cut this much beyond its box and set on this much white paper
# (both in the box's heights): the detector grows its boxes about as much around a line.
REGION_MARGIN, REGION_PAPER = 0.15, 0.5


@dataclass(frozen=True)
class TextLine:
    """One line of text. ``box`` holds its corners in image pixels, clockwise from the
    top-left corner of the text as read (left to right)."""

    box: np.ndarray
    text: str
    confidence: float

    @property
    def height(self):
        return float(np.linalg.norm(self.box[3] - self.box[0]))

    @property
    def width(self):
        return float(np.linalg.norm(self.box[1] - self.box[0]))

    @property
    def angle(self):
        """Degrees from horizontal of the reading direction (image y axis pointing down)."""
        dx, dy = self.box[1] - self.box[0]
        return math.degrees(math.atan2(dy, dx))


class _Models:
    def __init__(self):
        import onnxruntime

        folder = _model_folder()
        options = onnxruntime.SessionOptions()
        # One thread by default (settings.TEXTLINES_THREADS). Without the arena, memory is given back.
        options.intra_op_num_threads = settings.TEXTLINES_THREADS
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3
        providers = ["CPUExecutionProvider"]
        self.detector = onnxruntime.InferenceSession(str(folder / _DETECTOR), options, providers=providers)
        self.recogniser = onnxruntime.InferenceSession(str(folder / _RECOGNISER), options, providers=providers)
        characters = self.recogniser.get_modelmeta().custom_metadata_map["character"].splitlines()
        # Class 0 is the CTC blank; the model's last class is a space.
        self.charset = ["", *characters, " "]
        self.lock = threading.Lock()


def release_memory():
    """Hand the detector's freed buffers back to the system: without it glibc keeps the
    peak of every page in the process, and a worker child only grows."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def unmap_large_buffers():
    """Buffers of a megabyte or more each mapped on their own and given back when freed. By
    default glibc raises that threshold after the first such buffer is freed, and the models'
    later buffers come from the heap, whose freed pieces do not fit the next page's: a worker
    child's first detection then peaked up to 70 MB higher than its next ones."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, 1 << 20)


_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
try:
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.malloc_trim  # noqa: B018  (glibc only)
except (OSError, AttributeError):
    _LIBC = None


def _model_folder():
    """The models folder of the installed rapidocr wheel, found without importing rapidocr
    (whose import pulls in its own configuration and download machinery)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the rapidocr package (text detection and recognition models) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def missing_models():
    """What prevents loading the models ([] when nothing does), without loading them."""
    try:
        folder = _model_folder()
    except ImportError as exc:
        return [str(exc)]
    return [str(folder / name) for name in (_DETECTOR, _RECOGNISER) if not (folder / name).is_file()]


@functools.cache
def models():
    """The detector and recogniser, loaded once per process."""
    return _Models()


def charset():
    """The recogniser's classes: index -> character ("" for the blank)."""
    return models().charset


def as_bgr(image):
    """The BGR uint8 array the models take, from a PIL image, a grayscale array or a BGR array."""
    if hasattr(image, "convert"):
        return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _normalise(bgr):
    return ((bgr.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)


def _order(points):
    """Corners of a rotated rectangle ordered top-left, top-right, bottom-right, bottom-left,
    its long side taken as the reading direction, pointing right."""
    points = np.asarray(points, dtype=np.float32)
    centre = points.mean(axis=0)
    sides = [points[(i + 1) % 4] - points[i] for i in range(4)]
    horizontal = sides[0] if abs(sides[0][0]) >= abs(sides[1][0]) else sides[1]
    vertical = sides[1] if horizontal is sides[0] else sides[0]
    # A short word's box is nearly square: it reads horizontally unless clearly tall.
    long = vertical if np.linalg.norm(vertical) > 1.5 * np.linalg.norm(horizontal) else horizontal
    direction = long / (np.linalg.norm(long) or 1)
    if direction[0] < 0 or (direction[0] == 0 and direction[1] < 0):
        direction = -direction
    normal = np.array([-direction[1], direction[0]])  # pointing down for a rightward line
    along, across = (points - centre) @ direction, (points - centre) @ normal
    half_length, half_height = np.abs(along).max(), np.abs(across).max()
    return np.array([
        centre - half_length * direction - half_height * normal,
        centre + half_length * direction - half_height * normal,
        centre + half_length * direction + half_height * normal,
        centre - half_length * direction + half_height * normal,
    ], dtype=np.float32)  # fmt: skip


def find_boxes(image, max_pixels=MAX_PIXELS, split_stacked=False):
    """(corners, score) of every text line the detector finds, in the image's pixels.

    ``split_stacked``: a region holding lines stacked close together (an MRZ's lines, 8-15 px
    high and a few pixels apart on a blurred photo) is cut into its lines (see ``_stacked_lines``)."""
    bgr = as_bgr(image)
    height, width = bgr.shape[:2]
    scale = min(1.0, (max_pixels / (height * width)) ** 0.5)
    size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
    small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    detector = models().detector
    with models().lock:
        probability = detector.run(None, {detector.get_inputs()[0].name: _normalise(small)[None]})[0][0, 0]
        release_memory()
    mask = cv2.dilate((probability > _PIXEL_THRESHOLD).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    fx, fy = width / size[0], height / size[1]
    boxes = []
    for contour in contours:
        rect = cv2.minAreaRect(contour)
        if min(rect[1]) < 3:
            continue
        region = np.zeros_like(mask)
        cv2.fillPoly(region, [contour], 1)
        score = float(probability[region > 0].mean())
        if score < _BOX_THRESHOLD:
            continue
        lines = (_stacked_lines(probability, region, rect) if split_stacked else None) or [rect]
        for centre, (w, h), angle in lines:
            grow = w * h * _UNCLIP_RATIO / (2 * (w + h))
            corners = cv2.boxPoints((centre, (w + 2 * grow, h + 2 * grow), angle))
            corners[:, 0] *= fx
            corners[:, 1] *= fy
            boxes.append((_order(corners), score))
    return boxes


_GAP_ROW = 0.15  # a row across a region this much less inked than its fullest row lies between two lines


def _stacked_lines(probability, region, rect):
    """The rotated rectangles of the lines a detected region holds when it holds several
    (None when it holds one). The detector joins lines set close together wherever a stroke
    or a blurred character bridges the gap between them, and the region's rectangle then
    spans both. Rows across the region, along its long side, are profiled: between two
    lines they hold next to no text pixels, whatever bridges them in a few columns."""
    (cx, cy), (w, h), angle = rect
    if w < h:  # the long side first: rows run along the text
        w, h, angle = h, w, angle + 90
    if h < 6 or w < 3 * h:
        return None
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[:, 2] += (w / 2 - cx, h / 2 - cy)
    size = (round(w), round(h))
    text = (probability > _PIXEL_THRESHOLD) & (region > 0)
    upright = cv2.warpAffine(text.astype(np.uint8), matrix, size, flags=cv2.INTER_NEAREST)
    rows = upright.mean(axis=1)
    inked = rows > _GAP_ROW * rows.max()
    bands, start = [], None
    for y, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = y
        elif not ink and start is not None:
            if y - start >= 2:
                bands.append((start, y))
            start = None
    if len(bands) < 2:
        return None
    back = cv2.invertAffineTransform(matrix)
    rects = []
    for top, bottom in bands:
        columns = np.flatnonzero(upright[top:bottom].any(axis=0))
        left, right = columns[0], columns[-1] + 1
        centre = back @ np.array([(left + right) / 2, (top + bottom) / 2, 1.0])
        rects.append(((float(centre[0]), float(centre[1])), (float(right - left), float(bottom - top)), angle))
    return rects


def strip(image, box, height=STRIP_HEIGHT):
    """The line inside ``box`` warped to a horizontal strip ``height`` pixels high (BGR)."""
    bgr = as_bgr(image)
    box = np.asarray(box, dtype=np.float32)
    line_height = max(1.0, float(np.linalg.norm(box[3] - box[0])))
    width = max(height, round(float(np.linalg.norm(box[1] - box[0])) * height / line_height))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(box, target)
    return cv2.warpPerspective(bgr, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def recognise(strips, reduce=None):
    """The recogniser's per-step class probabilities (steps x classes) for each strip, or what
    ``reduce`` makes of them. ``reduce`` is applied to each strip's as soon as it is read, and
    only what it returns is kept: a line's probabilities over the 18,710 classes weigh 75 KB
    per step (27 MB for a strip 2,850 px long), and a page's lines held together until the
    last was read made a worker child's peak (190 MB more on a photo whose MRZ lines run on
    into a receipt's)."""
    recogniser = models().recogniser
    name = recogniser.get_inputs()[0].name
    strips = [_to_height(as_bgr(image)) for image in strips]
    order = sorted(range(len(strips)), key=lambda i: strips[i].shape[1])
    out = [None] * len(strips)
    start = 0
    while start < len(order):
        # Strips of similar width go together, each padded to the widest of its group (the
        # padding changes what the recogniser reads, and the readings are tuned on it). Each
        # strip is then run alone: the recogniser's working memory grows with its batch (about
        # 30 MB for one strip, 60-80 MB for three or four), and its output differs only by float
        # rounding (1e-6).
        widest = strips[order[start]].shape[1]
        end = start + 1
        while end < len(order) and strips[order[end]].shape[1] * (end - start + 1) <= _BATCH_WIDTH:
            widest = strips[order[end]].shape[1]
            end += 1
        for index in order[start:end]:
            padded = np.zeros((1, 3, STRIP_HEIGHT, widest), dtype=np.float32)
            padded[0, :, :, : strips[index].shape[1]] = _normalise(strips[index])
            with models().lock:
                probabilities = recogniser.run(None, {name: padded})[0]
                release_memory()
            # Steps past the strip's own width only saw the padding. A copy, so the padded
            # output (steps x 18,710 classes) is freed at once.
            steps = math.ceil(strips[index].shape[1] / widest * probabilities.shape[1])
            own = probabilities[0, : max(1, steps)].copy()
            del probabilities
            out[index] = own if reduce is None else reduce(own)
            del own
        start = end
    return out


def _to_height(image):
    if image.shape[0] == STRIP_HEIGHT:
        return image
    width = max(8, round(image.shape[1] * STRIP_HEIGHT / image.shape[0]))
    interpolation = cv2.INTER_AREA if image.shape[0] > STRIP_HEIGHT else cv2.INTER_CUBIC
    return cv2.resize(image, (width, STRIP_HEIGHT), interpolation=interpolation)


def _greedy(probabilities):
    """(characters, their probabilities) of one strip: the most probable class per step,
    repeats and blanks collapsed as CTC prescribes."""
    classes = probabilities.argmax(axis=1)
    best = probabilities.max(axis=1)
    keep = (classes != _BLANK) & np.concatenate([[True], classes[1:] != classes[:-1]])
    table = charset()
    return [table[c] for c in classes[keep]], best[keep]


def greedy_text(probabilities):
    """(text, confidence) of one strip read greedily; the confidence is the mean of the
    characters kept."""
    characters, best = _greedy(probabilities)
    return "".join(characters).strip(), float(best.mean()) if len(best) else 0.0


def greedy_letters(probabilities):
    """(text, ((character, probability), ...)) of one strip read greedily: how sure the
    recogniser was of each character it wrote."""
    characters, best = _greedy(probabilities)
    return "".join(characters).strip(), tuple(zip(characters, best.tolist()))


def read_region(image, box, margin=REGION_MARGIN, paper=REGION_PAPER, reduce=greedy_text):
    """(text, confidence) the recogniser reads in ``box`` (left, top, right, bottom) of a page
    of dark text on light paper, such as a page prepared for Tesseract (or what ``reduce``
    makes of its probabilities, see ``recognise``): the region is cut a little wider than the
    box, so no stroke is clipped, and set on white paper, so a neighbouring word or line is
    not read with it."""
    left, top, right, bottom = box
    grow = round(margin * (bottom - top))
    width, height = image.size if hasattr(image, "crop") else image.shape[1::-1]
    cut = (max(0, left - grow), max(0, top - grow), min(width, right + grow), min(height, bottom + grow))
    if cut[0] >= cut[2] or cut[1] >= cut[3]:
        return reduce(np.zeros((1, 1), np.float32))  # one step of the blank: nothing read
    if hasattr(image, "crop"):
        region = np.asarray(image.crop(cut).convert("L"))
    else:
        region = image[cut[1] : cut[3], cut[0] : cut[2]]
        region = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY) if region.ndim == 3 else region
    border = round(paper * (bottom - top))
    region = np.pad(region, border, constant_values=255)
    return recognise([region], reduce=reduce)[0]


# Lines whose reading both ways says which way up the page is, the longest found first, on the
# page shrunk to this many pixels: its longest lines are found at a third of the detector's size.
TURN_LINES, TURN_PIXELS = 4, 300_000


def page_turn(image, max_pixels=TURN_PIXELS):
    """Degrees (0, 90, 180 or 270, counter-clockwise) the page must be turned for its text to
    read left to right, upright. The page's longest lines are read as they run and upside down:
    the recogniser is sure of a line only the right way up, and Latin letters turned over read
    as other letters, unsure. A line running down the page (a photo taken sideways) is read
    downwards, so its reading says whether the text runs down or up."""
    bgr = as_bgr(image)
    boxes = sorted((box for box, _ in find_boxes(bgr, max_pixels)), key=lambda b: -np.linalg.norm(b[1] - b[0]))
    boxes = [_downwards(box) for box in boxes[:TURN_LINES]]
    if not boxes:
        return 0
    strips = [strip(bgr, box) for box in boxes]
    readings = recognise([*strips, *(cv2.rotate(line, cv2.ROTATE_180) for line in strips)], reduce=greedy_text)
    votes = {0: 0.0, 90: 0.0, 180: 0.0, 270: 0.0}
    for box, (_, as_runs), (_, turned) in zip(boxes, readings, readings[len(boxes) :]):
        dx, dy = box[1] - box[0]
        down = abs(dy) > abs(dx)
        turn = (90 if as_runs >= turned else 270) if down else (0 if as_runs >= turned else 180)
        votes[turn] += float(np.linalg.norm(box[1] - box[0])) * abs(as_runs - turned)
    return max(votes, key=votes.get)


def _downwards(box):
    """The box's corners of a line running down the page started at its top, so the line is
    read downwards whichever way it leans."""
    dx, dy = box[1] - box[0]
    return np.roll(box, -2, axis=0) if abs(dy) > abs(dx) and dy < 0 else box


def detect_lines(image, max_pixels=MAX_PIXELS):
    """Every text line of a page, top to bottom then left to right, read by the recogniser."""
    bgr = as_bgr(image)
    boxes = sorted((box for box, _ in find_boxes(bgr, max_pixels)), key=lambda b: (round(b[:, 1].mean() / 10), b[0][0]))
    if not boxes:
        return []
    readings = recognise([strip(bgr, box) for box in boxes], reduce=greedy_text)
    lines = []
    for box, (text, confidence) in zip(boxes, readings):
        if text:
            lines.append(TextLine(box=box, text=text, confidence=confidence))
    return lines
