"""Letting the check digits choose among the likely readings of an MRZ.

Each cell comes with its alternatives and how much less probable each makes the
line (see ``decoding``). Within each field a check digit covers, the combinations
of alternatives that satisfy it are kept (dates must also be dates); across fields
the composite check digit must hold too. The most probable combination is taken
only when it is clearly more probable than the next one (``MARGIN``): characters
whose values differ by a multiple of 10 (S and 8, P and F, < and 0) pass the same
check digit, so the check digits alone cannot tell them apart.

Cells no check digit covers (names, nationality, sex, document code) are taken only
when their best reading clearly wins; country fields must hold a code ICAO knows.
A doubt anywhere makes the reading unresolved rather than wrong.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from . import formats
from .decoding import ALPHABET

MARGIN = math.log(4)  # the best reading must be at least 4 times as probable as the next
# A cell whose alternative passes the same check digits (values 10 apart: S/8, G/6, P/F, </0/A/K)
# or that no check digit covers must be read more surely than that.
UNCHECKED_MARGIN = math.log(8)
_HORIZON = math.log(1000)  # alternatives less probable than this are not considered
_PER_CELL = 4
_PER_GROUP = 6
_MAX_VISITS = 20000


@dataclass
class Resolution:
    lines: list  # the chosen lines (the best reading when nothing could be chosen)
    resolved: bool  # every check digit holds and nothing is in doubt
    margin: float  # natural log of best / runner-up among the check-satisfying readings
    doubts: list = field(default_factory=list)  # what could not be settled


def _alternatives(gaps):
    """Per cell: (character, gap) of the likely classes, the best first."""
    cells = []
    for row in gaps:
        order = np.argsort(row)[:_PER_CELL]
        cells.append([(ALPHABET[i], float(row[i])) for i in order if row[i] < _HORIZON])
    return cells


def _groups(fmt):
    """(name, cells, test) for each field a check digit covers; ``test`` takes the lines."""
    spans = formats.check_digit_spans(fmt)
    groups = []
    for name, (covered, digit, _may_be_empty) in spans.items():
        if name == "composite_check":
            continue
        cells = [(line, i) for line, start, end in covered for i in range(start, end)] + [(digit.line, digit.start)]
        groups.append((name, cells, _field_test(fmt, name)))
    if fmt == "TD1":
        # A number longer than 9 characters continues in the optional data, its check digit after it.
        groups = [g for g in groups if g[0] != "document_number_check"]
        groups.append(("document_number_check", [(0, i) for i in range(5, 30)], _td1_number_ok))
    if "composite_check" in spans:
        grouped = {cell for _, cells, _ in groups for cell in cells}
        covered, digit, _ = spans["composite_check"]
        rest = [(line, i) for line, start, end in covered for i in range(start, end) if (line, i) not in grouped]
        if rest:
            groups.append(("optional_data", rest, lambda lines: True))
    return groups


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


def _group_readings(lines, cells, test, alternatives):
    """The readings of a group's cells that pass its test, as (gap, assignment), best first."""
    options = [alternatives[line][i] for line, i in cells]
    if any(not option for option in options):
        return []
    found = []
    visits = [0]

    def search(index, gap, chosen):
        visits[0] += 1
        if gap >= _HORIZON or visits[0] > _MAX_VISITS:
            return
        if index == len(cells):
            assignment = list(zip(cells, chosen))
            if test(_with(lines, assignment)):
                found.append((gap, assignment))
            return
        for char, cost in options[index]:
            search(index + 1, gap + cost, [*chosen, char])

    search(0, 0.0, [])
    if visits[0] > _MAX_VISITS:
        return []  # too many likely readings to choose from: the field is in doubt
    found.sort(key=lambda item: item[0])
    return found[:_PER_GROUP]


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


def resolve(fmt, gaps, readings=1):
    """The lines chosen from each line's gap matrix (cells x 37, see ``decoding``): the sum
    over ``readings`` independent readings, each of which must carry its share of the margins."""
    alternatives = [_alternatives(g) for g in gaps]
    best = ["".join(ALPHABET[i] for i in g.argmin(axis=1)) for g in gaps]
    groups = _groups(fmt)
    per_group = [_group_readings(best, cells, test, alternatives) for _, cells, test in groups]
    failing = [name for (name, _, _), found in zip(groups, per_group) if not found]
    if failing:
        return Resolution(lines=best, resolved=False, margin=0.0, doubts=failing)
    passing = []
    for combo in itertools.product(*per_group):
        assignment = [cell for _, cells in combo for cell in cells]
        lines = _with(best, assignment)
        if _composite_ok(fmt, lines):
            passing.append((sum(gap for gap, _ in combo), lines))
    if not passing:
        return Resolution(lines=best, resolved=False, margin=0.0, doubts=["composite_check"])
    passing.sort(key=lambda item: item[0])
    margin = passing[1][0] - passing[0][0] if len(passing) > 1 else _HORIZON
    lines = passing[0][1]
    doubts = [] if margin >= MARGIN * readings else ["check_digits_ambiguous"]
    for name in ("issuing_country", "nationality"):
        assignment, doubt = _country(lines, fmt, name, alternatives, readings)
        lines = _with(lines, assignment)
        doubts += [doubt] if doubt else []
    doubts += _unchecked_doubts(fmt, alternatives, UNCHECKED_MARGIN * readings)
    doubts += _invisible_doubts(fmt, lines, alternatives, UNCHECKED_MARGIN * readings)
    return Resolution(lines=lines, resolved=not doubts, margin=margin, doubts=doubts)


def _invisible_doubts(fmt, lines, alternatives, margin):
    """Checked fields holding a cell whose close alternative the check digits cannot see."""
    doubts = []
    for name, cells, _ in _groups(fmt):
        for line, i in cells:
            options = dict(alternatives[line][i])
            chosen = lines[line][i]
            value = formats.char_value(chosen)
            if any(char != chosen and (formats.char_value(char) - value) % 10 == 0
                   and gap - options.get(chosen, 0.0) < margin for char, gap in options.items()):  # fmt: skip
                doubts.append(name)
                break
    return doubts


def _unchecked_doubts(fmt, alternatives, margin):
    """Fields no check digit covers whose reading has a close second somewhere."""
    checked = {cell for _, cells, _ in _groups(fmt) for cell in cells}
    spans = formats.check_digit_spans(fmt)
    if "composite_check" in spans:
        covered, digit, _ = spans["composite_check"]
        checked |= {(line, i) for line, start, end in covered for i in range(start, end)}
        checked.add((digit.line, digit.start))
    doubts = []
    for name, fld in formats.LAYOUTS[fmt].items():
        if name in ("issuing_country", "nationality"):
            continue
        for i in range(fld.start, fld.end):
            options = alternatives[fld.line][i]
            if (fld.line, i) in checked:
                continue
            if not options or (len(options) > 1 and options[1][1] - options[0][1] < margin):
                doubts.append(name)
                break
    return doubts
