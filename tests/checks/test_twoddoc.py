from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from onboarding.checks import images, twoddoc
from tests.documents.address import bill_photo, french_bill
from tests.documents.twoddoc import encode, render

GS, RS, US = twoddoc.GS, twoddoc.RS, twoddoc.US

ADDRESS_FIELDS = {
    "beneficiary_address_line_1": "MME MARIE MARTIN",
    "service_address_line_4": "8 AVENUE JEAN JAURES",
    "service_zip_code": "69007",
    "service_city": "LYON",
    "service_country": "FR",
    "contract_start_date": date(2021, 4, 1),
}


def _certificate_pem(private_key, common_name="FR00 0001"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def issuer_key():
    return ec.generate_private_key(ec.SECP256R1())


def test_round_trip_through_datamatrix_keeps_header_dates_and_fields():
    text = encode(ADDRESS_FIELDS, issue_date=date(2026, 9, 30), signature_date=date(2026, 10, 2), document_type="01")
    image = render(text).convert("RGB")

    decoded = twoddoc.decode_pages([image])
    doc = twoddoc.parse(decoded[0])

    assert decoded == [text]
    assert (doc.version, doc.certification_authority, doc.certificate_id) == (4, "FR00", "0001")
    assert doc.issue_date == date(2026, 9, 30)
    assert doc.signature_date == date(2026, 10, 2)
    assert (doc.document_type, doc.document_type_name, doc.perimeter, doc.country) == ("01", "invoice", "01", "FR")
    assert doc.fields == ADDRESS_FIELDS
    assert doc.signature and len(doc.signature) == 64


def test_header_dates_are_hex_day_counts_since_2000():
    # 0x2000 = 8192 days after 2000-01-01: 8036 to 2022-01-01, then 156 more to June 6.
    doc = twoddoc.parse("DC04FR000001" + "2000" + "FFFF" + "0101FR" + "24" + "75011" + US + "AAAA")

    assert doc.issue_date == date(2022, 6, 6)
    assert doc.signature_date is None


def test_version_02_header_has_no_perimeter_or_country():
    text = "DC02FR000001" + "1E6A" + "1E6A" + "00" + "26FR" + "10M JEAN DUPONT" + GS + "2212 RUE DES LILAS" + US
    doc = twoddoc.parse(text)

    assert (doc.version, doc.document_type, doc.perimeter, doc.country) == (2, "00", None, None)
    assert doc.fields == {
        "service_country": "FR",
        "beneficiary_address_line_1": "M JEAN DUPONT",
        "service_address_line_4": "12 RUE DES LILAS",
    }
    assert doc.signature is None


def test_fixed_length_values_need_no_separator_and_truncation_is_reported():
    message = "24" + "75011" + "25" + "PARIS" + GS + "10" + "M JEAN-CHRISTOPHE DE LA VILLEMARQ" + RS + "26" + "FR"
    doc = twoddoc.parse("DC03FR000001262E262E0101FR" + message + US + "AAAA")

    assert doc.fields["service_zip_code"] == "75011"
    assert doc.fields["service_city"] == "PARIS"
    assert doc.fields["service_country"] == "FR"
    assert doc.truncated == ["beneficiary_address_line_1"]


def test_unknown_field_ids_are_kept_under_their_id():
    doc = twoddoc.parse("DC04FR000001262E262E0101FR" + "ZZ" + "SOMETHING" + GS + "24" + "75011")

    assert doc.fields == {"ZZ": "SOMETHING", "service_zip_code": "75011"}


def test_annex_after_the_signature_is_parsed():
    doc = twoddoc.parse("DC04FR000001262E262E0101FR2475011" + US + "AAAAAAAA" + GS + "1D123.45")

    assert doc.annex == {"amount_including_tax": "123.45"}


@pytest.mark.parametrize(
    "text",
    ["XX04FR000001262E262E0101FR", "DC09FR000001262E262E0101FR", "DC04FR00", "DC04FR000001ZZZZ262E0101FR"],
    ids=["no marker", "unknown version", "short header", "bad date"],
)
def test_malformed_codes_are_rejected(text):
    with pytest.raises(twoddoc.InvalidTwoDDoc):
        twoddoc.parse(text)


@pytest.mark.parametrize("curve", [ec.SECP256R1, ec.SECP384R1, ec.SECP521R1], ids=["P-256", "P-384", "P-521"])
def test_signature_verifies_against_the_configured_certificate(curve):
    issuer_key = ec.generate_private_key(curve())
    text = encode(ADDRESS_FIELDS, issue_date=date(2026, 10, 1), private_key=issuer_key)
    doc = twoddoc.parse(text)

    assert twoddoc.verify_signature(doc, {"FR00/0001": _certificate_pem(issuer_key)})
    assert doc.to_dict(signature_verified=True)["signature_verified"] is True


def test_signature_verifies_against_a_plain_list_of_trusted_certificates(issuer_key):
    other_key = ec.generate_private_key(ec.SECP384R1())
    doc = twoddoc.parse(encode(ADDRESS_FIELDS, issue_date=date(2026, 10, 1), private_key=issuer_key))

    assert twoddoc.verify_signature(doc, [_certificate_pem(other_key), _certificate_pem(issuer_key)])
    assert not twoddoc.verify_signature(doc, [_certificate_pem(other_key)])


def test_signature_fails_with_another_key_or_altered_data(issuer_key):
    text = encode(ADDRESS_FIELDS, issue_date=date(2026, 10, 1), private_key=issuer_key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    altered = twoddoc.parse(text.replace("LYON", "NICE"))

    assert not twoddoc.verify_signature(twoddoc.parse(text), {"FR00/0001": _certificate_pem(other_key)})
    assert not twoddoc.verify_signature(altered, {"FR00/0001": _certificate_pem(issuer_key)})


def test_without_certificates_the_signature_is_present_but_unverified(issuer_key):
    doc = twoddoc.parse(encode(ADDRESS_FIELDS, issue_date=date(2026, 10, 1), private_key=issuer_key))

    assert not twoddoc.verify_signature(doc, {})
    assert doc.to_dict()["signature_present"] is True
    assert doc.to_dict()["signature_verified"] is False


def test_code_printed_on_a_photographed_bill_is_read():
    bill = french_bill(with_twoddoc=True, issue_date=date(2026, 8, 14))

    texts = twoddoc.decode_pages(images.load_pages(bill_photo(bill), "image/jpeg"))
    doc = twoddoc.parse(texts[0])

    assert doc.issue_date == date(2026, 8, 14)
    assert doc.fields["service_zip_code"] == "75011"
    assert doc.fields["beneficiary_address_line_1"] == "M JEAN DUPONT"


def test_encoder_refuses_values_it_cannot_carry():
    with pytest.raises(ValueError):
        encode({"service_zip_code": "7501"}, issue_date=date(2026, 1, 1))
    with pytest.raises(ValueError):
        encode({"service_city": "SÈTE"}, issue_date=date(2026, 1, 1))
