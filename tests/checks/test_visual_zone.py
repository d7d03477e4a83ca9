from dataclasses import replace
from datetime import date

from onboarding.checks.images import load_pages
from onboarding.checks.mrz import reader, resolving
from onboarding.checks.mrz.visual_zone import blurred_from_another, printed_number, prints
from tests.documents.identity import IdentityDocument, photograph, render

PASSPORT = IdentityDocument(
    surname="Lindqvist", given_names="Anna Maria", birth_date=date(1985, 3, 14), sex="F", nationality="SWE",
    document_number="C01X00T47", expiry_date=date(2031, 6, 30), format="TD3",
)  # fmt: skip
TRUE_NAME = PASSPORT.mrz_lines()[0][5:]
MISREAD = TRUE_NAME.replace("Q", "O")


def _field(name, width=39):
    return name.ljust(width, "<")


def _printed(printed, *names):
    """Which of the name fields ``names`` the visual zone's ``printed`` words hold."""
    return [prints(printed, _field(name)) for name in names]


def test_a_spelling_is_printed_when_its_surname_ends_a_line():
    both = ("LINDQVIST<<ANNA<MARIA", "LINDOVIST<<ANNA<MARIA")
    assert _printed([["SURNAME", "NOM"], ["LINDQVIST"], ["ANNA", "MARIA"]], *both) == [True, False]
    # A label read on the same line.
    assert _printed([["NOM", "LINDQVIST"], ["ANNA", "MARIA"]], *both) == [True, False]
    # Given names misread in the visual zone: neither spelling is printed whole.
    assert _printed([["LINDQVIST"], ["AMMA", "MARIA"]], *both) == [False, False]
    assert _printed([["LINDQVIST", "NOM"]], *both) == [False, False]
    assert _printed([["LINDOUIST"]], *both) == [False, False]


def test_given_names_must_end_one_line_together_and_in_order():
    both = ("LINDQVIST<<ANNA<MARIA", "LINDQVIST<<ANNA<MAPIA")
    assert _printed([["LINDQVIST"], ["ANNA", "MARIA"]], *both) == [True, False]
    assert _printed([["LINDQVIST"], ["ANNA"], ["MARIA"]], *both) == [False, False]
    assert _printed([["LINDQVIST"], ["MARIA", "ANNA"]], *both) == [False, False]


def test_a_filler_read_as_a_lone_letter_is_never_the_printed_spelling():
    # "ELODIE<S": a filler after the given names read as an "S". Only ELODIE is printed.
    assert _printed([["SMITH"], ["ELODIE"]], "SMITH<<ELODIE", "SMITH<<ELODIE<S") == [True, False]
    assert _printed([["SMITH"], ["ELODIE", "S"]], "SMITH<<ELODIE", "SMITH<<ELODIE<S") == [False, False]


def test_a_name_cut_at_the_end_of_its_field_is_printed_as_the_start_of_its_last_word():
    printed = [["WOLFESCHLEGELSTEINHAUSEN"], ["ANNABELLE"]]
    cut, other = "WOLFESCHLEGELSTEINHAUSEN<<ANNAB", "WOLFESCHLEGELSTEINHAUSEN<<ANNAR"
    assert [prints(printed, name) for name in (cut, other)] == [True, False]
    assert not prints(printed, _field(cut))  # not cut: the whole word is printed


def test_the_glyph_blur_makes_of_another_is_never_taken_from_the_visual_zone():
    # Both zones are read by the same recogniser: a Q blurred to an O reads LINDOVIST in both.
    spellings = [_field("LINDQVIST<<LEA"), _field("LINDOVIST<<LEA")]
    assert [blurred_from_another(name, spellings) for name in spellings] == [False, True]
    assert not blurred_from_another(_field("GARCIA<<ZOE"), [_field("GARCIA<<ZOE"), _field("EARCIA<<ZOE")])


def _name_in_doubt(monkeypatch, spellings):
    """Every check digit holds, yet the recogniser leaves the name spelt ``spellings`` ways."""
    resolve = resolving.resolve

    def doubting(fmt, gaps, readings=1, each=()):
        resolution = resolve(fmt, gaps, readings, each)
        return replace(resolution, resolved=False, doubts=["name"], names=spellings)

    monkeypatch.setattr(resolving, "resolve", doubting)


def test_a_name_read_two_ways_is_settled_by_the_spelling_the_visual_zone_prints(monkeypatch):
    _name_in_doubt(monkeypatch, [MISREAD, TRUE_NAME])
    search = reader.Search()
    reading = reader.read_pages(load_pages(photograph(render(PASSPORT)[-1]), "image/png"), search)
    assert reading.valid and reading.doubts == []
    assert reading.stage == search.stage == "visual_zone"
    assert reading.lines == list(PASSPORT.mrz_lines())
    assert reading.mrz.surname == "LINDQVIST"


def test_an_o_the_visual_zone_prints_does_not_settle_a_name_read_with_a_q_too(monkeypatch):
    lindovist = replace(PASSPORT, surname="Lindovist")
    as_printed = lindovist.mrz_lines()[0][5:]
    _name_in_doubt(monkeypatch, [as_printed, as_printed.replace("LINDOVIST", "LINDQVIST")])
    reading = reader.read_pages(load_pages(photograph(render(lindovist)[-1]), "image/png"))
    assert reading.mrz is None and reading.doubts == ["name"]


def test_a_name_the_visual_zone_prints_in_neither_spelling_stays_unread(monkeypatch):
    _name_in_doubt(monkeypatch, [MISREAD, MISREAD.replace("ANNA", "ANMA")])
    reading = reader.read_pages(load_pages(photograph(render(PASSPORT)[-1]), "image/png"))
    assert reading.mrz is None and reading.doubts == ["name"]


NUMBERS = ["H00G0YRC<", "H0060YRC<"]  # a G read as 6 passes the same check digits


def test_a_number_is_printed_where_the_numbers_differ_with_letters_and_digits_alike_elsewhere():
    assert printed_number(["No. H00G0YRC"], NUMBERS) == "H00G0YRC<"
    assert printed_number(["No. HOOGOYRC"], NUMBERS) == "H00G0YRC<"  # its zeros read as O
    assert printed_number(["Passport No.", "H0060YRC"], NUMBERS) == "H0060YRC<"
    # Where they differ, nothing is taken alike; neither printed, or both, settles nothing.
    assert printed_number(["No. H00C0YRC"], NUMBERS) is None
    assert printed_number(["H00G0YRC", "H0060YRC"], NUMBERS) is None
    assert printed_number(["No. H00G0YRCX", "K3605Y10K6KQ"], NUMBERS) is None


def _number_in_doubt(monkeypatch, numbers):
    """Every check digit holds, yet the number's G may be a 6 (values 10 apart): a close second
    reading, so not every cell is read surely."""
    resolve = resolving.resolve
    monkeypatch.setattr(reader, "_confident", lambda gaps: False)

    def doubting(fmt, gaps, readings=1, each=()):
        resolution = resolve(fmt, gaps, readings, each)
        return replace(resolution, resolved=False, doubts=["document_number_check"], numbers=numbers)

    monkeypatch.setattr(resolving, "resolve", doubting)


def test_a_number_read_two_ways_is_settled_by_the_one_the_visual_zone_prints(monkeypatch):
    passport = replace(PASSPORT, document_number="C01XG0T47")
    _number_in_doubt(monkeypatch, ["C01X60T47", "C01XG0T47"])
    search = reader.Search()
    reading = reader.read_pages(load_pages(photograph(render(passport)[-1]), "image/png"), search)
    assert reading.valid and reading.stage == search.stage == "number_printed"
    assert reading.mrz.document_number == "C01XG0T47"
    assert reading.lines == list(passport.mrz_lines())


def test_a_number_the_visual_zone_prints_in_neither_reading_stays_unread(monkeypatch):
    passport = replace(PASSPORT, document_number="C01XG0T47")
    _number_in_doubt(monkeypatch, ["C01X60T47", "C01XQ0T47"])
    reading = reader.read_pages(load_pages(photograph(render(passport)[-1]), "image/png"))
    assert reading.mrz is None and reading.doubts == ["document_number_check"]


def test_a_number_whose_repeated_twins_the_visual_zone_prints_the_other_way_is_disputed():
    # The MRZ prints 5515HK03W (its check digits computed for it), the visual zone SS15HK03W:
    # read as twins alike, "SS" and "55" pass the same check digits, so the MRZ is not taken.
    printed = replace(PASSPORT, document_number="SS15HK03W")
    mrz = replace(PASSPORT, document_number="5515HK03W").mrz_lines()
    search = reader.Search()
    content = photograph(render(replace(printed, mrz_override=mrz))[-1])
    reading = reader.read_pages(load_pages(content, "image/png"), search)
    assert reading.mrz is None and reading.doubts == ["document_number_check"]
    assert search.stage == "number_disputed"
    # Printed alike in both zones, the number is read.
    agreeing = reader.read_pages(load_pages(photograph(render(replace(PASSPORT, document_number="5515HK03W"))[-1]),
                                            "image/png"))  # fmt: skip
    assert agreeing.valid and agreeing.mrz.document_number == "5515HK03W"
