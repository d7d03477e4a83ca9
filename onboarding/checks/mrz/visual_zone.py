"""Settling an MRZ name in doubt with the name printed on the page (the visual zone).

No check digit covers the name field, so a close call between two readings of it
("LINDQVIST<<ERIK" and "LINDQVIST<<ERIC") leaves the MRZ unreadable. The data page
prints the same name in its visual zone: a reading whose every word is printed there,
read surely, settles it when that reading is clearly the likeliest of those that are.
"""

import heapq
import re
import unicodedata

from . import resolving
from .formats import FILLER, transliterate

SURE = 0.8  # mean character confidence a printed line needs to confirm a name
# What an MRZ line reads as besides "<": its pieces are the zone's own evidence, not the page's.
_FILLER_LIKE = set(FILLER + "‹«Λ")


def _spellings(word):
    """A printed word as an MRZ may hold it: ICAO's transliteration ("MÜLLER" is MUELLER) or
    its accents dropped (MULLER), as issuers do both."""
    dropped = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return {transliterate(word), dropped.upper()}


def printed_words(lines):
    """{word: the line printing it} of the page's text lines read surely, given as (text,
    confidence); lines holding fillers are pieces of an MRZ and ignored. A lone letter (a
    receipt's "c") is no word: amid the filler a name field reads as "C", it would confirm a
    name that does not end there."""
    words = {}
    for text, confidence in lines:
        if confidence < SURE or _FILLER_LIKE & set(text):
            continue
        for word in re.findall(r"[^\W\d_]{2,}", text.upper()):
            for spelling in _spellings(word):
                words.setdefault(spelling, text)
    return words


def printed_name(cells, readings, lines):
    """(the reading of the name field, given as its cells' alternatives, whose every word is
    printed in ``lines``, the lines printing them), or (None, []).

    The printed name only tells where the name's words end (the fillers a blurred name field
    reads as "C"), never which letter a cell holds: read by the same recogniser, the page's
    print shares the zone's confusions (a generated photo's page read LINDQVIST as LINDOVIST,
    surely, where the zone read Q just ahead of O). So each cell may hold a filler or its
    likeliest letter, and that only when clearly ahead of the cell's other letters.
    The likeliest such reading is taken when it is clearly ahead of the next one (both
    "SMITH<<JOHN" and "SMITH<JOHN" are printed words) and not much less probable than the
    likeliest possible name at all. A name cut short by the field's end may end in a printed
    word's beginning."""
    words = printed_words(lines)
    beginnings = {word[:n] for word in words for n in range(1, len(word) + 1)}
    margin = resolving.UNCHECKED_MARGIN * readings
    best = {("start", ""): [(0.0, "")]}
    for options in (_filler_or_letter(options, margin) for options in cells):
        following = {}
        for (state, word), found in best.items():
            for char, cost in options:
                nxt = resolving.next_name_state(state, char)
                if nxt is None or (char == FILLER and word and word not in words):
                    continue
                if char != FILLER and word + char not in beginnings:
                    continue
                key = (nxt, "" if char == FILLER else word + char)
                following.setdefault(key, []).extend((gap + cost, text + char) for gap, text in found)
        best = {key: heapq.nsmallest(2, found) for key, found in following.items()}
    found = sorted(reading for readings_so_far in best.values() for reading in readings_so_far)
    if not found or (len(found) > 1 and found[1][0] - found[0][0] < margin):
        return None, []
    if found[0][0] - resolving.possible_names(cells)[0][0] > resolving.MAX_CORRECTION * readings:
        return None, []
    name = found[0][1]
    shown = [words.get(part) or _line_beginning(words, part) for part in name.split(FILLER) if part]
    return name, list(dict.fromkeys(shown))


def _filler_or_letter(options, margin):
    """A cell's alternatives (character, gap), best first, cut to its filler and its likeliest
    letter, the letter only when no other letter comes within ``margin`` of it."""
    letters = [option for option in options if option[0] != FILLER]
    kept = [option for option in options if option[0] == FILLER]
    if letters and (len(letters) == 1 or letters[1][1] - letters[0][1] >= margin):
        kept.append(letters[0])
    return kept


def _line_beginning(words, part):
    """The line printing the word a name cut short by its field's end begins."""
    return next(line for word, line in words.items() if word.startswith(part))
