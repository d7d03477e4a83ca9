import pytest

from onboarding import services, signing, signing_certificate, signing_pdf
from onboarding.actors import Actor
from onboarding.errors import InvalidTransition, NotFound, ValidationFailed
from onboarding.models import Document, Verification
from tests.factories import make_session, make_workflow, system
from tests.signing.pdfs import form_pdf, page_text
from tests.webhooks.receiver import Receiver

SIGN = [{"field_id": "signature", "actor_id": "signer"}]
FILL = [
    {"field_id": "first_name", "value": "${identity.first_name}"},
    {"field_id": "last_name", "value": "${identity.last_name}"},
    {"field_id": "city", "value": "Signed in ${address.city} on ${signature.date}"},
]
CONSENT = "I have read the service agreement and I sign it."


@pytest.fixture
def create(org):
    def create_session(**kwargs):
        arguments = {
            "actor": system(org),
            "email": "anna@example.com",
            "document": form_pdf(),
            "sign_fields": SIGN,
            "fill_fields": FILL,
            "identity": {"first_name": "Anna Maria", "last_name": "Eriksson"},
            "address": {"city": "Paris"},
            **kwargs,
        }
        return signing.signing_session_create(**arguments)

    return create_session


def signer_of(session):
    verification = session.verifications.get()
    return Actor.for_applicant(verification.applicant), verification


def test_signing_session_is_a_session_on_the_signature_workflow(create, org):
    session, link = create(reference_id="contract-7")
    assert session.workflow.name == "Signature" and session.status == "active"
    assert link.url and link.expires_at
    verification = session.verifications.get()
    assert verification.type == "signature"
    assert verification.data["signature_request"]["sign_fields"] == SIGN
    assert verification.documents.get().kind == signing.PDF_TO_SIGN
    again, _ = create()
    assert again.workflow_id == session.workflow_id  # the workflow is reused


def test_sign_fills_signs_stores_evidence_and_passes_the_check(create, django_capture_on_commit_callbacks):
    session, _ = create()
    actor, verification = signer_of(session)
    with django_capture_on_commit_callbacks(execute=True):
        document = signing.signature_sign(
            actor=actor,
            verification_id=verification.id,
            consent_text=CONSENT,
            ip="203.0.113.9",
            user_agent="Mozilla/5.0 (Test)",
        )
    with document.file.open("rb") as handle:
        signed = handle.read()
    assert document.kind == "signed_pdf" and document.mime_type == "application/pdf"
    (status,) = signing_pdf.validate(signed, [signing_certificate.certificate()])
    assert status.ok and status.covers_whole_file
    text = page_text(signed)
    assert "Anna Maria" in text and "Eriksson" in text and "Signed in Paris on 20" in text
    verification.refresh_from_db()
    evidence = verification.data["submitted"]["signature_evidence"]
    assert evidence["consent_text"] == CONSENT and evidence["ip"] == "203.0.113.9"
    assert evidence["user_agent"] == "Mozilla/5.0 (Test)" and evidence["consented_at"]
    assert evidence["signed_sha256"] == document.sha256
    source = verification.documents.get(kind=signing.PDF_TO_SIGN)
    assert evidence["source_sha256"] == source.sha256 != evidence["signed_sha256"]
    assert verification.status == "done" and verification.result == "passed", verification.data.get("checks")
    assert verification.data["checks"]["fields"]["signer"].endswith("Acme Bank document signing")
    session.refresh_from_db()
    assert session.status == "approved", session.processing_results
    event = session.events.get(action="signature.signed")
    assert event.data["signed_sha256"] == document.sha256 and "ip" not in event.data


def test_preview_shows_the_filled_pdf_without_signing(create):
    session, _ = create()
    actor, verification = signer_of(session)
    preview = signing.signature_preview(actor=actor, verification_id=verification.id)
    assert "Anna Maria" in page_text(preview)
    assert signing_pdf.validate(preview, [signing_certificate.certificate()]) == []
    assert not Document.objects.filter(kind="signed_pdf").exists()


def test_consent_is_required_and_a_step_is_signed_once(create, django_capture_on_commit_callbacks):
    session, _ = create()
    actor, verification = signer_of(session)
    with pytest.raises(ValidationFailed, match="consent"):
        signing.signature_sign(actor=actor, verification_id=verification.id, consent_text="  ")
    with django_capture_on_commit_callbacks(execute=True):
        signing.signature_sign(actor=actor, verification_id=verification.id, consent_text=CONSENT)
    with pytest.raises(InvalidTransition):
        signing.signature_sign(actor=actor, verification_id=verification.id, consent_text=CONSENT)


def test_another_applicant_or_organization_cannot_sign(create, other_org):
    session, _ = create()
    _, verification = signer_of(session)
    other_session, _ = create()
    stranger, _ = signer_of(other_session)
    with pytest.raises(NotFound):
        signing.signature_sign(actor=stranger, verification_id=verification.id, consent_text=CONSENT)
    with pytest.raises(NotFound):
        signing.signature_sign(actor=system(other_org), verification_id=verification.id, consent_text=CONSENT)


def test_pdf_without_the_named_fields_is_refused(create):
    with pytest.raises(ValidationFailed) as error:
        create(document=form_pdf(text_fields=("first_name",), signature_fields=()))
    assert "no form field named 'signature'" in error.value.errors["sign_fields"][0]
    assert "'last_name', 'city'" in error.value.errors["fill_fields"][0]


def test_unknown_variables_and_bad_entries_are_refused(create):
    with pytest.raises(ValidationFailed) as error:
        create(fill_fields=[{"field_id": "city", "value": "${identity.shoe_size}"}])
    assert "Unknown variable ${identity.shoe_size}" in error.value.errors["fill_fields[0].value"][0]
    with pytest.raises(ValidationFailed):
        create(sign_fields=[{"field_id": "signature"}])
    with pytest.raises(ValidationFailed, match="one signer"):
        create(sign_fields=SIGN + [{"field_id": "signature", "actor_id": "someone-else"}])


def test_document_must_be_a_pdf_and_given_once(create):
    with pytest.raises(ValidationFailed, match="must be a PDF|Only JPEG"):
        create(document=b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    with pytest.raises(ValidationFailed, match="either a document or a document_url"):
        create(document_url="https://docs.example.com/a.pdf")
    with pytest.raises(ValidationFailed, match="email"):
        create(email="not-an-email")


def test_document_url_off_the_allowlist_is_refused(create, settings):
    settings.SIGNING_DOCUMENT_URL_ALLOWLIST = ["docs.example.com"]
    for url in ("https://evil.example.net/a.pdf", "https://docs.example.com.evil.net/a.pdf", "file:///etc/passwd"):
        with pytest.raises(ValidationFailed) as error:
            create(document=None, document_url=url)
        assert "not on the allowlist" in error.value.errors["document_url"][0]


def test_document_url_on_the_allowlist_is_fetched(create, settings):
    settings.SIGNING_DOCUMENT_URL_ALLOWLIST = ["127.0.0.1"]
    pdf = form_pdf()
    with Receiver() as server:
        server.server.RequestHandlerClass.do_GET = lambda handler: _serve(handler, pdf)
        session, _ = create(document=None, document_url=server.url)
    stored = session.verifications.get().documents.get()
    assert stored.size == len(pdf)


def _serve(handler, content):
    handler.send_response(200)
    handler.send_header("content-type", "application/pdf")
    handler.send_header("content-length", str(len(content)))
    handler.end_headers()
    handler.wfile.write(content)


def test_workflow_signature_step_uses_its_config_and_an_uploaded_pdf(org, django_capture_on_commit_callbacks):
    workflow = make_workflow(
        org,
        steps=[
            {
                "id": "contract",
                "type": "signature",
                "config": {
                    "sign_fields": [{"field_id": "signature", "actor_id": "natural_person"}],
                    "fill_fields": [{"field_id": "first_name", "value": "${identity.first_name}"}],
                },
            }
        ],
    )
    session = make_session(org, workflow)
    verification = session.verifications.get()
    services.document_add(
        actor=system(org),
        verification_id=verification.id,
        content=form_pdf(),
        filename="contract.pdf",
        kind=signing.PDF_TO_SIGN,
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = signing.signature_sign(
            actor=Actor.for_applicant(verification.applicant), verification_id=verification.id, consent_text=CONSENT
        )
    with document.file.open("rb") as handle:
        assert "Anna Maria" in page_text(handle.read())
    assert Verification.objects.get(id=verification.id).result == "passed"


def test_a_refused_submission_leaves_no_signed_file_behind(create, monkeypatch, media_root):
    session, _ = create()
    actor, verification = signer_of(session)

    def refused(*args, **kwargs):
        raise InvalidTransition("verification", "submitted", "submit")

    monkeypatch.setattr(signing, "submit_locked", refused)
    files_before = sorted(p.name for p in media_root.rglob("*.pdf"))
    with pytest.raises(InvalidTransition):
        signing.signature_sign(actor=actor, verification_id=verification.id, consent_text=CONSENT)
    assert sorted(p.name for p in media_root.rglob("*.pdf")) == files_before
    assert not Document.objects.filter(kind="signed_pdf").exists()


def test_redirect_url_must_be_on_the_signature_workflow_allowlist(create, org):
    with pytest.raises(ValidationFailed, match="allowlist of the 'Signature' workflow"):
        create(redirect_url="https://shop.example/done")
    workflow = signing.signature_workflow(system(org))
    services.workflow_update(
        actor=system(org), workflow_id=workflow.id, settings={"redirect_allowlist": ["https://shop.example"]}
    )
    services.workflow_publish(actor=system(org), workflow_id=workflow.id)
    session, _ = create(redirect_url="https://shop.example/done")
    assert session.redirect_url == "https://shop.example/done"
