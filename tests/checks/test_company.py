from dataclasses import replace

import pytest
from stdnum.exceptions import ValidationError

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, get_check
from onboarding.checks.company import find_registration_number, run, validate_registration_number
from tests.documents.bank import Line, render_pdf
from tests.documents.company import BRITISH_COMPANY, FRENCH_COMPANY, certificate_pdf, certificate_png

ACME = {"company": {"company_name": "Acme Solutions SAS", "registration_number": "443 061 841", "country_code": "FR"}}


def kbis_pdf(company=FRENCH_COMPANY):
    return [DocumentInput(certificate_pdf(company), "application/pdf")]


def with_company(**changes):
    return {"company": {**ACME["company"], **changes}}


def test_company_registry_is_the_registered_check():
    assert get_check("company_registry") is run


def test_declared_siren_and_matching_kbis_pass():
    result = run(kbis_pdf(), ACME, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields == {
        "registration_number": "443061841",
        "number_type": "siren",
        "country_code": "FR",
        "company_name": "ACME SOLUTIONS",
    }


def test_kbis_photo_is_read_by_ocr():
    result = run([DocumentInput(certificate_png(photo=True), "image/jpeg")], ACME, {})
    assert result.result == PASSED, result.reason_codes
    assert result.details["certificate_registration_number"] == "443061841"
    assert result.details["certificate_company_name"] == "ACME SOLUTIONS"


def test_british_certificate_image_passes():
    known = {
        "company": {"company_name": "Oxford Widgets Ltd", "registration_number": "sc 123456", "country_code": "GB"}
    }
    result = run([DocumentInput(certificate_png(BRITISH_COMPANY), "image/png")], known, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["registration_number"] == "SC123456"
    assert result.fields["number_type"] == "company_number"


def test_declared_siret_of_the_certified_siren_passes():
    result = run(kbis_pdf(), with_company(registration_number="443 061 841 00047"), {})
    assert result.result == PASSED
    assert result.fields["number_type"] == "siret"
    assert result.fields["registration_number"] == "44306184100047"


def test_siren_with_bad_luhn_is_invalid():
    result = run([], with_company(registration_number="443 061 842"), {})
    assert result.result == FAILED
    assert result.reason_codes == ["registration_number_invalid"]
    assert result.fields["registration_number"] == "443061842"


def test_siret_with_bad_luhn_is_invalid():
    assert run([], with_company(registration_number="44306184100048"), {}).reason_codes == [
        "registration_number_invalid"
    ]


def test_certificate_of_another_company_number_is_a_mismatch():
    result = run(kbis_pdf(), with_company(registration_number="732 829 320"), {})
    assert result.reason_codes == ["registration_number_mismatch"]


def test_certificate_of_another_company_name_is_a_mismatch():
    result = run(kbis_pdf(replace(FRENCH_COMPANY, name="GLOBEX INDUSTRIES")), ACME, {})
    assert result.result == FAILED
    assert result.reason_codes == ["company_name_mismatch"]


def test_number_is_taken_from_the_certificate_when_not_declared():
    known = {"company": {"company_name": "ACME Solutions", "country_code": "FR"}}
    result = run(kbis_pdf(), known, {})
    assert result.result == PASSED
    assert result.fields["registration_number"] == "443061841"
    assert result.details["source"] == "certificate"


def test_number_typed_in_the_form_is_used():
    known = {"form": {"company_name": "ACME", "registration_number": "443061841", "country_code": "fr"}}
    result = run([], known, {})
    assert result.result == PASSED
    assert result.fields["country_code"] == "FR"


def test_no_number_anywhere_is_missing():
    result = run([], {"company": {"company_name": "ACME", "country_code": "FR"}}, {})
    assert result.result == FAILED
    assert result.reason_codes == ["registration_number_missing"]


@pytest.mark.parametrize("country", ["XX", "US", ""])
def test_country_without_known_number_types_is_inconclusive(country):
    result = run([], with_company(country_code=country, registration_number="12345"), {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["country_not_supported"]


def test_country_outside_the_step_list_fails():
    result = run([], ACME, {"countries": ["DE", "AT"]})
    assert result.reason_codes == ["country_not_allowed"]


def test_step_requiring_a_certificate_waits_for_one():
    assert run([], ACME, {"require_certificate": True}).reason_codes == ["certificate_missing"]


def test_unrelated_document_is_unusable():
    document = DocumentInput(render_pdf([Line("Facture d'électricité, merci de votre paiement")]), "application/pdf")
    result = run([document], ACME, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["certificate_unreadable"]
    assert result.unusable


def test_bytes_that_are_no_document_are_unusable():
    result = run([DocumentInput(b"%PDF-1.4 broken", "application/pdf")], ACME, {})
    assert result.unusable
    assert result.reason_codes == ["document_unreadable"]


@pytest.mark.parametrize(
    "number, country, compact, number_type",
    [
        ("443 061 841", "FR", "443061841", "siren"),
        ("443 061 841 00047", "FR", "44306184100047", "siret"),
        ("RCS Paris B 443 061 841", "FR", "RCS Paris B 443061841", "rcs"),
        ("FR 40 303 265 045", "FR", "40303265045", "vat"),
        ("1234567", "GB", "01234567", "company_number"),
        ("NI 012345", "GB", "NI012345", "company_number"),
        ("GB 980 7806 84", "GB", "980780684", "vat"),
        ("Amtsgericht Aachen HRA 11223", "DE", "Aachen HRA 11223", "handelsregisternummer"),
        ("DE 136 695 976", "DE", "136695976", "vat"),
        ("FN 122119m", "AT", "122119m", "firmenbuchnummer"),
        ("0403.170.701", "BE", "0403170701", "enterprise_number"),
        ("12345678", "NL", "12345678", "kvk_number"),
        ("A13585625", "ES", "A13585625", "cif"),
        ("00743110157", "IT", "00743110157", "partita_iva"),
        ("CHE-100.155.212", "CH", "CHE100155212", "uid"),
        ("2077474-0", "FI", "20774740", "y_tunnus"),
        ("988077917", "NO", "988077917", "orgnr"),
    ],
)
def test_registration_numbers_per_country(number, country, compact, number_type):
    assert validate_registration_number(number, country) == (compact, number_type)


@pytest.mark.parametrize(
    "number, country",
    [("443061842", "FR"), ("12345", "FR"), ("XY123456", "GB"), ("Atlantis HRB 12345", "DE"), ("0403.170.702", "BE")],
)
def test_invalid_registration_numbers_per_country(number, country):
    with pytest.raises(ValidationError):
        validate_registration_number(number, country)


def test_german_register_number_is_found_with_its_court():
    text = "Handelsregisterauszug\nAmtsgericht München HRB 12345\nFirma: Beispiel GmbH"
    assert find_registration_number(text, "DE") == ("München HRB 12345", "handelsregisternummer")


def test_dates_and_amounts_are_not_taken_for_a_number():
    text = "Date d'immatriculation : 01 06 2010\nCapital social : 10 000 000 Euros"
    assert find_registration_number(text, "GB") is None
    assert find_registration_number(text, "FR") is None


def test_empty_upload_is_unusable():
    result = run([DocumentInput(b"", "application/pdf")], ACME, {})
    assert result.unusable
    assert result.reason_codes == ["document_unreadable"]
