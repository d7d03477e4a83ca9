"""The names and number an identity document prints in its visual zone, read to settle an MRZ's.

No check digit covers a name, and the recogniser can leave two spellings of it about as
likely (a Q or an O in LINDQVIST, a G or an E in GARCIA). The visual zone prints the name
again, larger and in another face: a spelling is taken only when the page prints it where
the spellings differ, and prints no other one (``reader.with_name``). So is a document
number whose G or 6 (values 10 apart, which pass the same check digits) is in doubt.
"""

import re
import unicodedata

import cv2
import numpy as np

from onboarding.checks import textlines

from .formats import FILLER, transliterate

# Lines whose reading direction is within about 18 degrees of the MRZ's, either way round.
_PARALLEL = 0.95
# (glyph, what blur makes of it): a blurred Q loses its tail and reads O, never the other way
# round. The visual zone is read by the same recogniser, so its poorer glyph tells nothing
# against the richer one (on a held-out photo, both zones read LINDOVIST for LINDQVIST).
_BLURRED = {("Q", "O"), ("G", "C"), ("E", "F"), ("R", "P")}


def spellings(text):
    """``text`` as an MRZ writes a name: umlauts as ICAO writes them (Ü as UE) and as bare
    letters (U), as issuers do both."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return {transliterate(text), transliterate(bare)}


def printed_lines(page, boxes, zone_lines):
    """The text of each line of ``page`` (BGR) running along the MRZ's ``zone_lines``, read the
    same way round; the MRZ's own lines left out (its last line on a card is the name alone)."""
    along = zone_lines[0][1] - zone_lines[0][0]
    direction = along / max(float(np.linalg.norm(along)), 1.0)
    oriented = []
    for box in boxes:
        centre = tuple(float(v) for v in box.mean(axis=0))
        if any(cv2.pointPolygonTest(line.astype(np.float32), centre, False) >= 0 for line in zone_lines):
            continue
        run = box[1] - box[0]
        cosine = float(np.dot(run, direction)) / max(float(np.linalg.norm(run)), 1.0)
        if abs(cosine) >= _PARALLEL:
            oriented.append(box if cosine > 0 else np.roll(box, 2, axis=0))
    if not oriented:
        return []
    texts = textlines.recognise([textlines.strip(page, box) for box in oriented], reduce=textlines.greedy_text)
    return [text for text, _ in texts]


def printed_words(lines):
    """The words of each of the ``printed_lines``, in each of their ``spellings``."""
    return [spelling.split(FILLER) for text in lines for spelling in spellings(text) if spelling]


# Characters a recogniser reads for one another whatever the face (the O of a number for its 0):
# a number printed is compared with them taken alike, but in the cells where the numbers differ.
_ALIKE = str.maketrans("OQDIZSB", "0001258")


def printed_number(lines, numbers):
    """The one of ``numbers`` (document number fields, filler-padded) the ``printed_lines`` print
    as a word where the numbers differ, characters read alike taken alike elsewhere; None when
    none or several are printed."""
    words = {word for line in lines for word in re.findall("[A-Z0-9]+", line.upper())}
    found = []
    for number in numbers:
        value = number.rstrip(FILLER)
        differs = [i for i in range(len(value)) if any(other[i] != value[i] for other in numbers)]
        alike = value.translate(_ALIKE)
        for word in words:
            if (
                len(word) == len(value)
                and all(word[i] == value[i] for i in differs)
                and all(word[i] == value[i] or word[i].translate(_ALIKE) == alike[i] for i in range(len(value)))
            ):
                found.append(number)
                break
    return found[0] if len(found) == 1 else None


def prints(printed, name):
    """Whether the visual zone's ``printed`` words hold the MRZ name field ``name``: its surname
    and its given names, each as the words ending a line (a label may precede them), a name
    cut at the field's end as the start of its last word. Every part is looked for, the ones
    all spellings share too: the spellings read may all be wrong there (LINDOVIST read with
    ANNA and ANMA), and only the page printing the whole name tells."""
    cut = not name.endswith(FILLER)
    surname, given = _parts(name)
    parts = [surname, given] if given else [surname]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        # A lone letter (a filler read as one) is no word to find printed.
        if not part or any(len(word) < 2 for word in part):
            return False
        if not any(_ends(words, part, cut and last) for words in printed):
            return False
    return True


def blurred_from_another(name, names):
    """Whether ``name`` holds, where another of ``names`` differs, the glyph blur makes of that
    one's (an O where the other has a Q): then no reading of it, however sure, rules the other out."""
    return any(
        len(other) == len(name) and any((theirs, ours) in _BLURRED for ours, theirs in zip(name, other))
        for other in names
    )


def _parts(name):
    """(surname words, given names words) of an MRZ name field."""
    surname, _, given = name.rstrip(FILLER).partition(FILLER * 2)
    return [[word for word in part.split(FILLER) if word] for part in (surname, given)]


def _ends(words, run, cut):
    """Whether ``words`` end with ``run``; with ``cut``, its last word may be the start of theirs."""
    found = words[-len(run) :]
    return (
        len(found) == len(run)
        and found[:-1] == run[:-1]
        and (found[-1] == run[-1] or cut and found[-1].startswith(run[-1]))
    )
