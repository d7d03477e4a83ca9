import hashlib

from onboarding import signing_certificate, signing_pdf
from onboarding.checks import DocumentInput, get_check
from tests.signing.pdfs import TITLE, form_pdf

run = get_check("signature")


def signed_pdf():
    source = form_pdf()
    boxes = signing_pdf.signature_boxes(signing_pdf.form_fields(source), ["signature"])
    return signing_pdf.sign(
        signing_pdf.fill_and_flatten(source, {}), boxes, signing_certificate.signer(), signer_name="Anna", reason="test"
    )


def known(content, **evidence):
    record = {
        "consent_text": "I sign.",
        "consented_at": "2026-01-01T00:00:00+00:00",
        "signed_sha256": hashlib.sha256(content).hexdigest(),
        **evidence,
    }
    return {"form": {"signature_evidence": record}}


def as_input(content):
    return [
        DocumentInput(form_pdf(), "application/pdf", "pdf_to_sign"),
        DocumentInput(content, "application/pdf", "signed_pdf"),
    ]


def test_valid_signature_with_consent_passes():
    content = signed_pdf()
    result = run(as_input(content), known(content), {})
    assert result.result == "passed" and result.reason_codes == []
    assert result.fields["signature_count"] == 1 and "Acme Bank" in result.fields["signer"]


def test_a_changed_byte_fails_the_check():
    content = bytearray(signed_pdf())
    content[content.find(TITLE.encode())] ^= 0x01
    result = run(as_input(bytes(content)), known(bytes(content)), {})
    assert result.result == "failed" and "signature_invalid" in result.reason_codes


def test_missing_consent_or_signature_fails():
    content = signed_pdf()
    assert run(as_input(content), {"form": {}}, {}).reason_codes == ["consent_missing"]
    assert run([], known(content), {}).reason_codes == ["signature_missing"]
    assert "document_mismatch" in run(as_input(content), known(content, signed_sha256="0" * 64), {}).reason_codes
