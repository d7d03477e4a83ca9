"""Reading the MRZ of a photographed or scanned identity document.

The text detector finds the lines of the page (``textlines``); the MRZ is the chain
of 2 or 3 long parallel lines (``zone``). Each line is warped to a strip and read by
the recogniser, whose probabilities are decoded under the format's field rules
(``decoding``); the check digits then choose among the likely readings
(``resolving``). A close call is read a second time from a differently enhanced
crop, and the evidence of both readings is added up. A name, which no check digit covers,
read two ways is settled only by the one spelling the page's visual zone prints
(``visual_zone``); so are characters too small to trust alone, by the visual zone printing
the name they spell. What still cannot be settled makes the MRZ unreadable rather than
wrongly read.

A page turned upside down is read the other way round; when no zone reads like an MRZ
and the page's text lines do not all lie level, the page is turned a quarter and searched
again. The whole document has a time budget (``MRZ_TIME_BUDGET_S``).

Only the zone that looks most like an MRZ gets the costly second looks (a second reading
of an enhanced crop, a TD1 card's missed line added): on the generated tuning photos every
MRZ read was read from that zone, and the second looks of the other zones never found one
while they took most of the time of the photos that end unreadable. The other zones are
still read from the recognition that ranked them, which costs nothing more.
"""

import math
import re
import time
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from django.conf import settings

from onboarding.checks import textlines

from . import decoding, formats, resolving, visual_zone, zone
from .formats import FILLER

DEFAULT_TIME_BUDGET_S = 20.0
_CONFIDENT = math.log(100)  # a printed MRZ that fails its check is reported only when read this surely
_MAX_ZONES = 6  # candidate zones whose lines are recognised to pick the MRZ among them
_SLACK = 2
# Characters set closer than this (pixels from one to the next) are too small to be told apart
# surely, whatever their check digits say. On 340 specimen-like scans (MRZ capitals 5-15 px), the 5
# MRZs read wrong yet check-valid (DESTER for OESTER, LINDOVIST for LINDQVIST, 8 and 0 for B and D
# in a number) were all set 5.2-6.6 px apart. On 440 more, drawn with four other seeds and read
# with the twin rule of ``resolving``: under 7 px 2 wrong and 33 right, 7-8 px 2 wrong (LINDOVIST
# again; D and Z read 0 and 2 in one number, cancelling) and 41 right, 8-9 px 1 wrong (ZOB for ZOE)
# and 34 right, from 9 px 231 right. Of 70 phone photos drawn like the tuning and held_out splits,
# none read right was under 8 px (7 were at 8-9 px).
MIN_PITCH = 8.0
# One reading is taken alone only when its check digits hold this much more surely (20 times) for
# it than for the next reading that satisfies them; closer, a second look must confirm it. Two
# misreads can cancel in every check digit (Y and Z read V and 2 in YXF4ZZT2 pass as VXF42ZT2,
# the truth 4.9 times less probable). Of about 230 MRZs read right on generated photos and scans,
# 3 were taken alone between 4 and 20 times surer and are refused now, their second look unsure.
ALONE_MARGIN = math.log(20)
_TD1_WIDTH = formats.SHAPES["TD1"][
    1
]  # characters a recognised line may hold beyond the format's width (doubled fillers)


@dataclass
class MrzReading:
    """What was read; ``mrz`` is None when the characters could not all be settled."""

    lines: list
    mrz: "formats.Mrz | None"
    doubts: list = field(default_factory=list)
    margin: float | None = None  # how much more probable (natural log) the reading is than the next
    timings_ms: dict = field(default_factory=dict)
    stage: str = ""  # where the search stopped (see ``Search``)
    names: list = field(default_factory=list)  # with the name in doubt, the name fields still possible
    numbers: list = field(default_factory=list)  # with the number in doubt (G or 6), the numbers still possible

    @property
    def valid(self):
        return self.mrz is not None and self.mrz.valid


class Search:
    """One document's search: its time budget, and the stage it stopped at, for the reviewer
    and the benchmark: the MRZ read from the most MRZ-like zone (``first_look``, ``second_look``,
    ``widened``) or from another zone (``other_zone``); or nothing read: ``no_zone`` (no chain
    of long parallel lines, on the page turned a quarter too unless its lines lie level),
    ``no_mrz_like_zone`` (chains, none reading like an MRZ), ``unsettled`` (MRZ-like zones read, none settled by its check digits),
    ``too_small`` (an MRZ settled, but its characters closer than ``MIN_PITCH``), ``time_budget``;
    ``visual_zone`` when every check digit held and the name, read two ways, was settled by the
    spelling the document's visual zone prints; ``number_printed`` likewise for a document number
    whose G or 6 its check digits cannot tell; ``small_printed`` when the characters were too
    small to trust alone and the visual zone prints the name they spell; ``number_disputed`` when
    every check digit held but the visual zone prints the number with repeated twins the other way
    (see ``resolving.twin_pairs``)."""

    def __init__(self, seconds=None):
        self.started = time.perf_counter()
        self.deadline = self.started + (_time_budget() if seconds is None else seconds)
        self.stage = ""

    @property
    def spent(self):
        return time.perf_counter() > self.deadline

    def ms(self):
        return round((time.perf_counter() - self.started) * 1000, 1)


def _time_budget():
    return getattr(settings, "MRZ_TIME_BUDGET_S", DEFAULT_TIME_BUDGET_S)


def _enhanced(bgr):
    """A second look: contrast equalised locally and strokes sharpened, which brings the
    characters out of guilloche, glare and shadow differently from the plain crop."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    gray = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(2, 16)).apply(gray)
    blurred = cv2.GaussianBlur(gray, (0, 0), 2)
    sharp = cv2.addWeighted(gray, 1.6, blurred, -0.6, 0)
    return cv2.cvtColor(sharp, cv2.COLOR_GRAY2BGR)


def _grown(box, factor):
    """The box grown across the line by ``factor`` of its height (shrunk when negative)."""
    top, bottom = box[3] - box[0], box[2] - box[1]
    grown = box.copy()
    grown[0] -= top * factor / 2
    grown[3] += top * factor / 2
    grown[1] -= bottom * factor / 2
    grown[2] += bottom * factor / 2
    return grown


def _lengthened(box, factor):
    """The box lengthened past its end by ``factor`` of its length."""
    longer = box.copy()
    longer[1] += (box[1] - box[0]) * factor
    longer[2] += (box[2] - box[3]) * factor
    return longer


def _continues(bgr, lines, folded):
    """Whether the zone's last line runs on past its box by more than a few characters: a
    visa's (MRV-A, 44 characters) lines whose boxes end before their run of fillers read as an
    MRV-B (36), whose line has no composite check digit, every check holding. A box a quarter
    longer holds the 8 characters by which the 2-line formats differ."""
    strip = textlines.strip(bgr, _lengthened(lines[-1], 0.25))
    longer = decoding.greedy_mrz(_recognised([strip])[0])
    return len(longer) > len(decoding.greedy_mrz(folded[-1])) + _SLACK


def _strips(bgr, lines, second_look):
    if second_look:
        # Framed tighter than the detector's box, the characters fill more of the strip. On the
        # MRZ zones of 100 generated photos drawn like the tuning split (74 zones), this crop,
        # enhanced, misread 21 % fewer cells than the plain one (57 % fewer fillers read as "C" or
        # "E"), where the framing widened and stretched by half used before misread 28 % more.
        return [_enhanced(textlines.strip(bgr, _grown(box, -0.25))) for box in lines]
    return [textlines.strip(bgr, box) for box in lines]


def _fold(probabilities):
    return decoding.fold(probabilities, textlines.charset())


def _recognised(strips):
    """The strips' readings folded to the MRZ classes, each as soon as it is read."""
    return textlines.recognise(strips, reduce=_fold)


def _formats(folded):
    """The formats the zone may hold, the likeliest first, judged by line count and length."""
    if len(folded) == 3:
        return ["TD1"]
    length = np.mean([len(decoding.greedy_mrz(f)) for f in folded])
    return ["TD3", "TD2"] if length > 40 else ["TD2", "TD3"]


def _decode_line(folded, allowed, longest):
    """A strip that reads clearly longer than the line also holds other text (a paper lying
    in line with the document): the line is then looked for inside it. Only the longest
    format of a zone may leave text after its end: a shorter one would otherwise fit inside
    a longer MRZ, its check digits holding on a truncated line."""
    free = len(decoding.greedy_mrz(folded)) > len(allowed) + _SLACK
    return decoding.decode_inside(folded, allowed, free_start=free, free_end=free and longest)


def _decode(fmt, folded):
    """Gap matrices of each line decoded in the format, or None when a line cannot hold it;
    visas share the shape of TD2/TD3 and are told apart by their first character, the French
    card (whose line 1 ends in digits) that of TD2 by its first five."""
    longest = fmt in ("TD1", "TD3")
    first = _decode_line(folded[0], decoding.allowed_classes(fmt)[0], longest)
    if first is None:
        return None, fmt
    if first.text.startswith("V"):
        fmt = {"TD3": "MRVA", "TD2": "MRVB"}.get(fmt, fmt)
    elif fmt == "TD2" and first.text.startswith(formats.FRENCH_CARD_PREFIX):
        fmt = "FRA_ID"
        first = _decode_line(folded[0], decoding.allowed_classes(fmt)[0], longest)
        if first is None:
            return None, fmt
    allowed = decoding.allowed_classes(fmt)
    rest = [_decode_line(f, allowed[n], longest) for n, f in enumerate(folded[1:], start=1)]
    if any(d is None for d in rest):
        return None, fmt
    return [first.gaps, *(d.gaps for d in rest)], fmt


def _pitch(lines, fmt):
    """Pixels per character along the zone's lines, read as ``fmt``."""
    return float(np.mean([np.linalg.norm(box[1] - box[0]) for box in lines])) / formats.SHAPES[fmt][1]


def _confident(gaps):
    """Whether every cell's best reading is far ahead of its second."""
    for g in gaps:
        ordered = np.sort(g, axis=1)
        if (ordered[:, 1] - ordered[:, 0] < _CONFIDENT).any():
            return False
    return True


def _read_zone(bgr, lines, folded, search, second_look=True):
    """The reading of one candidate zone from its lines' recognised probabilities, folded;
    a close call is read again from enhanced crops when ``second_look`` allows."""
    second = []
    fallback = None
    for fmt in _formats(folded):
        gaps, fmt = _decode(fmt, folded)
        if gaps is None:
            continue
        resolution = resolving.resolve(fmt, gaps)
        if resolution.resolved and resolution.margin < ALONE_MARGIN:
            resolution = replace(resolution, resolved=False, doubts=["check_digits_close"])
        stage = "first_look"
        if not resolution.resolved and second_look and not search.spent:
            second = second or _recognised(_strips(bgr, lines, second_look=True))
            again, again_fmt = _decode(fmt, second)
            if again is not None and again_fmt == fmt:
                resolution = resolving.resolve(fmt, [a + b for a, b in zip(gaps, again)], readings=2,
                                               each=(gaps, again))  # fmt: skip
                gaps = [a + b for a, b in zip(gaps, again)]
                stage = "second_look"
        # Read surely, yet a check digit fails: the printed MRZ itself is wrong.
        misprinted = all(d.endswith("_check") for d in resolution.doubts) and _confident(gaps)
        settled = resolution.resolved or misprinted
        if settled and _pitch(lines, fmt) < MIN_PITCH:
            return MrzReading(lines=resolution.lines, mrz=None, doubts=[*resolution.doubts, "characters_too_small"],
                              stage="too_small")  # fmt: skip
        if settled and fmt in ("TD2", "MRVB") and _continues(bgr, lines, folded):
            # Refused rather than read again from longer boxes: on the one photo where this
            # happened, the longer strips took in more of the page and read worse.
            resolution.doubts.append("line_continues")
        elif resolution.resolved:
            return MrzReading(lines=resolution.lines, mrz=formats.parse(resolution.lines), margin=resolution.margin,
                              stage=stage)  # fmt: skip
        elif misprinted:
            return MrzReading(lines=resolution.lines, mrz=formats.parse(resolution.lines), doubts=resolution.doubts,
                              stage=stage)  # fmt: skip
        fallback = fallback or MrzReading(lines=resolution.lines, mrz=None, doubts=resolution.doubts,
                                          margin=resolution.margin, stage="unsettled",
                                          names=resolution.names, numbers=resolution.numbers)  # fmt: skip
    return fallback


# What the recogniser reads a filler as: "«" for two of them; upright "Λ" where it takes a
# blurred, slightly tilted "<" for an "A" it cannot make out.
_FILLERS = {"<": 1, "‹": 1, "Λ": 1, "«": 2}
_TURNED_FILLERS = {">": 1, "›": 1, "»": 2}  # the same, the line upside down
_MRZ_LIKE = set(formats.ALPHABET) | set(_FILLERS)
_SHORT_FILLED = 12  # characters a line read with a filler needs (see ``_looks``)


def _filler_score(text, fillers):
    """The line's fillers, a run of them counting fully and a lone one by half: an MRZ pads its
    fields and names with runs of "<", where other capital-and-digit strings (a reference, a
    code on a receipt) hold a lone "<" at most."""
    score = 0.0
    for run in re.findall("[" + re.escape("".join(fillers)) + "]+", text):
        weight = sum(fillers[char] for char in run)
        score += weight if weight >= 2 else weight / 2
    return score


def _looks(probabilities):
    """(how much a line read as-is looks like an MRZ line, how much it does upside down).

    MRZ lines are long runs of capitals, digits and fillers (see ``_FILLERS``), read as one
    word: printed text (a receipt's items, the page's labels) comes in words, whatever its
    letters. A line read shorter holding a filler may still be one: blurred, a run of fillers
    is read as one (the French card's line 1, a short surname and 19 fillers, read in 18
    characters). Turned upside down, a "<" reads as ">"."""
    text, _ = textlines.greedy_text(probabilities)
    if text.count(" ") >= 2:
        return 0.0, 0.0
    text = text.replace(" ", "")
    if len(text) < 20 and not (len(text) >= _SHORT_FILLED and FILLER in text):
        return 0.0, 0.0
    mrz_like = sum(char in _MRZ_LIKE for char in text.upper())
    upright = _filler_score(text, _FILLERS) + len(text) / 10 if mrz_like >= 0.8 * len(text) else 0.0
    return upright, _filler_score(text, _TURNED_FILLERS)


def _looks_and_folded(probabilities):
    return _looks(probabilities), decoding.fold(probabilities, textlines.charset())


def _ranked(page, candidates, readings):
    """(zone lines, their folded probabilities) of the zones that look like an MRZ, the
    likeliest first, each turned the way its fillers say it reads. Every line is recognised
    once, in one batch, and kept in ``readings`` (by box) for the next candidates as how it
    looks and its probabilities folded, each as soon as it is read: the recogniser's own
    (steps x 18,710 classes, about 5-10 MB a line, 27 MB for a line run on into a receipt's)
    would pile up over the batch and a long search. A zone found upside down is recognised
    again (None) when tried."""
    unique = {}
    for lines in candidates:
        for box in lines:
            if box.tobytes() not in readings:
                unique.setdefault(box.tobytes(), box)
    keys = list(unique)
    strips = [textlines.strip(page, unique[k]) for k in keys]
    readings.update(zip(keys, textlines.recognise(strips, reduce=_looks_and_folded)))
    ranked = []
    for lines in candidates:
        looks = [readings[box.tobytes()][0] for box in lines]
        if all(upright > 0 for upright, _ in looks):
            ranked.append((sum(u for u, _ in looks), lines, [readings[box.tobytes()][1] for box in lines]))
        elif sum(d for _, d in looks) >= len(lines):
            ranked.append((sum(d for _, d in looks), zone.flipped(lines), None))
    ranked.sort(key=lambda item: -item[0])
    return [(lines, folded) for _, lines, folded in ranked]


def _card_lines(lines, folded):
    """Whether a zone of 2 lines reads about as long as a TD1 card's lines (30 characters)."""
    lengths = [len(decoding.greedy_mrz(f)) for f in folded]
    return len(lines) == 2 and max(lengths) <= _TD1_WIDTH + _SLACK


def _read_widened(page, lines, search):
    """The TD1 MRZ of a 2-line zone with its missing line added above or below."""
    for widened in zone.widened(lines):
        if search.spent:
            break
        folded = _recognised(_strips(page, widened, second_look=False))
        reading = _read_zone(page, widened, folded, search)
        if reading is not None and reading.mrz is not None:
            reading.stage = "widened"
            return reading
    return None


_UNCHECKED_FIELDS = {name for layout in formats.LAYOUTS.values() for name in layout if not name.endswith("check")}


def with_name(reading, fits):
    """The reading with its name settled, when the name is its only doubt and ``fits`` takes
    exactly one of the spellings its readings left possible (``names``, each the name field
    as printed); None otherwise."""
    if reading.doubts != ["name"]:
        return None
    chosen = [name for name in reading.names if fits(name)]
    return _settled(reading, "name", chosen[0]) if len(chosen) == 1 else None


def _settled(reading, field, value, **changes):
    """The reading with ``field`` as ``value`` and no doubt left, when every check digit then
    holds; None otherwise."""
    cells = formats.LAYOUTS[formats.detect_format(reading.lines)][field]
    lines = list(reading.lines)
    lines[cells.line] = lines[cells.line][: cells.start] + value + lines[cells.line][cells.end :]
    try:
        mrz = formats.parse(lines)
    except formats.InvalidMrz:
        return None
    return replace(reading, lines=lines, mrz=mrz, doubts=[], **changes) if mrz.valid else None


def _settled_by_visual_zone(page, boxes, lines, reading, search):
    """The reading settled by the page's visual zone (see ``visual_zone``), or None: a name read
    two ways, by the one spelling the page prints (stage ``visual_zone``); a document number read
    two ways its check digits cannot tell apart (G or 6, or D or 0 where both readings pass them),
    by the one the page prints (``number_printed``); characters set too close to trust alone,
    every check digit holding, by the page printing the name they spell (``small_printed``)."""
    if (reading.doubts not in (["name"], ["characters_too_small"]) and not reading.numbers) or search.spent:
        return None
    printed_lines = visual_zone.printed_lines(page, boxes, lines)
    if reading.numbers:
        return _number_printed(reading, visual_zone.printed_number(printed_lines, reading.numbers))
    printed = visual_zone.printed_words(printed_lines)
    if reading.doubts == ["characters_too_small"]:
        return _small_printed(reading, printed)
    settled = with_name(
        reading,
        lambda name: visual_zone.prints(printed, name) and not visual_zone.blurred_from_another(name, reading.names),
    )
    if settled is not None:
        settled.stage = "visual_zone"
    return settled


def _small_printed(reading, printed):
    """Small characters are refused for the names they misread, which no check digit covers (see
    ``MIN_PITCH``); a name the visual zone prints too, read there from other glyphs, was read
    right. On 600 generated specimen scans (seeds 91,000-96,000; the bench's ``scans`` split is
    another seed), the visual zone printed the name of 27 of the 107 MRZs refused as too small,
    all 27 read right, and of none of the 7 read wrong."""
    name = formats.LAYOUTS[formats.detect_format(reading.lines)]["name"].read(reading.lines)
    return _settled(reading, "name", name, stage="small_printed") if visual_zone.prints(printed, name) else None


def _number_printed(reading, number):
    """The reading with its document number ``number`` (one of ``reading.numbers``), or None."""
    return None if number is None else _settled(reading, "document_number", number, stage="number_printed")


def _found_unsure(reading):
    """Whether the zone read is the MRZ, every check digit holding, with only cells no check digit
    covers left in doubt, or a number's cells its check digits cannot tell apart, or its characters
    too small to be sure of: no other zone of the page would be the MRZ, so the search stops there."""
    if reading.stage == "too_small" or reading.numbers:
        return True
    return bool(reading.doubts) and all(doubt in _UNCHECKED_FIELDS for doubt in reading.doubts)


_SETTLED_STAGES = ("too_small", "visual_zone", "small_printed", "number_printed")  # kept whichever zone
_LEVEL_LINES = 3  # lines the detector must find before the page's orientation is judged from them
_LEVEL_SHARE = 0.9  # of their length lying within 45 degrees of horizontal


def _level(boxes):
    """Whether the page's text lies level: at least ``_LEVEL_LINES`` boxes at least twice as long
    as high (a short word's or a character's box tells no direction), nearly all of their length
    (``_LEVEL_SHARE``) running within 45 degrees of horizontal. On 80 photos drawn like the
    tuning split (50) and like held_out_3 with another seed (30), every photo turned 90 or 270
    degrees had all such boxes upright and every other photo all level; no MRZ was read on the
    quarter turn of a level page, which cost up to 8 s."""
    level = total = 0.0
    count = 0
    for box in boxes:
        along, across = box[1] - box[0], box[3] - box[0]
        length = float(np.linalg.norm(along))
        if length < 2 * float(np.linalg.norm(across)):
            continue
        count += 1
        total += length
        level += length * (abs(float(along[0])) >= abs(float(along[1])))
    return count >= _LEVEL_LINES and level >= _LEVEL_SHARE * total


def _glance(page, found, recognised, search):
    """The MRZ read at first look from the page's longest zone alone, every check digit holding
    surely; None otherwise, and the search goes on as if this had not been tried (the lines
    recognised are kept in ``recognised``). The longest zone is most often the MRZ, and its
    lines are then the only ones recognised: ranking the page's zones recognised 6-16 lines
    on a phone photo, most of the time of a photo read."""
    if not found or search.spent:
        return None
    ranked = _ranked(page, found[:1], recognised)
    if not ranked or ranked[0][1] is None:
        return None
    reading = _read_zone(page, *ranked[0], search, second_look=False)
    return reading if reading is not None and reading.mrz is not None and not reading.doubts else None


def _undisputed(page, boxes, lines, reading, search):
    """The reading, or an unreadable one when the page's visual zone prints its document number
    with a repeated character read as its twin (see ``resolving.twin_pairs``): both pass every
    check digit, and the visual zone, in another face, tells them apart (stage ``number_disputed``)."""
    if reading.mrz is None or search.spent:
        return reading
    fmt = formats.detect_format(reading.lines)
    variants = resolving.twin_pairs(fmt, reading.lines)
    if not variants:
        return reading
    number = formats.LAYOUTS[fmt]["document_number"].read(reading.lines)
    printed = visual_zone.printed_number(visual_zone.printed_lines(page, boxes, lines), [number, *variants])
    if printed is None or printed == number:
        return reading
    return replace(reading, mrz=None, doubts=["document_number_check"], stage="number_disputed")


def _found(reading, search):
    search.stage = reading.stage
    reading.timings_ms["total"] = search.ms()
    return reading


def read_image(image, search=None):
    """The MRZ read from one page image (PIL or BGR array); None when no MRZ was found.
    ``search`` carries the document's time budget and tells where the search stopped."""
    search = search or Search()
    bgr = textlines.as_bgr(image)
    best = None
    search.stage = "no_zone"
    for turn in (None, cv2.ROTATE_90_CLOCKWISE):
        page = bgr if turn is None else cv2.rotate(bgr, turn)
        boxes = [box for box, _ in textlines.find_boxes(page, split_stacked=True)]
        found = zone.zones(boxes)
        recognised = {}
        glance = _glance(page, found, recognised, search)
        if glance is not None:
            return _found(_undisputed(page, boxes, found[0], glance, search), search)
        first = True  # the page's most MRZ-like zone, the only one given second looks
        # Papers lying around the document may hold longer chains of lines than the MRZ:
        # the zones are recognised a few at a time, the MRZ-like ones of each group read first.
        for start in range(0, len(found), _MAX_ZONES):
            if search.spent:
                break
            for lines, folded in _ranked(page, found[start : start + _MAX_ZONES], recognised):
                # Once its lines are recognised, the likeliest zone's first reading costs next to
                # nothing: a loaded machine that spent the budget on recognising them still reads it.
                if search.spent and not (first and folded is not None):
                    break
                if folded is None:
                    folded = _recognised(_strips(page, lines, second_look=False))
                reading = _read_zone(page, lines, folded, search, second_look=first)
                if (reading is None or reading.mrz is None) and first and _card_lines(lines, folded):
                    reading = _read_widened(page, lines, search) or reading
                if reading is not None and (reading.mrz is not None or _found_unsure(reading)):
                    if reading.mrz is None:
                        reading = _settled_by_visual_zone(page, boxes, lines, reading, search) or reading
                    if not first and reading.stage not in _SETTLED_STAGES:
                        reading.stage = "other_zone"
                    return _found(_undisputed(page, boxes, lines, reading, search), search)
                first = False
                best = best or reading
        if found:
            search.stage = "no_mrz_like_zone" if first else "unsettled"
        # Lines read across a page turned a quarter are detected in pieces, and the papers
        # lying around it may still be found upright: the page is turned unless a zone read
        # like an MRZ, or its text lines all lie level (the page upright or upside down).
        if not first or search.spent or (turn is None and _level(boxes)):
            break
    if search.spent:
        search.stage = "time_budget"
    if best is not None:
        best.stage = search.stage
        best.timings_ms["total"] = search.ms()
    return best


def read_pages(pages, search=None):
    """The MRZ of a document's pages (the MRZ is often on the last one, a card's back),
    within one time budget; None when no page shows one. ``search`` tells where it stopped."""
    search = search or Search()
    best = None
    for page in reversed(pages):
        reading = read_image(page, search)
        if reading is not None and reading.mrz is not None:
            return reading
        best = best or reading
        if search.spent:
            break
    return best
