"""Decoding one MRZ line from the recogniser's per-step probabilities.

The recogniser knows thousands of characters and no MRZ rule: read greedily, a
line comes back one character short, with an "O" in a date or a "0" in a name.
Its probabilities are folded into the 37 MRZ classes (plus the CTC blank), and the
most probable string of exactly N characters is searched in which each cell only
admits what its field allows. For every cell and class the search also gives the
probability of the best string holding that class there, relative to the best
string overall: the alternatives the check digits then choose from.
"""

import functools
import unicodedata
from dataclasses import dataclass

import numpy as np

from .formats import ALPHABET, FILLER, FRENCH_NUMBER_DIGITS, LAYOUTS, SHAPES

LETTERS = ALPHABET[:26]
DIGITS = ALPHABET[26:36]
_BLANK = len(ALPHABET)  # index of the blank among the folded classes
_FILLER_LOOKALIKES = "<‹«≤〈＜くᐸ"
_FLOOR = 1e-9
_NEG = -1e9


@functools.cache
def _fold_table(charset):
    """(recogniser classes that are MRZ characters, a matrix summing them into the 37 MRZ
    classes). Anything else (the blank, spaces, punctuation, characters no MRZ holds)
    only separates characters: it counts as the blank."""
    indices, classes = [], []
    for index, char in enumerate(charset):
        folded = FILLER if char and char in _FILLER_LOOKALIKES else unicodedata.normalize("NFKC", char).upper()
        if len(folded) == 1 and folded in ALPHABET:
            indices.append(index)
            classes.append(ALPHABET.index(folded))
    matrix = np.zeros((len(indices), len(ALPHABET)), dtype=np.float32)
    matrix[np.arange(len(indices)), classes] = 1.0
    return np.array(indices), matrix


def fold(probabilities, charset):
    """(steps x 38) probabilities: the 37 MRZ classes and the blank last."""
    indices, matrix = _fold_table(tuple(charset))
    mrz = probabilities[:, indices] @ matrix
    blank = np.clip(1.0 - mrz.sum(axis=1, keepdims=True), 0.0, 1.0)
    return np.hstack([mrz, blank]).astype(np.float64)


def allowed_classes(fmt, width=None):
    """(lines x width x 37) booleans: which characters each cell of the format admits."""
    lines, width = SHAPES[fmt][0], width or SHAPES[fmt][1]
    everything = np.ones(len(ALPHABET), dtype=bool)
    masks = np.broadcast_to(everything, (lines, width, len(ALPHABET))).copy()
    admits = {
        "alpha": LETTERS + FILLER,
        "numeric": DIGITS,
        "check": DIGITS + FILLER,
        "sex": "MFX" + FILLER,
    }
    for kind in ("name", "surname", "given_names"):
        admits[kind] = admits["alpha"]
    for name, fld in LAYOUTS[fmt].items():
        chars = admits.get(fld.kind)
        if name == "document_type":
            masks[fld.line, fld.start] = [c in "PIACV" for c in ALPHABET]
            masks[fld.line, fld.start + 1] = [c in admits["alpha"] for c in ALPHABET]
        elif chars:
            masks[fld.line, fld.start : fld.end] = [c in chars for c in ALPHABET]
    if fmt == "FRA_ID":
        number = LAYOUTS[fmt]["document_number"]
        for cell in FRENCH_NUMBER_DIGITS:
            masks[number.line, number.start + cell] = [c in DIGITS for c in ALPHABET]
    return masks


@dataclass
class LineDecoding:
    """The best string of the line and, per cell and class, how much less probable
    (natural log) the best string holding that class there is; ``inf`` where it cannot."""

    text: str
    score: float  # log probability of the best path
    gaps: np.ndarray  # cells x 37
    span: tuple = (0, 0)  # the steps the line occupies on the best path (first, past the last)


def decode_line(folded, allowed, free_start=False, free_end=False):
    """The most probable path of exactly ``len(allowed)`` characters, each cell within its
    allowed classes (a Viterbi search over CTC paths), and every cell's alternatives.

    States at each step: "blank after k characters" (k = 0..N) and "in cell i showing
    class c". A repeated character needs a blank between its two cells, as CTC demands.
    With ``free_start`` (``free_end``) whatever comes before the first cell (after the last)
    costs nothing: the line is found inside a strip that also holds other text.
    """
    log = np.log(np.maximum(folded, _FLOOR))
    steps, cells = log.shape[0], allowed.shape[0]
    emit = np.where(allowed[None], log[:, None, : len(ALPHABET)], _NEG)  # steps x cells x classes
    blank = log[:, _BLANK]
    # The cost of a step spent waiting after k characters.
    wait = np.repeat(blank[:, None], cells + 1, axis=1)
    wait[:, 0] = 0.0 if free_start else wait[:, 0]
    wait[:, cells] = 0.0 if free_end else wait[:, cells]
    in_cell = np.full((steps, cells, len(ALPHABET)), _NEG)
    after = np.full((steps, cells + 1), _NEG)
    after[0, 0] = wait[0, 0]
    in_cell[0, 0] = emit[0, 0]
    for t in range(1, steps):
        previous, waiting = in_cell[t - 1], after[t - 1]
        ends = previous.max(axis=1)
        after[t, 0] = waiting[0] + wait[t, 0]
        after[t, 1:] = np.maximum(waiting[1:], ends) + wait[t, 1:]
        entering = np.full((cells, len(ALPHABET)), _NEG)
        entering[:] = waiting[:cells, None]
        entering[1:] = np.maximum(entering[1:], _others_max(previous[:-1]))
        in_cell[t] = emit[t] + np.maximum(previous, entering)
    best = max(after[-1, cells], in_cell[-1, cells - 1].max())
    if best <= _NEG / 2:
        return None
    # Backward pass: the best continuation from each state, to find for every (cell, class)
    # the best complete path through it.
    ahead_cell = np.full((cells, len(ALPHABET)), _NEG)
    ahead_cell[cells - 1] = 0.0
    ahead_after = np.full(cells + 1, _NEG)
    ahead_after[cells] = 0.0
    through = in_cell[-1] + ahead_cell
    # The best continuation from waiting before the first cell and after the last, per step:
    # where the best path enters the line and leaves it.
    before_line, after_line = np.full(steps, _NEG), np.full(steps, _NEG)
    before_line[-1], after_line[-1] = ahead_after[0], ahead_after[cells]
    for t in range(steps - 2, -1, -1):
        nxt_cell = emit[t + 1] + ahead_cell
        stay_blank = wait[t + 1] + ahead_after
        start = np.full(cells + 1, _NEG)
        start[:cells] = nxt_cell.max(axis=1)
        new_after = np.maximum(stay_blank, start)
        new_cell = np.maximum(nxt_cell, stay_blank[1:, None])
        new_cell[:-1] = np.maximum(new_cell[:-1], _others_max(nxt_cell[1:]))
        ahead_cell, ahead_after = new_cell, new_after
        before_line[t], after_line[t] = new_after[0], new_after[cells]
        through = np.maximum(through, in_cell[t] + ahead_cell)
    gaps = np.where(allowed, best - through, np.inf)
    gaps = np.where(gaps > -_NEG / 2, np.inf, np.maximum(gaps, 0.0))
    text = "".join(ALPHABET[i] for i in gaps.argmin(axis=1))
    on_path = best - 1e-6
    waited = np.flatnonzero(after[:, 0] + before_line >= on_path)
    done = np.flatnonzero(after[:, cells] + after_line >= on_path)
    span = (int(waited[-1]) + 1 if len(waited) else 0, int(done[0]) if len(done) else steps)
    return LineDecoding(text=text, score=float(best), gaps=gaps, span=span)


def decode_inside(folded, allowed, free_start=False, free_end=False):
    """``decode_line`` for a strip that may also hold other text before (after) the line.

    Where that text may lie costs nothing, so a neighbouring word's last letter could pass
    for the line's first at the price of one filler fewer at its end: every cell would
    then have its neighbour's character as a close alternative. An MRZ is printed in a
    monospaced font, one character per cell and no cell empty: text lying more than two
    cells away from the line found is no part of it, and is cut off before the line is
    decoded again with that end fixed. Text closer than that keeps the end free."""
    line = decode_line(folded, allowed, free_start, free_end)
    if line is None or not (free_start or free_end):
        return line
    first, end = line.span
    pitch = max(1.0, (end - first) / allowed.shape[0])
    ink = np.flatnonzero(folded[:, _BLANK] < 0.5)
    start, stop, fixed = 0, len(folded), False
    before, beyond = ink[ink < first], ink[ink >= end]
    if free_start and (not len(before) or first - before[-1] > 2 * pitch):
        start, free_start, fixed = (int(before[-1]) + first) // 2 if len(before) else 0, False, True
    if free_end and (not len(beyond) or beyond[0] - (end - 1) > 2 * pitch):
        stop, free_end, fixed = (int(beyond[0]) + end) // 2 if len(beyond) else len(folded), False, True
    if not fixed:
        return line
    return decode_line(folded[start:stop], allowed, free_start, free_end) or line


def _others_max(scores):
    """For each row and class, the best score among the row's other classes."""
    order = np.argsort(scores, axis=1)
    top, second = order[:, -1], order[:, -2]
    rows = np.arange(scores.shape[0])
    result = np.repeat(scores[rows, top][:, None], scores.shape[1], axis=1)
    result[rows, top] = scores[rows, second]
    return result


def greedy_mrz(folded):
    """The line as the recogniser reads it, folded to MRZ characters (to size it up)."""
    classes = folded.argmax(axis=1)
    keep = (classes != _BLANK) & np.concatenate([[True], classes[1:] != classes[:-1]])
    return "".join(ALPHABET[c] for c in classes[keep])
