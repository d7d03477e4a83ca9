import pytest

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, document_analysis
from tests.documents import analysis, company
from tests.documents.address import bill_pdf, blank_page_png, french_bill, lines, text_pdf

# (document, expected type, fields it must yield)
CASES = {
    "kbis": (
        lambda: company.certificate_pdf(),
        lambda: company.certificate_png(photo=True),
        "company_certificate",
        {"registration_number": "443061841", "company_name": "ACME SOLUTIONS", "registration_date": "2010-06-01",
         "issue_date": "2025-03-12"},
    ),
    "certificate of incorporation": (
        lambda: company.certificate_pdf(company.BRITISH_COMPANY),
        lambda: company.certificate_png(company.BRITISH_COMPANY, photo=True),
        "company_certificate",
        {"registration_number": "SC123456", "registration_number_scheme": "uk_company_number",
         "company_name": "OXFORD WIDGETS LIMITED", "registration_date": "2015-09-21"},
    ),
    "rne": (
        lambda: analysis.rne_certificate().pdf(),
        lambda: analysis.rne_certificate().photo(),
        "rne_certificate",
        {"registration_number": "552100554", "company_name": "BOULANGERIE MARTIN", "registration_date": "2023-03-15"},
    ),
    "sirene": (
        lambda: analysis.sirene_notice().pdf(),
        lambda: analysis.sirene_notice().photo(),
        "business_registration_certificate",
        {"registration_number": "732829320", "siret": "73282932000074", "company_name": "ATELIER DUBOIS"},
    ),
    "gewerbeanmeldung": (
        lambda: analysis.gewerbeanmeldung().pdf(),
        lambda: analysis.gewerbeanmeldung().photo(),
        "business_registration_certificate",
        {"registration_number": "HRA 12345", "company_name": "Schreinerei Becker", "issue_date": "2026-10-14"},
    ),
    "carte grise": (
        lambda: analysis.carte_grise().pdf(),
        lambda: analysis.carte_grise().photo(),
        "vehicle_registration_document",
        {"plate_number": "AB-123-CD", "vin": "VF7SA9HZC8M052846", "holder_name": "DUPONT JEAN", "make": "RENAULT",
         "first_registration_date": "2019-05-14"},
    ),
    "certificat provisoire": (
        lambda: analysis.provisional_certificate().pdf(),
        lambda: analysis.provisional_certificate().photo(),
        "temporary_vehicle_registration_document",
        {"plate_number": "WW-482-KT", "vin": "VF7SA9HZC8M052846", "valid_until": "2026-11-19"},
    ),
    "permis de conduire": (
        lambda: analysis.driving_licence().pdf(),
        lambda: analysis.driving_licence().photo(),
        "driver_licence",
        {"last_name": "DUPONT", "first_names": "JEAN PIERRE", "birth_date": "1985-07-14", "issue_date": "2020-02-01",
         "expiry_date": "2035-02-01", "licence_number": "123456789012", "categories": ["AM", "A1", "B1", "B"]},
    ),
    "führerschein": (
        lambda: analysis.fuhrerschein().pdf(),
        lambda: analysis.fuhrerschein().photo(),
        "driver_licence",
        {"last_name": "MUSTERMANN", "first_names": "ERIKA", "categories": ["AM", "B"]},
    ),
    "carte vitale": (
        lambda: analysis.carte_vitale().pdf(),
        lambda: analysis.carte_vitale().photo(),
        "social_security",
        {"social_security_number": "1 85 07 75 123 456 08", "social_security_scheme": "fr_nir",
         "holder_name": "JEAN DUPONT", "sex": "M"},
    ),
}  # fmt: skip


def _check(document, expected_type, expected_fields, config):
    result = document_analysis.run([document], {}, config)

    assert result.result == PASSED, (result.reason_codes, result.fields)
    assert result.fields["detected_type"] == expected_type
    assert result.fields["confidence"] >= 0.5
    assert {name: result.fields[name] for name in expected_fields} == expected_fields


@pytest.mark.parametrize("name", CASES)
def test_text_layer_pdf_is_classified_and_its_key_fields_read(name):
    make_pdf, _, expected_type, expected_fields = CASES[name]

    document = DocumentInput(make_pdf(), "application/pdf")

    _check(document, expected_type, expected_fields, {"document_type": expected_type})


@pytest.mark.slow  # Tesseract on ten photos: about ten seconds together
@pytest.mark.parametrize("name", CASES)
def test_photo_is_classified_and_its_key_fields_read_by_ocr(name):
    _, make_photo, expected_type, expected_fields = CASES[name]

    _check(DocumentInput(make_photo(), "image/jpeg"), expected_type, expected_fields, {})


def test_permanent_and_temporary_registrations_are_told_apart():
    permanent = document_analysis.classify("CERTIFICAT D'IMMATRICULATION\nA. AB-123-CD")
    temporary = document_analysis.classify("CERTIFICAT PROVISOIRE D'IMMATRICULATION\nA. WW-482-KT")

    assert permanent[0] == "vehicle_registration_document"
    assert temporary[0] == "temporary_vehicle_registration_document"


def test_garbled_keyword_still_counts():
    detected, _, _ = document_analysis.classify("Certificat d'immatricu1ation\nA. AB-123-CD")

    assert detected == "vehicle_registration_document"


def test_wrong_document_for_the_step_is_a_type_mismatch():
    result = document_analysis.run(
        [DocumentInput(analysis.carte_vitale().pdf(), "application/pdf")], {}, {"document_type": "driver_licence"}
    )

    assert result.result == FAILED
    assert result.reason_codes == ["document_type_mismatch"]
    assert result.fields["detected_type"] == "social_security"
    assert result.details["expected_type"] == "driver_licence"


def test_unrelated_document_is_not_classified():
    result = document_analysis.run([DocumentInput(bill_pdf(french_bill()), "application/pdf")], {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["document_type_unknown"]
    assert result.fields["detected_type"] is None


def test_social_security_number_with_a_wrong_key_is_not_accepted():
    card = analysis.carte_vitale(number="1 85 07 75 123 456 09")

    result = document_analysis.run([DocumentInput(card.pdf(), "application/pdf")], {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["key_fields_missing"]
    assert result.details["missing_fields"] == ["social_security_number"]


def test_siren_with_a_bad_luhn_digit_is_not_taken_as_the_registration_number():
    certificate = analysis.rne_certificate(siren="552 100 555")

    result = document_analysis.run([DocumentInput(certificate.pdf(), "application/pdf")], {}, {})

    assert result.fields["registration_number"] is None
    assert result.reason_codes == ["key_fields_missing"]


def test_labelled_siren_wins_over_other_numbers_passing_luhn():
    # 443 061 841 passes the Luhn test too, but it is a phone number here.
    page = lines("Registre national des entreprises", "Téléphone : 443 061 841", "SIREN : 552 100 554")

    result = document_analysis.run([DocumentInput(text_pdf(page), "application/pdf")], {}, {})

    assert result.fields["registration_number"] == "552100554"


def test_labels_are_found_whatever_the_punctuation():
    page = ["Dénomination ou raison sociale : ACME", "Date d'immatriculation", "01/06/2010"]

    assert document_analysis.value_after_label(page, ["denomination ou raison sociale"]) == "ACME"
    assert document_analysis.value_after_label(page, ["date d immatriculation"]) == "01/06/2010"
    assert document_analysis.value_after_label(page, ["raison"]) == "sociale : ACME"
    assert document_analysis.value_after_label(page, ["siege"]) is None


@pytest.mark.parametrize(
    "document",
    [DocumentInput(blank_page_png(), "image/png"), DocumentInput(b"%PDF-1.4 broken", "application/pdf")],
    ids=["blank page", "broken pdf"],
)
def test_document_without_text_is_unreadable(document):
    result = document_analysis.run([document], {}, {"document_type": "driver_licence"})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["document_unreadable"]
    assert result.unusable is True


def test_text_only_pdf_of_another_language_is_classified():
    licence = text_pdf(lines("DRIVING LICENCE", "UNITED KINGDOM", "1. SMITH", "2. JOHN", "5. SMITH801145J99AB"))

    result = document_analysis.run([DocumentInput(licence, "application/pdf")], {}, {"document_type": "driver_licence"})

    assert result.result == PASSED
    assert (result.fields["last_name"], result.fields["licence_number"]) == ("SMITH", "SMITH801145J99AB")
