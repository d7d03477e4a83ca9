import hashlib
import io

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from onboarding import signing_certificate, signing_pdf
from onboarding.errors import ValidationFailed
from onboarding.signing_certificate import self_signed_pkcs12
from tests.signing.conftest import PASSWORD
from tests.signing.pdfs import TITLE, form_pdf, page_text


def signed_document(values=None, names=("signature",)):
    source = form_pdf()
    filled = signing_pdf.fill_and_flatten(source, values or {"first_name": "Anna Maria", "city": "Paris"})
    boxes = signing_pdf.signature_boxes(signing_pdf.form_fields(source), list(names))
    return signing_pdf.sign(
        filled, boxes, signing_certificate.signer(), signer_name="Anna Maria Eriksson", reason="test"
    )


def signing_certificate_root():
    return signing_certificate.certificate()


def configured_certificate_sha256(path):
    _, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), PASSWORD.encode())
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def test_fields_are_listed_with_type_page_and_box():
    fields = signing_pdf.form_fields(form_pdf())
    assert {name: f.type for name, f in fields.items()} == {
        "first_name": "/Tx",
        "last_name": "/Tx",
        "city": "/Tx",
        "signature": "/Sig",
    }
    assert fields["signature"].page == 0 and fields["signature"].box == (72, 100, 312, 160)


def test_missing_or_mistyped_fields_are_refused_clearly():
    with pytest.raises(ValidationFailed) as error:
        signing_pdf.check_fields(form_pdf(), ["buyer_signature"], ["first_name", "iban"])
    assert error.value.errors == {
        "sign_fields": ["The PDF has no form field named 'buyer_signature'."],
        "fill_fields": ["The PDF has no form field named 'iban'."],
    }
    with pytest.raises(ValidationFailed, match="Not signature fields in the PDF: 'city'"):
        signing_pdf.check_fields(form_pdf(), ["city"], [])


def test_fill_and_flatten_prints_values_and_leaves_no_form():
    filled = signing_pdf.fill_and_flatten(form_pdf(), {"first_name": "Anna Maria", "city": "Saint-Étienne"})
    text = page_text(filled)
    assert "Anna Maria" in text and "Saint-Étienne" in text and TITLE in text
    reader = PdfReader(io.BytesIO(filled))
    assert not reader.get_fields()
    assert list(reader.trailer["/Root"]["/AcroForm"]["/Fields"]) == []
    assert not [a for a in reader.pages[0].get("/Annots") or [] if a.get_object()["/Subtype"] == "/Widget"]


def test_signed_pdf_validates_covers_the_whole_file_and_names_the_configured_signer(signing_certificate):
    signed = signed_document()
    (status,) = signing_pdf.validate(signed, [signing_certificate_root()])
    assert status.intact and status.valid and status.trusted and status.covers_whole_file
    assert status.field == "signature"
    assert "Acme Bank document signing" in status.signer
    assert status.signer_sha256 == configured_certificate_sha256(signing_certificate)
    assert "Anna Maria" in page_text(signed)


def test_a_byte_changed_after_signing_fails_validation():
    signed = bytearray(signed_document())
    position = signed.find(TITLE.encode())
    signed[position] ^= 0x01  # "Service" -> "Rervice"
    (status,) = signing_pdf.validate(bytes(signed), [signing_certificate_root()])
    assert not status.intact and not status.ok


def test_another_certificate_is_not_trusted(tmp_path, settings):
    other = tmp_path / "other.p12"
    other.write_bytes(self_signed_pkcs12("Someone else"))
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = str(other), ""
    signed = signed_document()
    foreign_root = signing_certificate.certificate()
    settings.SIGNING_PKCS12_PATH = ""
    settings.SIGNING_DEVELOPMENT_DIR = tmp_path / "dev"
    (status,) = signing_pdf.validate(signed, [signing_certificate.certificate()])
    assert status.intact and not status.trusted
    assert signing_pdf.validate(signed, [foreign_root])[0].trusted


def test_without_a_named_field_the_signature_goes_on_the_last_page():
    signed = signed_document(names=())
    (status,) = signing_pdf.validate(signed, [signing_certificate_root()])
    assert status.field == signing_pdf.DEFAULT_SIGNATURE_FIELD and status.ok and status.covers_whole_file


def test_an_unsigned_or_unreadable_file_has_no_valid_signature():
    assert signing_pdf.validate(form_pdf(), [signing_certificate_root()]) == []
    assert signing_pdf.validate(b"not a pdf", [signing_certificate_root()]) == []


def test_development_certificate_is_generated_once_and_private(settings, tmp_path):
    settings.SIGNING_PKCS12_PATH = ""
    settings.SIGNING_DEVELOPMENT_DIR = tmp_path / "signing"
    first = signing_certificate.certificate()
    path = tmp_path / "signing" / signing_certificate.DEVELOPMENT_FILE
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    assert signing_certificate.certificate().sha256 == first.sha256


def test_production_without_a_certificate_refuses_to_sign(settings):
    settings.SIGNING_PKCS12_PATH, settings.PRODUCTION = "", True
    with pytest.raises(ImproperlyConfigured, match="SIGNING_PKCS12_PATH"):
        signing_certificate.signer()


def test_two_fields_of_one_signer_are_signed_in_turn():
    source = form_pdf(signature_fields=("signature", "initials"))
    boxes = signing_pdf.signature_boxes(signing_pdf.form_fields(source), ["signature", "initials"])
    signed = signing_pdf.sign(
        signing_pdf.fill_and_flatten(source, {}), boxes, signing_certificate.signer(), signer_name="Anna", reason="test"
    )
    first, last = signing_pdf.validate(signed, [signing_certificate_root()])
    assert (first.field, last.field) == ("signature", "initials")
    assert first.ok and last.ok and last.covers_whole_file and not first.covers_whole_file
