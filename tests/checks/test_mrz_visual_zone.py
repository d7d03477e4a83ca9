import numpy as np
import pytest

from onboarding.checks import PASSED, DocumentInput, get_check
from onboarding.checks.images import load_pages
from onboarding.checks.mrz import ALPHABET, LAYOUTS, reader, resolving
from onboarding.checks.mrz.visual_zone import printed_name
from tests.documents.identity import SPLITS, phone_photos

# A TD2 line 1 whose filler after the given name reads nearly as well as "C": "ERIK" or "ERIKC",
# and no check digit covers a name.
LINE_1 = "I<UTOLINDQVIST<<ERIK<<<<<<<<<<<<<<<<"
LINE_2 = "D231458907UTO7408122F3204153<<<<<<<2"
AFTER_ERIK = ((20, "C", 0.3),)


def _gaps(lines, doubts):
    """Gap matrices of a sure reading of ``lines``, but for ``doubts`` (cell, char, gap) on line 1."""
    gaps = []
    for line in lines:
        matrix = np.full((len(line), len(ALPHABET)), 30.0)
        matrix[np.arange(len(line)), [ALPHABET.index(c) for c in line]] = 0.0
        gaps.append(matrix)
    for cell, char, gap in doubts:
        gaps[0][cell, ALPHABET.index(char)] = gap
    return gaps


def _doubtful(line_1=LINE_1, doubts=AFTER_ERIK):
    """The resolution of a TD2 zone read surely but for ``doubts`` (cell, char, gap) on line 1."""
    return resolving.resolve("TD2", _gaps([line_1, LINE_2], doubts))


def _settle(resolution, lines):
    return printed_name(resolution.name_cells, lines)


def test_a_name_in_doubt_is_left_for_the_printed_name_to_settle():
    resolution = _doubtful()
    assert resolution.doubts == ["name"] and resolution.name_cells
    name, shown = _settle(resolution, [("Surname / Nom", 0.97), ("LINDQVIST", 0.95), ("Erik", 0.93)])
    assert name == LINE_1[5:]
    assert shown == ["LINDQVIST", "Erik"]
    field = LAYOUTS["TD2"]["name"]
    assert resolving.with_name("TD2", [LINE_1.replace("ERIK<", "ERIKC"), LINE_2], name)[0][field.start :] == name


def test_a_sure_name_leaves_nothing_to_settle():
    assert _doubtful(doubts=()).name_cells == []


@pytest.mark.parametrize(
    "lines",
    [
        [("LINDQVIST", 0.95)],  # the given name is not printed
        [("LINDQVIST", 0.95), ("Erik", 0.95), ("Erikc", 0.95)],  # both readings printed
        [("LINDQVIST", 0.95), ("Erik", 0.6)],  # printed, but not read surely
        [("LINDQVIST<<ERIK<<<<<<", 0.99)],  # a piece of the MRZ itself is no printed name
        [("LINDQVIST", 0.95), ("Date of birth Erik", 0.95)],  # a word of a line is no identifier
    ],
)
def test_the_printed_name_settles_nothing_unless_one_reading_alone_is_printed_surely(lines):
    assert _settle(_doubtful(), lines) == (None, [])


def test_the_printed_name_never_chooses_a_letter_the_zone_cannot_tell():
    # Q or O, both nearly as likely: the page's print is read by the same recogniser, which
    # takes a small Q for an O there too.
    resolution = _doubtful(doubts=((9, "O", 0.5),))
    assert resolution.doubts == ["name"]
    assert _settle(resolution, [("LINDOVIST", 0.99), ("Erik", 0.95)]) == (None, [])
    assert _settle(resolution, [("LINDQVIST", 0.99), ("Erik", 0.95)]) == (None, [])


def test_two_readings_that_spell_a_letter_differently_leave_it_unsettled():
    # The first reading sees a Q (an O close behind), the enhanced one an O: summed, the O wins
    # clearly, yet each reading alone is unsure of it.
    as_o = LINE_1[:9] + "O" + LINE_1[10:]
    first, second = _gaps([LINE_1, LINE_2], [(9, "O", 1.5)]), _gaps([as_o, LINE_2], [(9, "Q", 6.0)])
    both = resolving.resolve("TD2", [a + b for a, b in zip(first, second)], readings=2, each=(first, second))
    assert both.doubts == ["name"]
    assert _settle(both, [("LINDOVIST", 0.99), ("Erik", 0.95)]) == (None, [])


def test_a_letter_in_doubt_is_not_made_a_filler_to_fit_a_shorter_printed_name():
    # PAULA's last A reads nearly as an R, a filler further behind: "PAUL<<PAUL" is printed too
    # (the surname), and must not win for having no unsure letter.
    line_1 = "I<UTOPAUL<<PAULA<<<<<<<<<<<<<<<<<<<<"
    resolution = _doubtful(line_1, doubts=((15, "R", 0.5), (15, "<", 1.0)))
    assert _settle(resolution, [("PAUL", 0.95), ("Paula", 0.95)]) == (None, [])


def test_a_label_on_the_page_does_not_settle_a_name_read_unsurely():
    line_1 = "I<UTOMARTIN<<LEA<<<<<<<<<<<<<<<<<<<"
    resolution = _doubtful(line_1, doubts=((15, "<", 0.3),))  # LEA or LE
    lines = [("MARTIN", 0.95), ("Léa", 0.7), ("Signature du titulaire / Le titulaire", 0.9), ("Le", 0.9)]
    assert _settle(resolution, lines) == (None, [])


def test_a_lone_letter_on_the_page_is_no_name():
    # A receipt beside the document prints a lone "c": "ERIK<C" is no name printed on the page.
    resolution = _doubtful(doubts=((20, "C", 0.3), (21, "C", 0.2)))
    name, _ = _settle(resolution, [("LINDQVIST", 0.95), ("Erik", 0.95), ("c", 0.99), ("thank c", 0.99)])
    assert name == LINE_1[5:]


def test_a_printed_name_with_accents_settles_its_transliteration():
    line_1 = "I<UTOMUELLER<<LEA<<<<<<<<<<<<<<<<<<<"
    resolution = _doubtful(line_1, doubts=((17, "E", 0.3),))  # LEA or LEAE
    assert _settle(resolution, [("MÜLLER", 0.9), ("Léa", 0.9)])[0] == line_1[5:]


def test_a_name_cut_short_by_the_field_ends_in_the_beginning_of_a_printed_word():
    line_1 = "I<UTOVANDERBERGHE<<MAXIMILIANUS<FRED"  # FREDERIK runs past the field
    resolution = _doubtful(line_1, doubts=((31, "C", 0.3),))  # MAXIMILIANUS<FRED or MAXIMILIANUSCFRED
    name, shown = _settle(resolution, [("VANDERBERGHE", 0.95), ("Maximilianus Frederik", 0.92)])
    assert name == line_1[5:] and shown == ["VANDERBERGHE", "Maximilianus Frederik"]


@pytest.mark.slow
def test_a_phone_photo_whose_mrz_name_is_in_doubt_is_read_with_the_printed_name(monkeypatch):
    # Drawn like the tuning split with another seed: an open passport booklet whose zone reads the
    # filler after the surname nearly as well as "C" (IBANEZ<CLEA or IBANEZ<<LEA).
    monkeypatch.setitem(SPLITS, "another_seed", {"seed": 2000, "ranges": {}})
    sample = list(phone_photos("another_seed", 8))[7]
    search = reader.Search()
    reading = reader.read_pages(load_pages(sample.content, sample.mime_type), search)
    assert search.stage == "visual_zone"
    assert tuple(reading.lines) == sample.truth and reading.valid

    result = get_check("identity_document")([DocumentInput(sample.content, sample.mime_type)], {}, {})
    assert result.result == PASSED and result.fields["surname"] == "IBANEZ"
    surname = result.details["provenance"]["surname"]
    assert surname[0]["source"] == "MRZ" and surname[1] == {"source": "VIZ", "label": "IBAÑEZ / Léa"}
