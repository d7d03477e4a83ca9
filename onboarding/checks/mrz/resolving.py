"""Letting the check digits choose among the likely readings of an MRZ.

Each cell comes with its alternatives and how much less probable each makes the
line (see ``decoding``). Within each field a check digit covers, the combinations
of alternatives that satisfy it are kept (dates must also be dates); across fields
the composite check digit must hold too. The most probable combination is taken
only when it is clearly more probable than the next one (``MARGIN``): characters
whose values differ by a multiple of 10 (S and 8, P and F, < and 0) pass the same
check digit, so the check digits alone cannot tell them apart.

The recogniser's odds against a character's look-alike ("2" and "Z", "0" and "D") are trusted
only so far: a reading the check digits pulled from the recogniser's must also clearly beat the
reading where a look-alike was misread instead.

Cells no check digit covers (names, nationality, sex, document code) are taken only
when their best reading clearly wins; country fields must hold a code ICAO knows.
A doubt anywhere makes the reading unresolved rather than wrong.
"""

import functools
import heapq
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from . import formats
from .decoding import ALPHABET
from .formats import FILLER

MARGIN = math.log(4)  # the best reading must be at least 4 times as probable as the next
# A cell whose alternative passes the same check digits (values 10 apart: S/8, G/6, P/F, </0/A/K)
# or that no check digit covers must be read more surely than that.
UNCHECKED_MARGIN = math.log(8)
_HORIZON = math.log(1000)  # alternatives less probable than this are not considered
# How far the check digits may pull a reading from the recogniser's own best one: beyond that
# (40 times less probable), two confident misreads whose weights cancel modulo 10 would pass
# every check digit, so the line is refused rather than "corrected" into a wrong value.
MAX_CORRECTION = math.log(40)
_PER_CELL = 4
_PER_GROUP = 6
_PER_SUM = 12  # readings kept per partial check-digit sum while searching a field
_TD1_OVERFLOW = 7  # characters a TD1 number may run on beyond 9 into the optional data
_WEIGHTS = (7, 3, 1)


@dataclass
class Resolution:
    lines: list  # the chosen lines (the best reading when nothing could be chosen)
    resolved: bool  # every check digit holds and nothing is in doubt
    margin: float  # natural log of best / runner-up among the check-satisfying readings
    doubts: list = field(default_factory=list)  # what could not be settled
    # With the name in doubt: the name fields the readings leave possible, each as printed in the
    # name's cells (something else the document or the applicant says may settle which).
    names: list = field(default_factory=list)
    # With the document number in doubt alone, between characters its check digits cannot tell apart
    # (G and 6) or readings passing them all (D or 0): the numbers still possible, as printed in its field.
    numbers: list = field(default_factory=list)


def _alternatives(gaps, horizon=_HORIZON):
    """Per cell: (character, gap) of the likely classes, the best first."""
    cells = []
    for row in gaps:
        order = np.argsort(row)[:_PER_CELL]
        cells.append([(ALPHABET[i], float(row[i])) for i in order if row[i] < horizon])
    return cells


def _groups(fmt):
    """(name, cells, test, shapes) for each field a check digit covers; ``test`` takes the lines.

    ``shapes`` say how the check digit holds over the cells, for the search: each is
    (weighted cells, check digit cell or None, cells forced to a character); a cell weighed 0
    is free (covered by the composite check only)."""
    spans = formats.check_digit_spans(fmt)
    groups = []
    for name, (covered, digit, _may_be_empty) in spans.items():
        if name == "composite_check":
            continue
        data = [(line, i) for line, start, end in covered for i in range(start, end)]
        shape = (_weighed(data), (digit.line, digit.start), {})
        groups.append((name, [*data, (digit.line, digit.start)], _field_test(fmt, name), [shape]))
    if fmt == "TD1":
        # A number longer than 9 characters continues in the optional data, its check digit after it.
        groups = [g for g in groups if g[0] != "document_number_check"]
        groups.append(("document_number_check", [(0, i) for i in range(5, 30)], _td1_number_ok, _td1_shapes()))
    if "composite_check" in spans:
        grouped = {cell for _, cells, _, _ in groups for cell in cells}
        covered, digit, _ = spans["composite_check"]
        rest = [(line, i) for line, start, end in covered for i in range(start, end) if (line, i) not in grouped]
        if rest:
            groups.append(("optional_data", rest, lambda lines: True, [([(cell, 0) for cell in rest], None, {})]))
    return groups


def _weighed(cells):
    return [(cell, _WEIGHTS[n % 3]) for n, cell in enumerate(cells)]


def _td1_shapes():
    """A TD1 number of 9 characters with its check digit, or one continued in the optional
    data: "<" in the check digit's place, the overflow, its check digit, then "<"."""
    number = [(0, i) for i in range(5, 14)]
    shapes = [(_weighed(number) + [((0, i), 0) for i in range(15, 30)], (0, 14), {})]
    for overflow in range(1, _TD1_OVERFLOW + 1):
        end = 15 + overflow  # the check digit's cell
        rest = [((0, i), 0) for i in range(end + 2, 30)]
        forced = {(0, 14): FILLER, **({(0, end + 1): FILLER} if end + 1 < 30 else {})}
        shapes.append((_weighed(number + [(0, i) for i in range(15, end)]) + rest, (0, end), forced))
    return shapes


def _field_test(fmt, name):
    covered, digit, may_be_empty = formats.check_digit_spans(fmt)[name]
    line, start, end = covered[0]
    is_date = name in ("birth_date_check", "expiry_date_check")

    def test(lines):
        data = lines[line][start:end]
        if is_date and formats.parse_date(data, birth=True) is None:
            return False
        return formats.check_digit_matches(data, digit.read(lines), may_be_empty)

    return test


def _td1_number_ok(lines):
    return formats._td1_document_number(lines)[2]


def _composite_ok(fmt, lines):
    """Whether the composite check digit holds, and the fields that repeat one another agree (the
    French card's department, in its number and in its issuing office)."""
    if fmt == "FRA_ID" and not formats.french_card_consistent(lines):
        return False
    spans = formats.check_digit_spans(fmt)
    if "composite_check" not in spans:
        return True
    covered, digit, _ = spans["composite_check"]
    data = "".join(lines[line][start:end] for line, start, end in covered)
    return formats.check_digit_matches(data, digit.read(lines))


def _with(lines, assignment):
    out = [list(line) for line in lines]
    for (line, i), char in assignment:
        out[line][i] = char
    return ["".join(line) for line in out]


def _group_readings(lines, test, shapes, alternatives, horizon):
    """The readings of a group's cells that pass its test, as (gap, assignment), best first.

    Per shape, the likeliest readings satisfying the check digit are found by dynamic
    programming over the weighted sum modulo 10 (the ``_PER_SUM`` best per partial sum),
    then the group's own test (dates are dates, a long number's layout) decides."""
    found = []
    for weighed, digit, forced in shapes:
        cells = [cell for cell, _ in weighed]
        forced_gap = 0.0
        for (line, i), char in forced.items():
            gap = dict(alternatives[line][i]).get(char)
            if gap is None:
                break
            forced_gap += gap
        else:
            for gap, chars in _readings(weighed, digit, alternatives, forced, horizon):
                assignment = [*zip(cells, chars[: len(cells)]), *forced.items()]
                if digit is not None:
                    assignment.append((digit, chars[-1]))
                if test(_with(lines, assignment)):
                    found.append((gap + forced_gap, assignment))
    found.sort(key=lambda item: item[0])
    return found[:_PER_GROUP]


def _readings(weighed, digit, alternatives, forced, horizon):
    """(gap, characters) of the cells then the check digit, best first: those whose weighted
    sum modulo 10 is the check digit (any, without one). Filler-only fields may carry "<"."""
    options = [[(c, g) for c, g in alternatives[line][i] if not (forced and c == FILLER and weight)]
               for (line, i), weight in weighed]  # fmt: skip
    partial = {0: [(0.0, ())]}
    for choices, (_, weight) in zip(options, weighed):
        following = {}
        for total, readings in partial.items():
            for gap, chars in readings:
                for char, cost in choices:
                    if gap + cost < horizon:
                        key = (total + formats.char_value(char) * weight) % 10
                        following.setdefault(key, []).append((gap + cost, (*chars, char)))
        partial = {key: heapq.nsmallest(_PER_SUM, readings) for key, readings in following.items()}
    if digit is None:
        return heapq.nsmallest(_PER_SUM, [r for readings in partial.values() for r in readings])
    found = []
    for char, cost in alternatives[digit[0]][digit[1]]:
        if char.isdigit():
            found += [(gap + cost, (*chars, char)) for gap, chars in partial.get(int(char), []) if gap + cost < horizon]
        elif all(FILLER in dict(choices) for choices in options):
            empty = sum(dict(choices)[FILLER] for choices in options)
            found.append((empty + cost, (FILLER,) * (len(options) + 1)))
    return sorted(found)


def _country(lines, fmt, name, alternatives, readings):
    """(code chars assignment, doubt or None): the known code clearly most probable in the field."""
    fld = formats.LAYOUTS[fmt][name]
    cells = [(fld.line, i) for i in range(fld.start, fld.end)]
    codes = []
    for combo in itertools.product(*[alternatives[line][i] for line, i in cells]):
        code = "".join(char for char, _ in combo)
        if formats.is_country_code(code) and not code.startswith(formats.FILLER):
            codes.append((sum(gap for _, gap in combo), code))
    codes.sort()
    if not codes:
        return [], name
    if len(codes) > 1 and codes[1][0] - codes[0][0] < UNCHECKED_MARGIN * readings:
        return [], name
    return list(zip(cells, codes[0][1])), None


def resolve(fmt, gaps, readings=1, each=()):
    """The lines chosen from each line's gap matrix (cells x 37, see ``decoding``): the sum
    over ``readings`` independent readings, each of which must carry its share of the margins.
    ``each`` holds the readings' own gap matrices, when several are summed: a name is taken
    only when every reading alone reads it alike (see ``_name``)."""
    alternatives = [_alternatives(g) for g in gaps]
    best = _best(gaps)
    failing, passing = _passing(fmt, best, alternatives, _HORIZON)
    if failing:
        return Resolution(lines=best, resolved=False, margin=0.0, doubts=failing)
    if not passing:
        return Resolution(lines=best, resolved=False, margin=0.0, doubts=["composite_check"])
    margin = passing[1][0] - passing[0][0] if len(passing) > 1 else _HORIZON
    twin_margin, with_twins = _twin_margin(fmt, gaps, readings, passing[0])
    margin = min(margin, twin_margin)
    lines = passing[0][1]
    doubts = [] if margin >= MARGIN * readings else ["check_digits_ambiguous"]
    if passing[0][0] > MAX_CORRECTION * readings:
        doubts.append("corrected_too_far")
    layout = formats.LAYOUTS[fmt]
    for name in ("issuing_country", "nationality"):
        if name in layout:
            assignment, doubt = _country(lines, fmt, name, alternatives, readings)
            lines = _with(lines, assignment)
            doubts += [doubt] if doubt else []
    names = []
    for name in _checked_names(fmt):
        if _checked_name_odds(fmt, alternatives, lines, name) < UNCHECKED_MARGIN * readings:
            doubts.append(name)
            if name == "name":  # the surname's likely readings, for something else to settle
                names = [text for _, text in _name_readings(fmt, alternatives, name)[:_NAME_CANDIDATES]]
    for name in _NAME_FIELDS:
        if name not in layout or name in _checked_names(fmt):
            continue
        assignment, doubt = _name(fmt, alternatives, readings, field=name)
        if not doubt and any(_name(fmt, [_alternatives(g) for g in alone], 1, margin=0.0, field=name)[0] != assignment
                             for alone in each):  # fmt: skip
            doubt = name
        if doubt == "name":
            names = _close_names(fmt, alternatives, readings, each)
        lines = _with(lines, assignment)
        doubts += [doubt] if doubt else []
    doubts += _unchecked_doubts(fmt, alternatives, UNCHECKED_MARGIN * readings)
    doubts += _invisible_doubts(fmt, lines, alternatives, UNCHECKED_MARGIN * readings)
    numbers = []
    if doubts == ["document_number_check"]:
        numbers = _close_numbers(fmt, lines, alternatives, UNCHECKED_MARGIN * readings)
    elif doubts == ["check_digits_ambiguous"]:
        numbers = _ambiguous_numbers(fmt, passing[0][1], sorted(passing + with_twins), MAX_CORRECTION * readings)
    return Resolution(lines=lines, resolved=not doubts, margin=margin, doubts=doubts, names=names, numbers=numbers)


def _best(gaps):
    return ["".join(ALPHABET[i] for i in g.argmin(axis=1)) for g in gaps]


def _passing(fmt, best, alternatives, horizon):
    """(the check-digit fields no reading satisfies, the readings that satisfy every check digit
    as (gap, lines), the likeliest first), from the best lines and each cell's alternatives."""
    if _checked_names(fmt):
        return _passing_with_names(fmt, best, alternatives, horizon)
    return _passing_fields(fmt, best, alternatives, horizon)


_NAME_CANDIDATES = 3  # readings of each name field a composite check digit covers that are tried


@functools.cache
def _checked_names(fmt):
    """The name fields the format's composite check digit covers (the French card's)."""
    spans = formats.check_digit_spans(fmt).get("composite_check")
    covered = {(line, i) for line, start, end in spans[0] for i in range(start, end)} if spans else set()
    layout = formats.LAYOUTS[fmt]
    return tuple(name for name in _NAME_FIELDS if name in layout
                 and all((layout[name].line, i) in covered for i in range(layout[name].start, layout[name].end)))  # fmt: skip


def _passing_with_names(fmt, best, alternatives, horizon):
    """``_passing`` where the composite check digit covers the names: each likely reading of the
    names that reads as a name (see ``_name_readings``) is set in place, and the check digits
    choose among those too: a misread letter fails the composite check unless another misread
    cancels it, which the margin between readings weighs (and ``_checked_name_odds`` how likely
    such a cancelling reading is where many cells are in doubt)."""
    layout = formats.LAYOUTS[fmt]
    fields = [layout[name] for name in _checked_names(fmt)]
    candidates = [_name_readings(fmt, alternatives, name)[:_NAME_CANDIDATES] for name in _checked_names(fmt)]
    unnamed = [name for name, found in zip(_checked_names(fmt), candidates) if not found]
    if unnamed:
        return unnamed, []
    failing, passing = [], []
    for combo in itertools.product(*candidates):
        pinned = [list(cells) for cells in alternatives]
        assignment = []
        for fld, (_, text) in zip(fields, combo):
            for offset, char in enumerate(text):
                pinned[fld.line][fld.start + offset] = [(char, 0.0)]
                assignment.append(((fld.line, fld.start + offset), char))
        names_gap = sum(gap for gap, _ in combo)
        failed, found = _passing_fields(fmt, _with(best, assignment), pinned, horizon - names_gap)
        failing = failing or failed
        passing += [(names_gap + gap, lines) for gap, lines in found]
    passing.sort(key=lambda item: item[0])
    return ([], passing) if passing else (failing, [])


def _checked_name_odds(fmt, alternatives, lines, name):
    """How much more probable (natural log) the name chosen in a field the composite check digit
    covers is than all the other readings of it that would pass that check too. A reading with one
    cell changed passes it only when the two characters' values differ by a multiple of 10 (A
    and "<", O and E); a reading with several changed passes it about once in ten. A single
    check digit over a long field is weak evidence: where many cells are in doubt (fillers read
    "C", "K" or "S" now and then), some wrong reading passes it by chance. The readings are
    counted by multiplying out each cell's alternatives (an upper bound: not all read as names)."""
    fld = formats.LAYOUTS[fmt][name]
    log_all = single = single_passing = 0.0  # each relative to the chosen reading's probability
    for i in range(fld.start, fld.end):
        options = dict(alternatives[fld.line][i])
        chosen = lines[fld.line][i]
        own = options.get(chosen, _HORIZON)
        others = {char: math.exp(own - gap) for char, gap in options.items() if char != chosen}
        log_all += math.log1p(sum(others.values()))
        single += sum(others.values())
        value = formats.char_value(chosen)
        single_passing += sum(odds for char, odds in others.items() if (formats.char_value(char) - value) % 10 == 0)
    several = max(0.0, math.exp(log_all) - 1.0 - single)
    passing = single_passing + several / 10
    return _HORIZON if passing <= 0 else -math.log(passing)


def _passing_fields(fmt, best, alternatives, horizon):
    groups = _groups(fmt)
    per_group = [_group_readings(best, test, shapes, alternatives, horizon) for _, _, test, shapes in groups]
    failing = [name for (name, *_), found in zip(groups, per_group) if not found]
    if failing:
        return failing, []
    passing = []
    for combo in itertools.product(*per_group):
        assignment = [cell for _, cells in combo for cell in cells]
        lines = _with(best, assignment)
        if _composite_ok(fmt, lines):
            passing.append((sum(gap for gap, _ in combo), lines))
    passing.sort(key=lambda item: item[0])
    return [], passing


# Characters OCR-B draws alike (a digit and a letter, or round letters): a recogniser reading
# small print sometimes reads one for the other surely, and the check digits then "correct" another
# cell to make up for it (FUDD99ZB read FUDD992B, its B turned into an 8 by the check digit: FUDD9928
# passed). Its odds against a twin are trusted up to ``TWIN_GAP`` only, when weighing the chosen
# reading against the next. On 200 specimen-like scans drawn with a seed of their own, this refused
# 1 of the 2 readings accepted wrong with characters 7 px apart or more (the other, two twins misread
# that cancel out, was taken with no correction) and 1 of 140 read right; 70 phone photos drawn like
# the tuning and held_out splits were read alike (at 20 to 1, 2 more read right were refused).
# G and 6 are twins too, but their values differ by 10: one read for the other passes the same check
# digits, so no correction makes up for it (``_invisible_doubts`` weighs them). The twins here each
# change a check digit: a reading made without correction stays at least twice ``TWIN_GAP`` ahead,
# above every threshold (two twins would have to be misread together, which this cannot tell).
TWINS = ["0ODQ", "1I", "2Z", "5S", "8B"]
TWIN_GAP = math.log(25)
_TWIN_CLASSES = {ALPHABET.index(a): [ALPHABET.index(b) for b in group if b != a] for group in TWINS for a in group}


def twin_pairs(fmt, lines):
    """The document numbers that read the number's neighbouring twin characters the other way
    (5515 for SS15), where they pass its check digits as well: a character repeated in cells
    weighed 7 and 3 (the first two of each three) misread alike in both changes the weighted sum
    by 10 times the difference, nothing modulo 10. The recogniser misreads a glyph repeated side
    by side alike and surely (SS read 55 with no S in sight), so its odds say nothing there."""
    number = formats.LAYOUTS[fmt]["document_number"].read(lines)
    variants = []
    for i in range(0, len(number) - 1, 3):
        char = number[i]
        if char != number[i + 1]:
            continue
        for group in TWINS:
            if char in group:
                variants += [number[:i] + twin * 2 + number[i + 2 :] for twin in group if twin != char]
    return variants


def _twins_close(gaps, readings):
    """The gap matrices with the twins of each cell's best character at most ``TWIN_GAP`` (per
    reading) behind it, where the cell admits them."""
    capped = []
    for g in gaps:
        g = g.copy()
        for cell, best in enumerate(g.argmin(axis=1)):
            for twin in _TWIN_CLASSES.get(int(best), ()):
                if np.isfinite(g[cell, twin]):  # infinite where the field does not admit it
                    g[cell, twin] = min(g[cell, twin], g[cell, best] + TWIN_GAP * readings)
        capped.append(g)
    return capped


def _twin_margin(fmt, gaps, readings, chosen):
    """(How much more probable the chosen (gap, lines) is than the next reading satisfying every
    check digit, with the twins of the characters read brought close (``_twins_close``), those
    readings as (gap, lines)). The twins only make the choice closer: a reading is never chosen
    for a twin read surely."""
    horizon = _HORIZON * readings
    capped = _twins_close(gaps, readings)
    _, passing = _passing(fmt, _best(capped), [_alternatives(g, horizon) for g in capped], horizon)
    gap, lines = chosen
    own = min((g for g, other in passing if other == lines), default=gap)
    others = [g for g, other in passing if other != lines]
    return (max(0.0, others[0] - own) if others else _HORIZON), passing


def _invisible_doubts(fmt, lines, alternatives, margin):
    """Checked fields holding a cell whose close alternative the check digits cannot see."""
    doubts = []
    layout = formats.LAYOUTS[fmt]
    names = {(layout[n].line, i) for n in _checked_names(fmt) for i in range(layout[n].start, layout[n].end)}
    for name, cells, _, _ in _groups(fmt):
        for line, i in cells:
            if (line, i) in names:  # weighed as whole names by ``_passing_with_names``
                continue
            options = dict(alternatives[line][i])
            chosen = lines[line][i]
            value = formats.char_value(chosen)
            if any(char != chosen and (formats.char_value(char) - value) % 10 == 0
                   and gap - options.get(chosen, 0.0) < margin for char, gap in options.items()):  # fmt: skip
                doubts.append(name)
                break
    return doubts


_MAX_NUMBERS = 4


def _close_numbers(fmt, lines, alternatives, margin):
    """The document numbers (the field as printed) a reading leaves possible when its number holds
    characters whose close alternatives pass the same check digits (G or 6): every combination of
    them, up to ``_MAX_NUMBERS``; none when the doubt lies outside the number's own field (a TD1
    number continued in the optional data)."""
    fld = formats.LAYOUTS[fmt]["document_number"]
    cells = []
    for i in range(fld.start, fld.end):
        chosen = lines[fld.line][i]
        options = dict(alternatives[fld.line][i])
        value = formats.char_value(chosen)
        cells.append([chosen] + [char for char, gap in options.items() if char != chosen
                                 and (formats.char_value(char) - value) % 10 == 0
                                 and gap - options.get(chosen, 0.0) < margin])  # fmt: skip
    if all(len(options) == 1 for options in cells) or math.prod(len(options) for options in cells) > _MAX_NUMBERS:
        return []
    return ["".join(combo) for combo in itertools.product(*cells)]


def _ambiguous_numbers(fmt, best, passing, window):
    """The document numbers of the readings passing every check digit within ``window`` of the
    likeliest (twins brought close or not, see ``_twin_margin``), when they differ from the ``best``
    lines in the number's own field alone (D or 0, B or 8, whose misreads can cancel out); none
    when they differ anywhere else."""
    fld = formats.LAYOUTS[fmt]["document_number"]
    numbers = []
    for gap, lines in passing:
        if gap - passing[0][0] >= window:
            break
        for line, (ours, theirs) in enumerate(zip(best, lines)):
            outside = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
            if any(line != fld.line or not fld.start <= i < fld.end for i in outside):
                return []
        numbers.append(fld.read(lines))
    numbers = list(dict.fromkeys(numbers))
    return numbers if 1 < len(numbers) <= _MAX_NUMBERS else []


# A name field: the primary identifier, its components joined by one filler, then "<<" and the
# secondary identifier likewise, then filler to the end. As states read character by character:
# (state, letter or filler) -> next state; a name starts with a letter, and only "<<" may open
# the secondary identifier.
_ICAO_NAME_STEPS = {
    ("primary", "letter"): "primary", ("primary", FILLER): "primary<",
    ("primary<", "letter"): "primary", ("primary<", FILLER): "primary<<",
    ("primary<<", "letter"): "secondary", ("primary<<", FILLER): "filler",
    ("secondary", "letter"): "secondary", ("secondary", FILLER): "secondary<",
    ("secondary<", "letter"): "secondary", ("secondary<", FILLER): "filler",
    ("filler", FILLER): "filler",
}  # fmt: skip
# The French card's surname (words joined by one filler) and given names (joined by two), each
# alone in its field, then filler to the end (or cut at the field's end).
_SURNAME_STEPS = {
    ("primary", "letter"): "primary", ("primary", FILLER): "primary<",
    ("primary<", "letter"): "primary", ("primary<", FILLER): "filler",
    ("filler", FILLER): "filler",
}  # fmt: skip
_GIVEN_NAMES_STEPS = {
    **_SURNAME_STEPS,
    ("primary<", FILLER): "primary<<",
    ("primary<<", "letter"): "primary", ("primary<<", FILLER): "filler",
}  # fmt: skip
_NAME_STEPS = {"name": _ICAO_NAME_STEPS, "surname": _SURNAME_STEPS, "given_names": _GIVEN_NAMES_STEPS}
_NAME_FIELDS = ("name", "given_names")  # the layouts' fields holding names


def _name_readings(fmt, alternatives, field="name"):
    """(gap, text) of the possible readings of a name field, the likeliest first: the two best
    of each state (the states are deterministic, so two readings reaching a state differ, and the
    two best overall are among the two best of each state)."""
    fld = formats.LAYOUTS[fmt][field]
    steps = _NAME_STEPS[fld.kind]
    best = {"start": [(0.0, "")]}
    for i in range(fld.start, fld.end):
        following = {}
        for state, readings_so_far in best.items():
            for char, cost in alternatives[fld.line][i]:
                kind = FILLER if char == FILLER else "letter" if char.isalpha() else None
                nxt = "primary" if state == "start" and kind == "letter" else steps.get((state, kind))
                if nxt is not None:
                    following.setdefault(nxt, []).extend((gap + cost, text + char) for gap, text in readings_so_far)
        best = {state: heapq.nsmallest(2, found) for state, found in following.items()}
    return sorted(reading for readings_so_far in best.values() for reading in readings_so_far)


def _close_names(fmt, alternatives, readings, each):
    """The name fields a doubt leaves possible: those read within ``UNCHECKED_MARGIN`` of the
    best, and each reading's own best; none when even the best is far from what was read."""
    found = _name_readings(fmt, alternatives)
    if not found or found[0][0] > MAX_CORRECTION * readings:
        return []
    names = [text for gap, text in found if gap - found[0][0] < UNCHECKED_MARGIN * readings]
    for alone in each:
        own = _name_readings(fmt, [_alternatives(g) for g in alone])
        if own and own[0][0] <= MAX_CORRECTION:
            names.append(own[0][1])
    return list(dict.fromkeys(names))


def _name(fmt, alternatives, readings, margin=UNCHECKED_MARGIN, field="name"):
    """(name cells assignment, doubt or None): the likeliest reading of the name field that is
    a possible name, taken only when clearly ahead of the next possible one.

    Blurred small print reads the fillers after a name as "C" or "E" now and then; a letter
    amid the filler is no name, so the structure of the field is evidence for the filler.
    It settles nothing where two possible names stay close ("MARIA" and "MARIAC" when the
    cell after the name is in doubt, "Q" and "O" inside it): no check digit covers a name.
    Summed over two readings, one reading sure of an "O" outweighs another that reads a "Q" less
    surely, and the enhanced crop of the second reading loses a Q's small tail: so two readings
    must each read the same name (``resolve``'s ``each``)."""
    fld = formats.LAYOUTS[fmt][field]
    found = _name_readings(fmt, alternatives, field)
    if not found or found[0][0] > MAX_CORRECTION * readings:
        return [], field
    if len(found) > 1 and found[1][0] - found[0][0] < margin * readings:
        return [], field
    return list(zip([(fld.line, i) for i in range(fld.start, fld.end)], found[0][1])), None


def _unchecked_doubts(fmt, alternatives, margin):
    """Fields no check digit covers (but the name and countries, settled on their own) whose
    reading has a close second somewhere."""
    checked = {cell for _, cells, _, _ in _groups(fmt) for cell in cells}
    spans = formats.check_digit_spans(fmt)
    if "composite_check" in spans:
        covered, digit, _ = spans["composite_check"]
        checked |= {(line, i) for line, start, end in covered for i in range(start, end)}
        checked.add((digit.line, digit.start))
    doubts = []
    for name, fld in formats.LAYOUTS[fmt].items():
        if name in ("issuing_country", "nationality", *_NAME_FIELDS):
            continue
        for i in range(fld.start, fld.end):
            options = alternatives[fld.line][i]
            if (fld.line, i) in checked:
                continue
            if not options or any(gap - options[0][1] < margin for _, gap in options[1:]):
                doubts.append(name)
                break
    return doubts
