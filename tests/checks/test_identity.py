from dataclasses import replace
from datetime import date, timedelta

import pytest

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, get_check, identity
from onboarding.checks.mrz.reader import MrzReading
from tests.documents.identity import Capture, IdentityDocument, as_pdf, photograph, render

run = get_check("identity_document")
TODAY = date.today()
PASSPORT = IdentityDocument(
    surname="Müller", given_names="Jean-Luc", birth_date=date(1985, 3, 14), sex="M", nationality="DEU",
    document_number="C01X00T47", expiry_date=date(TODAY.year + 5, 6, 30), format="TD3",
)  # fmt: skip
APPLICANT = {
    "identity": {"first_name": "Jean-Luc", "last_name": "Müller", "birth_date": "1985-03-14", "nationality": "DE"}
}


def passport_upload(document=PASSPORT):
    return [
        DocumentInput(content=photograph(render(document)[-1]), mime_type="image/png", kind="passport", side="front")
    ]


@pytest.fixture(scope="module")
def passport_result():
    return run(passport_upload(), APPLICANT, {})


def test_matching_passport_passes_with_its_fields(passport_result):
    assert passport_result.result == PASSED
    assert passport_result.reason_codes == []
    assert passport_result.fields == {
        "surname": "MUELLER",
        "given_names": "JEAN LUC",
        "document_number": "C01X00T47",
        "document_type": "P",
        "issuing_country": "DEU",
        "nationality": "DEU",
        "birth_date": "1985-03-14",
        "sex": "M",
        "expiry_date": PASSPORT.expiry_date.isoformat(),
    }


def test_details_keep_the_raw_lines_check_digits_and_timings(passport_result):
    details = passport_result.details
    assert details["mrz_lines"] == list(PASSPORT.mrz_lines())
    assert all(details["check_digits"].values())
    assert details["timings_ms"]["total"] > 0


def test_mismatching_applicant_data_fails_with_one_code_per_field(passport_result):
    other = {
        "identity": {"first_name": "Paul", "last_name": "Schmidt", "birth_date": "1986-03-14", "nationality": "FRA"}
    }
    result = run(passport_upload(), other, {})
    assert result.result == FAILED
    assert set(result.reason_codes) == {"name_mismatch", "birth_date_mismatch", "nationality_mismatch"}


def test_id_card_front_and_back_pdf_passes():
    card = replace(PASSPORT, format="TD1", document_type="I")
    front, back = render(card)
    documents = [DocumentInput(content=as_pdf([front, back]), mime_type="application/pdf", kind="id_card")]
    result = run(documents, APPLICANT, {})
    assert result.result == PASSED
    assert result.fields["document_type"] == "I"


def test_expired_document_fails():
    expired = replace(PASSPORT, expiry_date=date(TODAY.year - 1, 1, 31))
    result = run(passport_upload(expired), APPLICANT, {})
    assert result.result == FAILED
    assert result.reason_codes == ["document_expired"]


def test_minor_fails_the_configured_minimum_age():
    minor = replace(PASSPORT, birth_date=date(TODAY.year - 16, 1, 1))
    result = run(passport_upload(minor), {}, {"min_age": 18})
    assert result.reason_codes == ["underage"]
    assert run(passport_upload(minor), {}, {"min_age": 16}).result == PASSED


def test_wrong_printed_check_digit_fails_as_invalid_checksum():
    line1, line2 = PASSPORT.mrz_lines()
    wrong_digit = str((int(line2[19]) + 1) % 10)  # the birth date's check digit
    tampered = replace(PASSPORT, mrz_override=(line1, line2[:19] + wrong_digit + line2[20:]))
    result = run(passport_upload(tampered), APPLICANT, {})
    assert result.result == FAILED
    assert "mrz_checksum_invalid" in result.reason_codes
    assert result.details["check_digits"]["birth_date_check"] is False


def test_photo_without_mrz_is_unusable():
    blank = photograph(render(replace(PASSPORT, format="TD1"))[0])  # a card front has no MRZ
    result = run([DocumentInput(content=blank, mime_type="image/png")], APPLICANT, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["mrz_unreadable"]
    assert result.unusable


def test_bytes_that_are_no_image_are_unusable():
    result = run([DocumentInput(content=b"not an image", mime_type="image/png")], APPLICANT, {})
    assert (result.result, result.reason_codes, result.unusable) == (INCONCLUSIVE, ["mrz_unreadable"], True)


def test_every_field_says_where_in_the_mrz_it_was_read(passport_result):
    provenance = passport_result.details["provenance"]
    assert set(provenance) == set(passport_result.fields)
    assert provenance["document_number"] == {"source": "MRZ", "line": 2, "cells": [1, 9]}
    assert provenance["surname"] == provenance["given_names"] == {"source": "MRZ", "line": 1, "cells": [6, 44]}


def test_a_key_field_missing_leaves_the_check_inconclusive_naming_it():
    mononym = replace(PASSPORT, given_names="")  # the document prints a surname only
    result = run(passport_upload(mononym), {}, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["given_names_missing"]
    assert result.fields["surname"] == "MUELLER"
    assert not result.unusable  # the document was read: nothing to retake


def test_a_small_mrz_the_visual_zone_confirms_passes_and_the_reviewer_is_told():
    # MRZ characters set 7.5 px apart (a page scanned at about 75 dpi) are too small to trust
    # alone; the visual zone prints the name they spell.
    scan = photograph(render(PASSPORT)[-1], Capture(scale=7.5 / (2.54 * 12)))
    result = run([DocumentInput(content=scan, mime_type="image/png", kind="passport")], APPLICANT, {})
    assert result.result == PASSED
    assert result.fields["document_number"] == "C01X00T47"
    label = "line 1, small characters, as the visual zone prints it"
    assert result.details["provenance"]["surname"]["label"] == label


LINDQVIST = replace(PASSPORT, surname="Lindqvist", given_names="Anna", nationality="SWE")


def _name_in_doubt(monkeypatch, names, doubts=("name",)):
    """The reader leaves the passport's name spelt ``names`` ways, every check digit holding."""
    lines = list(LINDQVIST.mrz_lines())
    lines[0] = lines[0][:5] + names[-1]
    reading = MrzReading(lines=lines, mrz=None, doubts=list(doubts), names=list(names), stage="unsettled")
    monkeypatch.setattr(identity, "read_pages", lambda pages, search: reading)


def _fields(*names):
    return [name.ljust(39, "<") for name in names]


def test_a_name_read_two_ways_is_settled_by_the_declared_name_and_the_reviewer_told(monkeypatch):
    _name_in_doubt(monkeypatch, _fields("LINDQVIST<<ANNA", "LINDOVIST<<ANNA"))
    result = run(passport_upload(LINDQVIST), {"identity": {"first_name": "Anna", "last_name": "Lindqvist"}}, {})
    assert result.result == PASSED
    assert (result.fields["surname"], result.fields["given_names"]) == ("LINDQVIST", "ANNA")
    assert result.details["provenance"]["surname"]["label"] == "line 1, read two ways, as declared"
    assert "label" not in result.details["provenance"]["document_number"]


@pytest.mark.parametrize(
    "declared, names, doubts",
    [
        # Another name than either spelling: nothing tells which the document prints.
        ({"first_name": "Anna", "last_name": "Berg"}, ("LINDQVIST<<ANNA", "LINDOVIST<<ANNA"), ("name",)),
        # Both spellings an issuer may print for the declared Müller: still two names.
        ({"first_name": "Anna", "last_name": "Müller"}, ("MUELLER<<ANNA", "MULLER<<ANNA"), ("name",)),
        # The name is not the only doubt.
        ({"first_name": "Anna", "last_name": "Lindqvist"}, ("LINDQVIST<<ANNA", "LINDOVIST<<ANNA"), ("name", "document_type")),
        # No declared name to settle it.
        ({}, ("LINDQVIST<<ANNA", "LINDOVIST<<ANNA"), ("name",)),
    ],
)  # fmt: skip
def test_a_name_read_two_ways_stays_unreadable_unless_the_declared_name_is_exactly_one_of_them(
    monkeypatch, declared, names, doubts
):
    _name_in_doubt(monkeypatch, _fields(*names), doubts)
    result = run(passport_upload(LINDQVIST), {"identity": declared}, {})
    assert (result.result, result.reason_codes, result.unusable) == (INCONCLUSIVE, ["mrz_unreadable"], True)


FRENCH_CARD = replace(
    PASSPORT, format="FRA_ID", document_type="ID", nationality="FRA", document_number=f"{TODAY:%y}0175001234",
    optional_data="750012", expiry_date=date(TODAY.year + 15, 1, 1) - timedelta(days=1),
)  # fmt: skip
FRENCH_APPLICANT = {"identity": {**APPLICANT["identity"], "nationality": "FR"}}


def test_a_french_identity_card_passes_and_the_reviewer_is_told_what_it_implies():
    result = run(passport_upload(FRENCH_CARD), FRENCH_APPLICANT, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["nationality"] == "FRA"
    assert result.fields["expiry_date"] == FRENCH_CARD.expiry_date.isoformat()
    assert (result.fields["surname"], result.fields["given_names"]) == ("MUELLER", "JEAN LUC")
    provenance = result.details["provenance"]
    assert provenance["surname"] == {"source": "MRZ", "line": 1, "cells": [6, 30]}
    assert provenance["given_names"] == {"source": "MRZ", "line": 2, "cells": [14, 27]}
    assert "month of issue" in provenance["expiry_date"]["label"]
    assert "French nationals" in provenance["nationality"]["label"]


def test_a_french_identity_card_issued_more_than_15_years_ago_has_expired():
    old = replace(FRENCH_CARD, document_number="080175001234")
    result = run(passport_upload(old), FRENCH_APPLICANT, {})
    assert result.result == FAILED
    assert result.reason_codes == ["document_expired"]


def test_a_number_settled_by_the_visual_zone_says_so_to_the_reviewer():
    provenance = identity._provenance("TD3", {"document_number": "C01XG0T47", "surname": "MUELLER"}, "number_printed")
    assert provenance["document_number"]["label"] == "line 2, G or 6 read two ways, as the visual zone prints it"
    assert "label" not in provenance["surname"]


def test_a_french_card_surname_read_two_ways_is_settled_by_the_declared_surname(monkeypatch):
    lines = list(FRENCH_CARD.mrz_lines())
    spellings = [lines[0][5:30], lines[0][5:30].replace("MUELLER", "MUELLFR")]
    reading = MrzReading(lines=lines, mrz=None, doubts=["name"], names=spellings, stage="unsettled")
    monkeypatch.setattr(identity, "read_pages", lambda pages, search: reading)
    result = run(passport_upload(FRENCH_CARD), FRENCH_APPLICANT, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["surname"] == "MUELLER"
    assert result.details["provenance"]["surname"]["label"] == "line 1, read two ways, as declared"
