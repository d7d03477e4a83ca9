"""Settling an MRZ name in doubt with the name printed on the page (the visual zone).

No check digit covers the name field, so a close call between the filler after a name and
the "C" or "E" a blurred filler reads as ("IBANEZ<<LEA" or "IBANEZ<CLEA") leaves the whole
MRZ unreadable. The data page prints the surname and the given names each on a line of its
own: a reading of the field made of two such lines, read surely, settles it.

The page only settles where the name's words end, never which letter a cell holds: read by
the same recogniser, the page's print shares the zone's confusions (a generated photo's page
read LINDQVIST as LINDOVIST, surely, where the zone read Q just ahead of O). So each letter
of the name taken must be its cell's likeliest, sure in every reading, and a filler may only
stand where the zone read a filler or what blurred fillers read as.
"""

import unicodedata

from . import resolving
from .formats import FILLER, transliterate

SURE = 0.8  # mean character confidence a printed line needs to settle a name
# What an MRZ line reads as besides "<": its pieces are the zone's own evidence, not the page's.
_FILLER_LIKE = set(FILLER + "‹«Λ")
# What the zone's cell may read where the name has a filler: blurred small fillers read as "C",
# "E" or "S" (on the generated photos); a cell read as any other letter holds a letter.
_FILLER_MISREADS = {FILLER, "C", "E", "S"}


def _spellings(text):
    """A printed line as an MRZ may hold it: ICAO's transliteration ("Müller" is MUELLER) or
    its accents dropped (MULLER), as issuers do both."""
    dropped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return {transliterate(text), transliterate(dropped)}


def printed_identifiers(lines):
    """{identifier as an MRZ spells it: (the line printing it, whether read surely)} of the
    page's text lines, given as (text, confidence), that hold a name's letters only: no digit
    (a date, a number), no filler (a piece of the MRZ itself), two letters at least."""
    found = {}
    for text, confidence in lines:
        if _FILLER_LIKE & set(text) or any(c.isdigit() for c in text):
            continue
        for spelling in _spellings(text):
            if len(spelling.replace(FILLER, "")) >= 2 and not found.get(spelling, (None, False))[1]:
                found[spelling] = (text, confidence >= SURE)
    return found


def _cost(name, cells, margin):
    """How much less probable the zone reads ``name`` than its best reading, or None when the
    zone does not allow it: a letter must come within ``margin`` of its cell's best; a filler
    may stand where the zone reads a filler, or a letter blurred fillers read as."""
    total = 0.0
    for char, options in zip(name, cells):
        gap = dict(options).get(char)
        if gap is None or (char != FILLER and gap - options[0][1] >= margin):
            return None
        if char == FILLER and options[0][0] not in _FILLER_MISREADS:
            return None
        total += gap - options[0][1]
    return total


def _letters_sure(name, cells, margin):
    """Whether every letter of ``name`` is its cell's likeliest letter, no other letter
    within ``margin`` of it."""
    for char, options in zip(name, cells):
        letters = [(c, gap) for c, gap in options if c != FILLER]
        if char == FILLER:
            continue
        if not letters or letters[0][0] != char or any(gap - letters[0][1] < margin for _, gap in letters[1:]):
            return False
    return True


def printed_name(name_cells, lines):
    """(the name field's reading made of printed identifiers, the lines printing them), or
    (None, []). ``name_cells``: the field's alternatives summed over the zone's readings, then
    each reading's own (see ``resolving.Resolution``); a letter must be sure in each alone.

    The field holds a printed surname, "<<" and printed given names (or none), cut at the
    field's end. The likeliest such reading is taken when it is clearly ahead of the next,
    made of lines read surely, its letters sure, and the zone's own likeliest name is not
    clearly ahead of it. Readings made of lines read unsurely, or whose letters are unsure,
    still count as the next one: "PAUL<<PAULA" with its last A nearly an R, or "Léa" read
    unsurely, leave "PAUL<<PAUL" or "MARTIN<<LE" (a label "Le" read surely) unsettled."""
    if not name_cells:
        return None, []
    cells, each = name_cells[0], name_cells[1:]
    margin = resolving.UNCHECKED_MARGIN * max(1, len(each))
    identifiers = printed_identifiers(lines)
    fitting = {}
    for surname, surname_line in identifiers.items():
        if _cost(surname + FILLER * 2, cells, margin) is None:
            continue  # no given names will make it fit
        for given, given_line in [("", (None, True)), *identifiers.items()]:
            name = (surname + FILLER * 2 + given)[: len(cells)].ljust(len(cells), FILLER)
            cost = _cost(name, cells, margin)
            if cost is not None and (name not in fitting or cost < fitting[name][0]):
                read = [line for line in (surname_line, given_line) if line[0]]
                fitting[name] = (cost, [text for text, _ in read], all(sure for _, sure in read))
    ranked = sorted(fitting.items(), key=lambda item: item[1][0])
    if not ranked or (len(ranked) > 1 and ranked[1][1][0] - ranked[0][1][0] < margin):
        return None, []
    name, (cost, shown, read_surely) = ranked[0]
    best = resolving.possible_names(cells)[0][0] - sum(options[0][1] for options in cells)
    sure = _letters_sure(name, cells, margin) and all(
        _letters_sure(name, alone, resolving.UNCHECKED_MARGIN) for alone in each
    )
    if not (sure and read_surely) or cost - best >= margin:
        return None, []
    return name, shown
