import io
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image, ImageFilter

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, DocumentInput, proof_of_address
from onboarding.checks.ocr_text import TextLine
from tests.documents.address import (
    bill_image,
    bill_lines,
    bill_pdf,
    bill_photo,
    blank_page_png,
    english_bill,
    french_bill,
    german_bill,
    lines,
    tax_notice,
    text_pdf,
)
from tests.documents.twoddoc import render

JEAN = {
    "identity": {"first_name": "Jean", "last_name": "Dupont"},
    "address": {"line_1": "12 rue des Lilas", "zip_code": "75011", "city": "Paris", "country": "FR"},
}
MAX = {
    "identity": {"first_name": "Max", "last_name": "Mustermann"},
    "address": {"line_1": "Lindenstr. 5", "zip_code": "10115", "city": "Berlin", "country": "DE"},
}
JOHN = {
    "identity": {"first_name": "John", "last_name": "Smith"},
    "address": {"line_1": "221B Baker Street", "zip_code": "NW1 6XE", "city": "London", "country": "GB"},
}
MARIE = {
    "identity": {"first_name": "Marie", "last_name": "Martin"},
    "address": {"line_1": "8 av. Jean Jaurès", "zip_code": "69007", "city": "Lyon", "country": "FR"},
}


def pdf(data):
    return [DocumentInput(data, "application/pdf")]


def photo(data):
    return [DocumentInput(data, "image/jpeg")]


def test_french_electricity_bill_pdf_passes():
    bill = french_bill()

    result = proof_of_address.run(pdf(bill_pdf(bill)), JEAN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "JEAN DUPONT"
    assert result.fields["address"] == {"line_1": "12 RUE DES LILAS", "line_2": None, "zip_code": "75011",
                                        "city": "PARIS", "country": "FR"}  # fmt: skip
    assert result.fields["issue_date"] == bill.issue_date.isoformat()
    assert (result.fields["document_type"], result.fields["service"]) == ("utility_bill", "electricity")
    assert result.fields["issuer"] == "EDF"
    assert result.fields["twoddoc"] is None


def test_photographed_german_stromrechnung_passes():
    bill = german_bill()

    result = proof_of_address.run(photo(bill_photo(bill)), MAX, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Max Mustermann"
    assert result.fields["address"]["zip_code"] == "10115"
    assert result.fields["address"]["country"] == "DE"
    assert result.fields["issue_date"] == bill.issue_date.isoformat()
    assert result.fields["service"] == "electricity"


def test_photographed_english_water_bill_passes():
    bill = english_bill()

    result = proof_of_address.run(photo(bill_photo(bill)), JOHN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "John Smith"
    assert result.fields["address"] == {"line_1": "221B Baker Street", "line_2": None, "zip_code": "NW1 6XE",
                                        "city": "London", "country": "GB"}  # fmt: skip
    assert result.fields["issue_date"] == bill.issue_date.isoformat()
    assert (result.fields["service"], result.fields["issuer"]) == ("water", "Thames Water")


def test_tax_notice_with_2d_doc_is_read_from_the_barcode():
    notice = tax_notice(with_twoddoc=True)

    result = proof_of_address.run(pdf(bill_pdf(notice)), MARIE, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["document_type"] == "tax_notice"
    sources = result.details["sources"]
    assert {field: source["source"] for field, source in sources.items()} == {
        "holder_name": "pdf",
        "address": "twoddoc",
        "issue_date": "twoddoc",
    }
    # The barcode's signed letters confirm the printed holder, who keeps the spelling printed.
    assert sources["holder_name"]["twoddoc"] == "MARTIN MARIE"
    assert (result.fields["holder_name"], sources["holder_name"]["line"]) == ("MARIE MARTIN", "MME MARIE MARTIN")
    assert result.fields["address"]["line_1"] == "8 AVENUE JEAN JAURES"
    assert result.fields["twoddoc"]["document_type"] == "04"
    assert result.fields["twoddoc"]["signature_present"] is True
    assert result.fields["twoddoc"]["signature_verified"] is False


def test_2d_doc_fields_win_over_an_altered_printed_name():
    # The printed name was changed to the applicant's; the signed barcode still names someone else.
    bill = french_bill(with_twoddoc=True, twoddoc_overrides={"beneficiary_address_line_1": "M PAUL DURAND"})

    result = proof_of_address.run(pdf(bill_pdf(bill)), JEAN, {})

    assert result.result == FAILED
    assert result.reason_codes == ["name_mismatch", "twoddoc_mismatch"]
    assert result.fields["holder_name"] == "PAUL DURAND"
    assert result.details["twoddoc_disagreements"]["holder_name"]["printed"] == "JEAN DUPONT"
    assert result.details["twoddoc_agrees_with_text"]["holder_name"] < 0.5
    assert result.details["twoddoc_agrees_with_text"]["address"] == 1.0


def test_photographed_french_bill_uses_its_2d_doc():
    bill = french_bill(with_twoddoc=True)

    result = proof_of_address.run(photo(bill_photo(bill)), JEAN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.details["sources"]["address"]["source"] == "twoddoc"
    assert result.fields["twoddoc"]["fields"]["service_zip_code"] == "75011"
    assert result.fields["issue_date"] == bill.issue_date.isoformat()


def test_malformed_2d_doc_is_reported():
    document = text_pdf(bill_lines(french_bill()), barcode=render("DC09FR000001262E262E0101FR"))

    result = proof_of_address.run(pdf(document), JEAN, {})

    assert result.result == FAILED
    assert result.reason_codes == ["twoddoc_invalid"]
    assert "version" in result.details["twoddoc_error"]


def test_bill_older_than_max_age_is_too_old():
    bill = french_bill(issue_date=date.today() - timedelta(days=130))

    too_old = proof_of_address.run(pdf(bill_pdf(bill)), JEAN, {})
    within_six_months = proof_of_address.run(pdf(bill_pdf(bill)), JEAN, {"max_age_months": 6})

    assert too_old.result == FAILED
    assert too_old.reason_codes == ["document_too_old"]
    assert within_six_months.result == PASSED


def test_bill_for_someone_else_is_a_name_mismatch():
    someone_else = {**JEAN, "identity": {"first_name": "Claire", "last_name": "Bernard"}}

    result = proof_of_address.run(pdf(bill_pdf(french_bill())), someone_else, {})

    assert result.result == FAILED
    assert result.reason_codes == ["name_mismatch"]
    assert result.details["name"]["score"] < 0.85


def test_bill_at_another_address_is_an_address_mismatch():
    moved = {**JEAN, "address": {"line_1": "3 place Bellecour", "zip_code": "69002", "city": "Lyon", "country": "FR"}}

    result = proof_of_address.run(pdf(bill_pdf(french_bill())), moved, {})

    assert result.result == FAILED
    assert result.reason_codes == ["address_mismatch"]


def test_without_known_data_the_addressee_is_reported_unchecked():
    result = proof_of_address.run(pdf(bill_pdf(german_bill())), {"address": {"country": "DE"}}, {})

    assert result.result == PASSED
    assert result.fields["holder_name"] == "Max Mustermann"
    assert result.fields["address"]["line_1"] == "Lindenstraße 5"
    assert result.details["name"]["score"] is None
    assert result.details["address"]["score"] is None


def test_company_name_is_compared_for_a_legal_person():
    bill = french_bill(title="", first_name="Acme", last_name="Solutions SAS")
    company = {"company": {"company_name": "ACME SOLUTIONS"}, "address": JEAN["address"]}

    result = proof_of_address.run(pdf(bill_pdf(bill)), company, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "ACME SOLUTIONS SAS"


def test_document_without_issue_date_is_inconclusive():
    letter = text_pdf(lines("Facture d'électricité", "M. JEAN DUPONT", "12 RUE DES LILAS", "75011 PARIS"))

    result = proof_of_address.run(pdf(letter), JEAN, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["issue_date_missing"]


def test_document_type_outside_the_accepted_list_fails():
    result = proof_of_address.run(pdf(bill_pdf(french_bill())), JEAN, {"document_types": ["tax_notice"]})

    assert result.result == FAILED
    assert result.reason_codes == ["document_type_not_accepted"]


@pytest.mark.parametrize(
    "document",
    [DocumentInput(blank_page_png(), "image/png"), DocumentInput(b"not an image", "image/png")],
    ids=["blank page", "garbage bytes"],
)
def test_unreadable_document_costs_an_attempt(document):
    result = proof_of_address.run([document], JEAN, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["document_unreadable"]
    assert result.unusable is True


def _certificate_pem(private_key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FR00 0001")])
    now = datetime.now(UTC)
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private_key.public_key())
    builder = builder.serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(1))
    return builder.sign(private_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def test_signed_2d_doc_verifies_with_configured_certificates():
    issuer_key, impostor_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    document = pdf(bill_pdf(french_bill(with_twoddoc=True), private_key=impostor_key))

    trusted = {"twoddoc_certificates": {"FR00/0001": _certificate_pem(impostor_key)}}
    genuine_only = {"twoddoc_certificates": {"FR00/0001": _certificate_pem(issuer_key)}}

    trusted_result = proof_of_address.run(document, JEAN, trusted)
    untrusted_result = proof_of_address.run(document, JEAN, genuine_only)

    assert trusted_result.result == PASSED
    assert trusted_result.fields["twoddoc"]["signature_verified"] is True
    assert untrusted_result.result == FAILED
    assert untrusted_result.reason_codes == ["twoddoc_invalid"]


# -- layouts of real bills: distractors, columns, complements, missing fields --------------


def test_supplier_header_and_contract_column_are_not_the_holders_address():
    bill = french_bill(template="edf_columns", title="Mlle", first_name="Camille", last_name="Girard",
                       line_1="14 rue de la République", line_2="Appartement 23, Bâtiment B", zip_code="69002",
                       city="Lyon")  # fmt: skip

    result = proof_of_address.run(pdf(bill_pdf(bill)), {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "CAMILLE GIRARD"
    assert result.fields["address"] == {"line_1": "14 RUE DE LA RÉPUBLIQUE", "line_2": "APPARTEMENT 23, BÂTIMENT B",
                                        "zip_code": "69002", "city": "LYON", "country": "FR"}  # fmt: skip
    assert result.fields["issue_date"] == bill.issue_date.isoformat()
    assert result.details["sources"]["holder_name"] == {
        "source": "pdf",
        "label": "Titulaire du contrat",
        "line": "MLLE CAMILLE GIRARD",
    }
    assert result.details["sources"]["issue_date"]["label"] == "Facture du"


def test_billing_period_beside_the_issue_date_and_the_debit_date_are_not_taken():
    bill = french_bill(template="engie_window", issue_date=date.today() - timedelta(days=9))

    result = proof_of_address.run(pdf(bill_pdf(bill)), JEAN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["issue_date"] == bill.issue_date.isoformat()
    assert result.details["sources"]["issue_date"]["label"] == "Date d'émission"


def test_german_bill_with_recipient_label_in_a_two_column_block():
    bill = german_bill(template="wasser_columns", title="Frau", first_name="Anna", last_name="Schmidt",
                       line_1="Gartenweg 3a", line_2="Hinterhaus", zip_code="50667", city="Köln")  # fmt: skip

    result = proof_of_address.run(pdf(bill_pdf(bill)), {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Anna Schmidt"
    assert (result.fields["address"]["line_1"], result.fields["address"]["line_2"]) == ("Gartenweg 3a", "Hinterhaus")
    assert result.details["sources"]["holder_name"]["label"] == "Rechnungsempfänger"


def test_letter_without_a_holder_is_inconclusive_even_without_applicant_data():
    letter = text_pdf(lines("Facture d'électricité", "Date de facture : " + date.today().strftime("%d/%m/%Y"), "",
                            "12 RUE DES LILAS", "75011 PARIS"))  # fmt: skip

    result = proof_of_address.run(pdf(letter), {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_missing", "address_missing"]
    assert result.fields["holder_name"] is None


def test_holder_without_postal_address_is_inconclusive():
    letter = text_pdf(lines("Facture d'électricité", "Date de facture : " + date.today().strftime("%d/%m/%Y"), "",
                            "Titulaire du contrat : M. JEAN DUPONT", "Montant : 12,00 €"))  # fmt: skip

    result = proof_of_address.run(pdf(letter), JEAN, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["address_missing"]
    assert result.fields["holder_name"] == "JEAN DUPONT"


def test_2d_doc_with_another_address_than_the_print_is_reported():
    bill = french_bill(with_twoddoc=True, twoddoc_overrides={"service_zip_code": "69002", "service_city": "LYON"})

    result = proof_of_address.run(pdf(bill_pdf(bill)), {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["twoddoc_mismatch"]
    assert result.fields["address"]["zip_code"] == "69002"
    assert result.details["twoddoc_disagreements"]["address"]["printed"]["zip_code"] == "75011"
    assert result.details["sources"]["address"]["source"] == "twoddoc"


@pytest.mark.slow  # two Tesseract pages: about ten seconds
def test_folded_letter_photos_are_read_field_by_field():
    from tests.documents.address import proof_of_address_set

    for sample in [proof_of_address_set("tuning", count=2, with_twoddoc=0)[1]]:
        result = proof_of_address.run([DocumentInput(sample.content, sample.mime_type)], {}, {})

        assert result.result == PASSED, (sample.name, result.reason_codes)
        assert result.fields["address"]["zip_code"] == sample.truth["zip_code"]
        assert result.fields["issue_date"] == sample.truth["issue_date"].isoformat()
        assert result.details["sources"]["holder_name"]["source"] == "ocr"


def test_rent_receipt_names_its_tenant_after_the_label():
    from tests.documents.address import text_pdf
    from tests.documents.address_varied import _rent_receipt

    bill = french_bill(template="rent_receipt", title="Mme", first_name="Sophie", last_name="Lefèvre")
    result = proof_of_address.run([DocumentInput(text_pdf(_rent_receipt(bill)), "application/pdf")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "Sophie Lefèvre"
    assert result.details["sources"]["holder_name"]["label"] == "Locataire"
    assert result.fields["issue_date"] == bill.issue_date.isoformat()


def test_german_sharp_s_read_as_a_capital_b_is_put_back(monkeypatch):
    issued = date.today().strftime("%d.%m.%Y")
    printed = ["Stadtwerke Musterstadt GmbH", "Stromrechnung", f"Rechnungsdatum: {issued}", "Herrn",
               "Lukas Schneider", "LindenstraBe 45", "10115 GroBenhain", "Abrechnungszeitraum und Verbrauch"]  # fmt: skip
    lines = [TextLine(text, (50, 40 * row, 50 + 12 * len(text), 40 * row + 20)) for row, text in enumerate(printed)]
    monkeypatch.setattr("onboarding.checks.ocr_text.document_lines", lambda documents, pages=None: lines)
    monkeypatch.setattr("onboarding.checks.images.load_pages", lambda content, mime_type: [])

    result = proof_of_address.run([DocumentInput(b"photo", "image/jpeg")], {}, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["address"]["line_1"] == "Lindenstraße 45"
    assert result.fields["address"]["city"] == "Großenhain"


@pytest.mark.slow  # the page read twice by Tesseract: about ten seconds
@pytest.mark.parametrize(
    "turn", [Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_90], ids=["upside_down", "sideways"]
)
def test_a_photo_uploaded_upside_down_or_sideways_is_read_the_right_way_up(turn):
    # Phones record which way up a photo was taken in its EXIF, which uploads often lose.
    bill = english_bill()
    turned = io.BytesIO()
    Image.open(io.BytesIO(bill_photo(bill))).transpose(turn).save(turned, format="JPEG", quality=90)

    result = proof_of_address.run(photo(turned.getvalue()), JOHN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "John Smith"
    address = result.fields["address"]
    assert (address["line_1"], address["zip_code"]) == ("221B Baker Street", "NW1 6XE")
    assert result.fields["issue_date"] == bill.issue_date.isoformat()


def test_a_blurred_bill_beside_another_paper_lying_sideways_is_not_read_from_that_paper():
    # The applicant's bill upright but blurred (few words read sure), someone else's letter
    # lying sideways beside it: turned, the photo reads that letter, not the bill.
    other = bill_image(french_bill(first_name="MARIE", last_name="LAURENT", line_1="4 rue Victor Hugo",
                                   zip_code="69002", city="LYON"))  # fmt: skip
    scene = Image.new("RGB", (1240 + 1754, 1754), (200, 200, 200))
    scene.paste(bill_image(french_bill()).filter(ImageFilter.GaussianBlur(2.6)), (0, 0))
    scene.paste(other.transpose(Image.Transpose.ROTATE_90), (1240, 243))
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=85)

    result = proof_of_address.run(photo(out.getvalue()), {}, {})

    assert result.result == INCONCLUSIVE
    assert result.fields.get("holder_name") != "MARIE LAURENT"


@pytest.mark.parametrize(
    "blocks",
    [
        # Two names over addresses: which one the bill is for is a guess.
        ["Garage Martin SARL", "3 rue de la Gare", "69002 LYON", "", "Boulangerie Dupont SARL", "12 rue des Lilas",
         "75011 PARIS"],
        # The sender's service over the address it receives post at, and no addressee.
        ["Service Relations Clients", "TSA 40111", "69561 SAINT GENIS LAVAL CEDEX"],
        # A company addressee in the envelope window, with neither title nor label: on a page
        # where the addressee went unread, the sender's own block would look just the same.
        ["SARL Boulangerie Martin", "12 rue des Lilas", "75011 PARIS"],
        # The addressee went unread and the sender signs off at the foot of the page: its company
        # block sits under the sender's address as a window addressee would, but at the bottom.
        ["Service Clients", "TSA 40111", "69561 SAINT GENIS LAVAL CEDEX", "", "Consommation : 1 204 kWh",
         "Montant à payer : 87,12 €", "Prélèvement automatique", "Merci de votre confiance.", "",
         "Eau du Grand Lyon SAS", "3 rue de la Gare", "69002 LYON"],
    ],
    ids=["two_blocks", "sender_service", "lone_block", "sender_footer"],
)  # fmt: skip
def test_untitled_names_over_addresses_leave_the_holder_unread(blocks):
    letter = text_pdf(lines("Eau du Grand Lyon", "Facture", "Date de facture : " + date.today().strftime("%d/%m/%Y"),
                            "", *blocks))  # fmt: skip

    result = proof_of_address.run(pdf(letter), {}, {})

    assert result.result == INCONCLUSIVE
    assert result.reason_codes == ["holder_name_missing", "address_missing"]


@pytest.mark.parametrize("render", [bill_pdf, bill_photo], ids=["text_pdf", "photo"])
def test_company_in_a_window_under_the_senders_address_is_the_holder(render):
    bill = french_bill(template="engie_window", title="", first_name="SARL Boulangerie", last_name="Martin")
    company = {"company": {"company_name": "Boulangerie Martin"}, "address": JEAN["address"]}
    documents = pdf(render(bill)) if render is bill_pdf else photo(render(bill))

    result = proof_of_address.run(documents, company, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["holder_name"] == "SARL Boulangerie Martin"
    assert result.fields["address"]["line_1"] == "12 rue des Lilas"
    assert result.details["sources"]["holder_name"]["label"] == ""


def test_an_address_heading_under_the_holder_is_not_a_line_of_the_address():
    from tests.documents.address_varied import _rent_receipt

    bill = french_bill(template="rent_receipt")
    result = proof_of_address.run(pdf(text_pdf(_rent_receipt(bill))), JEAN, {})

    assert result.result == PASSED, result.reason_codes
    assert result.fields["address"]["line_1"] == "12 rue des Lilas"
    assert result.fields["address"]["line_2"] is None
