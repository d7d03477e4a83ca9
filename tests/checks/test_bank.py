import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from schwifty import IBAN

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, get_check
from onboarding.checks.bank import find_bic, find_ibans, run, validate_iban
from onboarding.checks.ocr_text import TextLine, installed_languages
from tests.documents.bank import (
    BRITISH_ACCOUNT,
    FRENCH_ACCOUNT,
    GERMAN_ACCOUNT,
    Line,
    bank_letter_pdf,
    bank_letter_png,
    render_pdf,
    render_png,
    smudged_holder_letter,
)

JEAN_DUPONT = {"identity": {"first_name": "Jean", "last_name": "Dupont"}}


def pdf(details=FRENCH_ACCOUNT):
    return [DocumentInput(bank_letter_pdf(details), "application/pdf")]


def test_bank_account_is_the_registered_check():
    assert get_check("bank_account") is run


def test_rib_pdf_passes_with_fields_extracted():
    result = run(pdf(), JEAN_DUPONT, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields == {
        "iban": "FR7630004000011234567890173",
        "bic": "BNPAFRPPXXX",
        "bank_name": "BNP PARIBAS",
        "holder_name": "JEAN DUPONT",
        "country": "FR",
    }
    assert result.details["source"] == "document"
    assert result.details["sources"]["holder_name"] == {
        "source": "pdf",
        "label": "Titulaire du compte",
        "line": "Titulaire du compte : M. JEAN DUPONT",
    }
    assert result.details["sources"]["bic"]["label"] == "Code BIC"


@pytest.mark.parametrize("photo", [False, True], ids=["scan", "phone-photo"])
def test_rib_image_is_read_by_ocr(photo):
    document = DocumentInput(bank_letter_png(photo=photo), "image/jpeg" if photo else "image/png")
    result = run([document], JEAN_DUPONT, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["iban"] == "FR7630004000011234567890173"
    assert result.fields["bic"] == "BNPAFRPPXXX"


def test_british_letter_image_passes_and_names_the_bank():
    document = DocumentInput(bank_letter_png(BRITISH_ACCOUNT), "image/png")
    result = run([document], {"identity": {"first_name": "Oliver", "last_name": "Smith"}}, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["iban"] == "GB29NWBK60161331926819"
    assert result.fields["bank_name"] == "NATIONAL WESTMINSTER BANK PUBLIC LIMITED COMPANY"
    assert result.fields["country"] == "GB"


def test_holder_with_middle_name_and_reversed_order_matches():
    known = {"identity": {"first_name": "Anna", "last_name": "Eriksson"}}
    result = run(pdf(replace(GERMAN_ACCOUNT, holder_name="ERIKSSON ANNA MARIA")), known, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["bank_name"] == "Commerzbank"


def test_account_held_by_the_company_matches_a_legal_person():
    known = {"company": {"company_name": "Acme Solutions SAS"}}
    result = run(pdf(replace(FRENCH_ACCOUNT, holder_name="ACME SOLUTIONS")), known, {})
    assert result.result == PASSED, result.reason_codes


def test_someone_elses_account_fails():
    result = run(pdf(), {"identity": {"first_name": "Marie", "last_name": "Martin"}}, {})
    assert result.result == FAILED
    assert result.reason_codes == ["holder_name_mismatch"]
    assert result.fields["holder_name"] == "JEAN DUPONT"


def test_threshold_comes_from_the_workflow_settings():
    known = {"identity": {"first_name": "Jean", "last_name": "Dupond"}}
    assert run(pdf(), known, {}).result == PASSED
    assert run(pdf(), known, {"name_match_threshold": 0.99}).reason_codes == ["holder_name_mismatch"]


def test_wrong_iban_checksum_is_invalid():
    result = run(pdf(replace(FRENCH_ACCOUNT, iban="FR7730004000011234567890173")), JEAN_DUPONT, {})
    assert result.result == FAILED
    assert result.reason_codes == ["iban_invalid"]
    assert result.fields["iban"] == "FR7730004000011234567890173"
    assert "checksum" in result.details["iban_error"].lower()


def test_wrong_national_check_digits_are_invalid():
    # Same bank and account, RIB key changed and ISO checksum recomputed: only the national check catches it.
    tampered = IBAN.from_bban("FR", "30004000011234567890100")
    result = run(pdf(replace(FRENCH_ACCOUNT, iban=str(tampered))), JEAN_DUPONT, {})
    assert result.reason_codes == ["iban_invalid"]
    assert result.details["iban_error"] == "Invalid national checksum"


def test_bic_of_another_bank_is_a_mismatch():
    result = run(pdf(replace(FRENCH_ACCOUNT, bic="COBADEFFXXX")), JEAN_DUPONT, {})
    assert result.reason_codes == ["bic_iban_mismatch"]


def test_bic_of_another_french_bank_is_a_mismatch():
    result = run(pdf(replace(FRENCH_ACCOUNT, bic="AGRIFRPPXXX")), JEAN_DUPONT, {})
    assert result.reason_codes == ["bic_iban_mismatch"]


def test_malformed_bic_is_invalid():
    result = run(pdf(replace(FRENCH_ACCOUNT, bic="BNPAF1PP")), JEAN_DUPONT, {})
    assert result.result == FAILED
    assert result.reason_codes == ["bic_invalid"]


def test_document_iban_different_from_the_known_one_fails():
    known = {**JEAN_DUPONT, "bank_account": {"iban": "DE89 3704 0044 0532 0130 00"}}
    result = run(pdf(), known, {})
    assert result.reason_codes == ["iban_mismatch"]


def test_document_iban_equal_to_the_known_one_in_another_spelling_passes():
    known = {**JEAN_DUPONT, "bank_account": {"iban": "fr76 3000 4000 0112 3456 7890 173"}}
    assert run(pdf(), known, {}).result == PASSED


def test_typed_iban_without_document_is_validated_and_completed_from_the_registry():
    result = run([], {"bank_account": {"iban": "DE89 3704 0044 0532 0130 00"}}, {})
    assert result.result == PASSED
    assert result.fields["bic"] == "COBADEFFXXX"
    assert result.fields["bank_name"] == "Commerzbank"
    assert result.details["source"] == "typed"


def test_typed_invalid_iban_fails():
    result = run([], {"bank_account": {"iban": "DE89 3704 0044 0532 0130 01"}}, {})
    assert result.reason_codes == ["iban_invalid"]
    assert not result.unusable


def test_typed_iban_is_refused_when_the_step_wants_a_document():
    known = {"bank_account": {"iban": "DE89370400440532013000"}}
    assert run([], known, {"allow_typed_iban": False}).reason_codes == ["iban_not_found"]
    assert run([], known, {"require_document": True}).reason_codes == ["iban_not_found"]


def test_document_without_iban_is_unusable():
    document = DocumentInput(render_pdf([Line("Merci pour votre confiance, à bientôt.")]), "application/pdf")
    result = run([document], JEAN_DUPONT, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["iban_not_found"]
    assert result.unusable


def test_bytes_that_are_no_document_are_unusable():
    result = run([DocumentInput(b"\x89PNG\r\n\x1a\n truncated", "image/png")], JEAN_DUPONT, {})
    assert result.unusable
    assert result.reason_codes == ["document_unreadable"]


def test_holder_missing_from_document_is_inconclusive():
    lines = [Line("IBAN : FR76 3000 4000 0112 3456 7890 173"), Line("BIC : BNPAFRPPXXX")]
    result = run([DocumentInput(render_pdf(lines), "application/pdf")], JEAN_DUPONT, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_not_found"]


def smudged(blur):
    return [DocumentInput(smudged_holder_letter(blur), "image/png")]


def test_holder_read_with_a_slip_is_not_reported_as_read():
    result = run(smudged(1.6), {}, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_unsure"]
    assert result.fields["holder_name"].startswith("JEAN")  # what was read, for the reviewer


def test_holder_unsure_and_unlike_the_applicant_goes_to_a_reviewer_rather_than_failing():
    result = run(smudged(1.6), JEAN_DUPONT, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_unsure"]


def test_smudge_read_as_signs_is_no_surname():
    result = run(smudged(2.2), {}, {})
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_not_found"]


def test_applicant_name_confirms_a_holder_ocr_was_unsure_of(monkeypatch):
    lines = [
        TextLine(
            "Titular de la cuenta: Sr. Javier Garcia Lopez", (0, 0, 400, 20), confidences=(96, 96, 96, 96, 96, 93, 35)
        ),
        TextLine("IBAN: ES09 3067 1149 4956 1246 5510", (0, 40, 400, 60), confidences=(96,) * 7),
    ]
    monkeypatch.setattr("onboarding.checks.bank.document_lines", lambda documents: lines)
    document = [DocumentInput(b"\x89PNG", "image/png")]
    assert run(document, {}, {}).reason_codes == ["holder_name_unsure"]
    known = {"identity": {"first_name": "Javier", "last_name": "García López"}}
    result = run(document, known, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Javier Garcia Lopez"


SPANISH_LETTER = [
    Line("Titular de la cuenta: Sr. Javier García López"),
    Line("IBAN: ES09 3067 1149 4956 1246 5510", gap=14),
]


def spanish_letter(photo):
    return [DocumentInput(render_png(SPANISH_LETTER, photo=photo), "image/jpeg" if photo else "image/png")]


needs_models = pytest.mark.skipif(
    not {"spa", "nld"} <= installed_languages(), reason="Tesseract's Spanish and Dutch models (see the Makefile)"
)


@needs_models
def test_accents_the_two_readers_dispute_are_settled_by_a_model_that_writes_both():
    # Tesseract's page pass, with no Spanish model, reads "López" as "Löpez" at word confidence
    # 92; the recogniser reads "López". Spanish has no "ö": the Dutch model, which writes both,
    # reads the holder a third time and spells it like the recogniser.
    result = run(spanish_letter(photo=False), {}, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Javier García López"
    holder = result.details["sources"]["holder_name"]
    assert holder["line"] == "Titular de la cuenta: Sr. Javier Garcia Löpez"
    assert holder["second_reading"] == holder["third_reading"] == "Javier García López"
    assert holder["third_reading_language"] == "nld"


def holder_read_three_times(monkeypatch, first, second, third, applicant=None):
    """The check on a Spanish page whose holder Tesseract's page pass reads ``first``, the
    recogniser ``second`` and Tesseract with one language model ``third``."""
    words = ["Titular", "de", "la", "cuenta:", "Sr.", *first.split()]
    boxes = tuple((index * 60, 0, index * 60 + 50, 20) for index in range(len(words)))
    lines = [
        TextLine(f"Titular de la cuenta: Sr. {first}", (0, 0, boxes[-1][2], 20), confidences=(96,) * len(words),
                 word_boxes=boxes, scan=Image.new("L", (800, 100), 255)),
        TextLine("IBAN: ES09 3067 1149 4956 1246 5510", (0, 40, 400, 60), confidences=(96,) * 7),
    ]  # fmt: skip
    monkeypatch.setattr("onboarding.checks.bank.document_lines", lambda documents: lines)
    monkeypatch.setattr("onboarding.checks.holder_reading.second_reading", lambda found: (second, ()))
    monkeypatch.setattr("onboarding.checks.holder_reading.read_line", lambda scan, box, lang: third)
    return run([DocumentInput(b"\x89PNG", "image/png")], applicant or {}, {})


@needs_models
def test_third_reading_that_spells_the_holder_like_the_recogniser_settles_the_accents(monkeypatch):
    result = holder_read_three_times(monkeypatch, "Javier García Lépez", "Javier García López", "Javier Garcia López")
    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Javier García López"
    assert result.details["sources"]["holder_name"]["third_reading_language"] == "spa"  # writes both é and ó


@needs_models
@pytest.mark.parametrize(
    "third",
    [
        "Javier García Lápez",  # a third spelling: three readers, three names
        "Javier García Lepez",  # without the disputed accent: it agrees with both
        "Javier García Lépez",  # Tesseract twice: one engine on the same pixels repeats its slips
    ],
)
def test_third_reading_that_does_not_side_with_the_recogniser_leaves_the_holder_unsure(monkeypatch, third):
    result = holder_read_three_times(monkeypatch, "Javier García Lépez", "Javier García López", third)
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_unsure"]
    assert result.details["sources"]["holder_name"]["third_reading"] == third


def test_no_third_reading_where_no_model_writes_the_disputed_letters(monkeypatch):
    # No Tesseract model writes the Hungarian "ő": its reading would say nothing about it.
    result = holder_read_three_times(monkeypatch, "Anna Szöke", "Anna Szőke", "Anna Szőke")
    assert result.reason_codes == ["holder_name_unsure"]
    assert "third_reading" not in result.details["sources"]["holder_name"]


def test_applicant_name_says_which_reading_of_the_holder_is_right(monkeypatch):
    # Three readers, three spellings: the applicant's name, exactly one of them, decides.
    known = {"identity": {"first_name": "Javier", "last_name": "Garcia Lopez"}}
    result = holder_read_three_times(monkeypatch, "Javier García Lépez", "Javier García López", "Javier García Lápez",
                                     known)  # fmt: skip
    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Javier García López"


def test_applicant_name_a_word_short_of_the_readings_does_not_settle_them(monkeypatch):
    known = {"identity": {"first_name": "Javier", "last_name": "García"}}
    result = holder_read_three_times(monkeypatch, "Javier García Lépez", "Javier García López", "Javier García Lápez",
                                     known)  # fmt: skip
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_unsure"]


def test_holder_both_readers_read_alike_is_read_on_a_rescaled_and_levelled_photo():
    # Tesseract reads the photo enlarged and turned level: the recogniser must read the holder
    # in those pixels, not at the same coordinates of the photo as uploaded.
    result = run(spanish_letter(photo=True), {}, {})
    assert result.result == PASSED, result.reason_codes
    # Tesseract drops the accents it has no model for; the recogniser keeps them.
    assert result.fields["holder_name"] == "Javier García López"
    assert result.details["sources"]["holder_name"]["second_reading"] == "Javier García López"


def test_holder_both_readers_read_alike_is_checked_against_the_applicant():
    known = {"identity": {"first_name": "Lucía", "last_name": "Martín"}}
    result = run(spanish_letter(photo=True), known, {})
    assert result.result == FAILED
    assert result.reason_codes == ["holder_name_mismatch"]


def test_ocr_letters_in_digit_positions_are_repaired_when_the_checksum_agrees():
    # Bank and branch codes are digits in a French IBAN: "O" there can only be a zero.
    text = "IBAN : FR76 3OOO 4OOO O112 3456 7890 173"
    assert find_ibans(text)[0] == ("FR7630004000011234567890173", True)


def test_letters_in_an_alphanumeric_account_number_are_not_guessed():
    text = "IBAN : FR76 3000 4000 0112 3456 789O 173"
    assert find_ibans(text) == [("FR763000400001123456789O173", False)]


def test_letters_in_digit_positions_stay_invalid_when_the_checksum_disagrees():
    # "S" read as 5 gives a wrong checksum: the candidate is kept as printed and reported invalid.
    text = "IBAN : FR76 3000 4000 0112 34S6 7890 174"
    assert find_ibans(text) == [("FR7630004000011234S67890174", False)]


def test_iban_inside_running_text_is_found_with_its_bic():
    text = "Merci de virer le montant sur le compte FR76 3000 4000 0112 3456 7890 173 (BIC BNPAFRPPXXX) avant le 12."
    assert find_ibans(text)[0] == ("FR7630004000011234567890173", True)
    assert find_bic(text, "FR") == "BNPAFRPPXXX"


def test_spaced_bic_after_its_label_is_joined():
    assert find_bic("Code BIC : BNPA FR PP XXX\nDomiciliation : Paris") == "BNPAFRPPXXX"
    assert find_bic("BIC: BNPAFRPP Agence Opéra") == "BNPAFRPP"


SEPA_COUNTRIES = ["AT", "BE", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "LU", "NL", "NO", "PL", "PT", "SE"]


def _random_iban(country, seed):
    return str(IBAN.random(country_code=country, random=random.Random(seed)))


@settings(max_examples=60, deadline=None)
@given(
    country=st.sampled_from(SEPA_COUNTRIES),
    seed=st.integers(0, 10**6),
    cuts=st.lists(st.integers(4, 30), max_size=6),
    lower=st.booleans(),
)
def test_valid_iban_survives_spacing_and_case(country, seed, cuts, lower):
    iban = _random_iban(country, seed)
    spaced = iban
    for cut in sorted(set(cuts), reverse=True):
        spaced = spaced[:cut] + " " + spaced[cut:]
    spaced = spaced.lower() if lower else spaced
    assert validate_iban(spaced)[0] == iban
    assert find_ibans(f"IBAN : {spaced}\n")[0] == (iban, True)


@settings(max_examples=60, deadline=None)
@given(country=st.sampled_from(SEPA_COUNTRIES), seed=st.integers(0, 10**6), data=st.data())
def test_iban_with_one_digit_changed_is_rejected(country, seed, data):
    iban = _random_iban(country, seed)
    digit_positions = [index for index, char in enumerate(iban) if char.isdigit()]
    position = data.draw(st.sampled_from(digit_positions))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != iban[position]]))
    changed = iban[:position] + replacement + iban[position + 1 :]
    assert validate_iban(changed)[0] is None
    assert find_ibans(f"IBAN : {changed}\n") == [(changed, False)]


def test_nothing_submitted_is_not_found_without_costing_an_attempt():
    result = run([], JEAN_DUPONT, {})
    assert result.reason_codes == ["iban_not_found"]
    assert not result.unusable


def test_empty_upload_is_unusable():
    result = run([DocumentInput(b"", "image/jpeg")], JEAN_DUPONT, {})
    assert result.unusable
    assert result.reason_codes == ["document_unreadable"]


def test_a_typed_iban_differing_from_the_one_on_file_is_flagged():
    known = {
        "identity": {"first_name": "Anna", "last_name": "Eriksson"},
        "bank_account": {"iban": "FR7630006000011234567890189"},
        "form": {"bank_account": {"iban": "DE89370400440532013000"}},
    }
    outcome = run([], known, {})
    assert outcome.fields["iban"].replace(" ", "") == "DE89370400440532013000"
    assert outcome.reason_codes == ["iban_mismatch"]
    assert outcome.result == FAILED


def test_a_typed_iban_equal_to_the_one_on_file_passes():
    known = {
        "bank_account": {"iban": "FR7630006000011234567890189"},
        "form": {"bank_account": {"iban": "FR76 3000 6000 0112 3456 7890 189"}},
    }
    assert run([], known, {}).result == PASSED


# -- six countries' layouts: holders beside branches, titles, BIC forms --------------------


def _account(country, seed=1, **overrides):
    from tests.documents.bank import random_account

    return replace(random_account(random.Random(seed), country), **overrides)


@pytest.mark.parametrize("country", ["FR", "DE", "ES", "IT", "NL", "BE"])
def test_holder_beside_the_branch_is_read_in_each_language(country):
    from tests.documents.bank import _rib_columns, text_pdf

    account = _account(country)
    result = run([DocumentInput(text_pdf(_rib_columns(account)), "application/pdf")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"].casefold() == account.holder.casefold()
    assert result.fields["iban"] == account.iban.compact
    assert result.details["sources"]["holder_name"]["source"] == "pdf"


def test_branch_name_under_the_holder_label_is_not_taken_for_the_holder():
    lines = [Line("Titulaire du compte"), Line("AGENCE PARIS OPERA"), Line("29 BOULEVARD HAUSSMANN"),
             Line("IBAN : FR76 3000 4000 0112 3456 7890 173")]  # fmt: skip
    result = run([DocumentInput(render_pdf(lines), "application/pdf")], {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_not_found"]
    assert result.fields["holder_name"] == ""


def test_dutch_holder_label_and_title_are_not_part_of_the_name():
    lines = [Line("Houder M. de Vries-Jansen"), Line("IBAN NL91ABNA0417164300"), Line("BIC ABNANL2A")]
    result = run([DocumentInput(render_pdf(lines), "application/pdf")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "de Vries-Jansen"
    assert result.fields["bic"] == "ABNANL2A"


def test_bic_label_without_a_readable_bic_is_missing_not_replaced():
    lines = [Line("Titulaire du compte : M. JEAN DUPONT"), Line("IBAN : FR76 3000 4000 0112 3456 7890 173"),
             Line("BIC : ?")]  # fmt: skip
    result = run([DocumentInput(render_pdf(lines), "application/pdf")], JEAN_DUPONT, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["bic_missing"]


def test_bic_with_and_without_branch_code_matches_the_iban():
    for bic in ("BNPAFRPP", "BNPAFRPPXXX", "BNPA FR PP XXX"):
        result = run(pdf(replace(FRENCH_ACCOUNT, bic=bic)), JEAN_DUPONT, {})
        assert result.result == PASSED, (bic, result.reason_codes)
        assert result.fields["bic"].removesuffix("XXX") == "BNPAFRPP"


def test_bic_read_with_a_digit_for_a_letter_is_repaired_only_when_the_registry_knows_it():
    result = run(pdf(replace(FRENCH_ACCOUNT, bic="BNPAFRPP")), JEAN_DUPONT, {})
    assert result.fields["bic"] == "BNPAFRPP"
    repaired = run(pdf(replace(FRENCH_ACCOUNT, bic="8NPAFRPP")), JEAN_DUPONT, {})
    assert repaired.fields["bic"] == "BNPAFRPP"
    assert repaired.result == PASSED


def test_italian_cin_read_as_a_digit_is_repaired_when_the_checksum_agrees():
    # The CIN "S" read as a 5: a letter is the only thing that position can hold.
    assert find_ibans("IBAN IT78 5054 2811 1010 0000 0123 451")[0] == ("IT78S0542811101000000123451", True)


@pytest.mark.slow  # one Tesseract page of a phone screen: about five seconds
def test_banking_app_screenshot_is_read():
    from tests.documents.bank import app_screenshot

    account = _account("NL", seed=3, title="Mevrouw", first_name="Anna", last_name="de Vries", compact_iban=False)
    result = run([DocumentInput(app_screenshot(account, random.Random(0)), "image/png")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Anna de Vries"
    assert result.fields["iban"] == account.iban.compact
    assert result.details["sources"]["holder_name"]["label"] == "Rekeninghouder"


# -- holders that were taken wrongly: a title, a second label, a branch, an address line ----------


def _text_pdf(*rows):
    from tests.documents.address import lines, text_pdf

    return [DocumentInput(text_pdf(lines(*rows)), "application/pdf")]


def test_italian_and_spanish_titles_are_not_part_of_the_holder():
    for printed, name in [("Dott. Alessandro Esposito", "Alessandro Esposito"), ("Dña. Lucía Martín Ruiz",
                          "Lucía Martín Ruiz"), ("D. Javier García López", "Javier García López")]:  # fmt: skip
        result = run(_text_pdf(f"Intestatario: {printed}", "IBAN: IT60 X054 2811 1010 0000 0123 456"), {}, {})
        assert result.result == PASSED, result.reason_codes
        assert result.fields["holder_name"] == name


def test_bilingual_label_is_not_read_as_the_holder():
    result = run(_text_pdf("Titulaire / Houder : M. Luc Peeters", "IBAN BE68 5390 0754 7034"), {}, {})
    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Luc Peeters"
    assert result.details["sources"]["holder_name"]["label"] == "Titulaire"


def test_unreadable_holder_under_its_label_is_missing_not_the_address_line_under_it():
    # OCR read a 0 for an O in the name: the line under it is the holder's address, not the holder.
    result = run(_text_pdf("Titulaire du compte :", "M. JEAN DUP0NT", "LE CLOS DES VIGNES", "33000 BORDEAUX",
                           "IBAN : FR76 3000 4000 0112 3456 7890 173"), {}, {})  # fmt: skip
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_not_found"]


def test_branch_in_the_next_cell_of_the_holder_label_is_not_the_holder():
    from tests.documents.address import beside

    result = run(_text_pdf("Titulaire du compte :", beside("LYON BELLECOUR"), "Domiciliation : LYON BELLECOUR",
                           "IBAN : FR76 3000 4000 0112 3456 7890 173"), {}, {})  # fmt: skip
    assert result.result == INCONCLUSIVE
    assert result.fields["holder_name"] == ""


def test_the_bank_itself_is_not_the_holder():
    result = run(_text_pdf("Titulaire du compte", "BNP PARIBAS OPERA", "IBAN : FR76 3000 4000 0112 3456 7890 173"),
                 {}, {})  # fmt: skip
    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_not_found"]


@pytest.mark.slow  # Tesseract on a phone screen: several seconds
def test_dark_mode_app_screen_with_a_gendered_label_is_read():
    from tests.documents.bank_varied import COUNTRIES, Holder, app_screen

    account = _account("DE", seed=4)
    labels = {"holder": "Kontoinhaber/in", "branch": "Filiale", "bic": "BIC"}
    screen = app_screen(account, Holder("Frau", "Anna Schmidt"), labels, COUNTRIES["DE"].branches[0],
                        random.Random(5), "tuning_3", theme="dark")  # fmt: skip
    result = run([DocumentInput(screen, "image/png")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Anna Schmidt"
    assert result.fields["iban"] == account.iban.compact
