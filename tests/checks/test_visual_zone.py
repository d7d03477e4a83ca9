from dataclasses import replace
from datetime import date

import pytest

from onboarding.checks.images import load_pages
from onboarding.checks.mrz import reader, resolving
from onboarding.checks.mrz.visual_zone import prints
from tests.documents.identity import IdentityDocument, photograph, render

PASSPORT = IdentityDocument(
    surname="Lindqvist", given_names="Anna Maria", birth_date=date(1985, 3, 14), sex="F", nationality="SWE",
    document_number="C01X00T47", expiry_date=date(2031, 6, 30), format="TD3",
)  # fmt: skip
TRUE_NAME = PASSPORT.mrz_lines()[0][5:]
MISREAD = TRUE_NAME.replace("Q", "O")


def _field(name, width=39):
    return name.ljust(width, "<")


@pytest.mark.parametrize(
    "printed, name, held",
    [
        ([["SURNAME", "NOM"], ["LINDQVIST"], ["ANNA", "MARIA"]], "LINDQVIST<<ANNA<MARIA", True),
        # A label read on the same line as the name.
        ([["NOM", "LINDQVIST"], ["PRENOMS", "ANNA", "MARIA"]], "LINDQVIST<<ANNA<MARIA", True),
        ([["LINDQVIST"], ["ANNA", "MARIA"]], "LINDOVIST<<ANNA<MARIA", False),
        # Given names must be printed together, in order, on one line.
        ([["LINDQVIST"], ["ANNA"], ["MARIA"]], "LINDQVIST<<ANNA<MARIA", False),
        ([["LINDQVIST"], ["MARIA", "ANNA"]], "LINDQVIST<<ANNA<MARIA", False),
        # A filler read as a letter after the given names makes another name.
        ([["LINDQVIST"], ["ANNA", "MARIA"]], "LINDQVIST<<ANNA<MARIA<C", False),
        ([["LINDQVIST"]], "LINDQVIST", True),
    ],
)  # fmt: skip
def test_a_name_is_printed_when_its_surname_and_given_names_each_stand_on_a_line(printed, name, held):
    assert prints(printed, _field(name)) is held


def test_a_name_cut_at_the_end_of_its_field_is_printed_as_the_start_of_its_last_word():
    printed = [["WOLFESCHLEGELSTEINHAUSEN"], ["ANNA"]]
    assert prints(printed, "WOLFESCHLEGELSTEINHAUSEN<<AN")
    assert not prints(printed, "WOLFESCHLEGELSTEINHAUSEN<<AN<")  # not cut: the whole word is printed


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


def test_a_name_the_visual_zone_prints_in_neither_spelling_stays_unread(monkeypatch):
    _name_in_doubt(monkeypatch, [MISREAD, MISREAD.replace("ANNA", "ANMA")])
    reading = reader.read_pages(load_pages(photograph(render(PASSPORT)[-1]), "image/png"))
    assert reading.mrz is None and reading.doubts == ["name"]
