"""Finding the MRZ among the text lines a detector found on a page.

A detector often cuts an MRZ line where a run of ``<`` fillers leaves little ink, so
collinear pieces are merged first. MRZ lines are then the long ones, 2 or 3 of them
parallel, of about the same length, stacked at a regular spacing: the zones are such
chains, the longest first.
"""

import math
from dataclasses import dataclass

import numpy as np

_MIN_ASPECT = 8  # an MRZ line is at least this many times longer than high (30 characters)
_PARALLEL_DEGREES = 4
# Lines this far apart (in box heights) are distinct (closer, ``_collinear`` takes them for pieces
# of one line): a detector's box is about 2.6 times as high as the text it holds, and an MRZ's lines
# may be set barely more than a character height apart.
_MIN_SPACING = 0.3
# Lines set this far apart (in box heights) or more each fit their box alone (the text is about
# 0.4 of the box high); closer, a line's box shrinks with the spacing, so that its neighbours'
# characters stay at the edges of its strip. (Shrinking it to the spacing itself also made the
# strips a third longer to recognise.)
_CLEAR_SPACING = 0.7


@dataclass
class _Segment:
    centre: np.ndarray
    direction: np.ndarray  # unit vector along the line
    length: float
    height: float

    @classmethod
    def of(cls, box):
        direction = box[1] - box[0]
        length = float(np.linalg.norm(direction))
        return cls(box.mean(axis=0), direction / max(length, 1e-6), length, float(np.linalg.norm(box[3] - box[0])))

    @property
    def normal(self):
        return np.array([-self.direction[1], self.direction[0]])

    def corners(self):
        half_along, half_across = self.direction * self.length / 2, self.normal * self.height / 2
        c = self.centre
        return np.array([c - half_along - half_across, c + half_along - half_across,
                         c + half_along + half_across, c - half_along + half_across], dtype=np.float32)  # fmt: skip


def _parallel(a, b):
    return abs(float(np.dot(a.direction, b.normal))) < math.sin(math.radians(_PARALLEL_DEGREES))


def _collinear(a, b):
    """Whether ``b`` continues ``a`` on the same text line, after a gap of a few characters."""
    if not _parallel(a, b) or max(a.height, b.height) > 1.6 * min(a.height, b.height):
        return False
    offset = b.centre - a.centre
    # Pieces of one line sit on it; MRZ lines lie closer together than a detector's box is high, and
    # a paper beside the document may hold text a little off the line: neither is a piece of it.
    if abs(float(np.dot(offset, a.normal))) > 0.3 * min(a.height, b.height):
        return False
    gap = abs(float(np.dot(offset, a.direction))) - (a.length + b.length) / 2
    return gap < 2.5 * a.height


def _merge(a, b):
    """The longer piece extended along its own line over the shorter one (which does not move it
    across: the next piece is judged against the line, not against a drifting union)."""
    long, short = (a, b) if a.length >= b.length else (b, a)
    start, end = _extent(long, long)
    other = _extent(short, long)
    start, end = min(start, other[0]), max(end, other[1])
    return _Segment(long.centre + long.direction * (start + end) / 2, long.direction, float(end - start), long.height)


def merge_collinear(boxes):
    """The boxes with the pieces of one line merged, as segments."""
    segments = [_Segment.of(np.asarray(box, dtype=np.float32)) for box in boxes]
    merged = True
    while merged:
        merged = False
        for i in range(len(segments)):
            for j in range(i + 1, len(segments)):
                if _collinear(segments[i], segments[j]):
                    segments[i] = _merge(segments[i], segments.pop(j))
                    merged = True
                    break
            if merged:
                break
    return segments


def _extent(segment, reference):
    """(start, end) of the segment along the reference line's direction."""
    middle = float(np.dot(segment.centre - reference.centre, reference.direction))
    return middle - segment.length / 2, middle + segment.length / 2


def _stacked(upper, lower):
    """Whether ``lower`` may be another MRZ line of ``upper``'s zone: parallel, one to three
    line heights apart, and lying along the same stretch. A detector often loses the ends of
    a blurred line (or of its filler runs), so one line may be found shorter than the other."""
    if not _parallel(upper, lower) or max(upper.length, lower.length) > 2.5 * min(upper.length, lower.length):
        return False
    across = float(np.dot(lower.centre - upper.centre, upper.normal))
    # The thinner box gives the line height: a detector may grow a line's box over its neighbour.
    height = min(upper.height, lower.height)
    (a0, a1), (b0, b1) = _extent(upper, upper), _extent(lower, upper)
    overlap = min(a1, b1) - max(a0, b0)
    return _MIN_SPACING * height < abs(across) < 3 * height and overlap > 0.8 * min(upper.length, lower.length)


def zones(boxes):
    """Candidate MRZs, the longest lines first: each a list of 2 or 3 line boxes (corners),
    in the order their positions across the lines give (top line first when upright)."""
    segments = [s for s in merge_collinear(boxes) if s.length >= _MIN_ASPECT * s.height]
    found = []
    for i, seed in enumerate(segments):
        stacked = [s for j, s in enumerate(segments) if j != i and _stacked(seed, s)]
        chain = sorted([seed, *stacked], key=lambda s: float(np.dot(s.centre - seed.centre, seed.normal)))
        for count in (3, 2):
            for start in range(len(chain) - count + 1):
                group = chain[start : start + count]
                if _evenly_spaced(group, seed):
                    key = tuple(sorted(id(s) for s in group))
                    if key not in {k for k, _ in found}:
                        found.append((key, group))
    longest = max((s.length for s in segments), default=1.0)
    # Longest lines first; among chains of lines about as long, the one with 3 lines first.
    found.sort(key=lambda item: (-round(np.mean([s.length for s in item[1]]) / (0.05 * longest)), -len(item[1])))
    return [[_spanning(_aligned(s, group[0]), group, _spacing(group)) for s in group] for _, group in found]


def _spacing(group):
    """The distance between the zone's neighbouring lines."""
    positions = sorted(float(np.dot(s.centre - group[0].centre, group[0].normal)) for s in group)
    return float(np.min(np.diff(positions)))


def _evenly_spaced(group, seed):
    positions = [float(np.dot(s.centre - seed.centre, seed.normal)) for s in group]
    gaps = np.diff(positions)
    height = min(s.height for s in group)
    return all(_MIN_SPACING * height < gap < 3 * height for gap in gaps) and (
        len(gaps) < 2 or max(gaps) < 1.4 * min(gaps)
    )


def _aligned(segment, reference):
    """The segment with the reading direction of the zone's first line (so all lines of a zone
    are read the same way round)."""
    if float(np.dot(segment.direction, reference.direction)) < 0:
        return _Segment(segment.centre, -segment.direction, segment.length, segment.height)
    return segment


def _spanning(segment, group, spacing):
    """The corners of the segment stretched along its line to the zone's whole extent: the
    lines of an MRZ start and end together, so a line found in part is read whole. Across the
    line, the box keeps clear of the neighbouring lines (``_CLEAR_SPACING``): lines set closer
    than a detector's box is high would otherwise be read together."""
    reference = group[0]
    extents = [_extent(s, reference) for s in group]
    start, end = min(e[0] for e in extents), max(e[1] for e in extents)
    own = _extent(segment, reference)
    sign = float(np.dot(segment.direction, reference.direction))
    shift = ((start + end) / 2 - (own[0] + own[1]) / 2) * sign
    height = min(segment.height, spacing / _CLEAR_SPACING)
    return _Segment(segment.centre + segment.direction * shift, segment.direction, end - start, height).corners()


def widened(zone):
    """The 3-line zones a 2-line zone may belong to (a TD1 card whose other line the detector
    missed): a line of the same extent added one line spacing above, or below."""
    upper, lower = zone
    step = lower.mean(axis=0) - upper.mean(axis=0)
    return [[upper - step, upper, lower], [upper, lower, lower + step]]


def flipped(zone):
    """The zone read the other way round (the page upside down): lines in reverse order,
    each box's corners turned by 180 degrees."""
    return [np.roll(box, 2, axis=0) for box in reversed(zone)]
