import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

from rest_framework.test import APIClient

from onboarding.models import Document, Session
from onboarding.signing import signature_workflow
from portal.steps import finish_url
from tests.factories import make_api_key, system

# The organization certificate configured in settings, as in the signing tests.
from tests.signing.conftest import organization_pkcs12, signing_certificate  # noqa: F401
from tests.signing.pdfs import form_pdf

URL = "/api/v1/signing-sessions"
SIGN = [{"field_id": "signature", "actor_id": "signer"}]
FILL = [{"field_id": "first_name", "value": "${identity.first_name}"}]


def client_for(org, scopes=("sessions:write",)):
    _, plain = make_api_key(org, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_multipart_upload_creates_a_signing_session(org):
    upload = io.BytesIO(form_pdf())
    upload.name = "contract.pdf"
    response = client_for(org).post(
        URL,
        {
            "email": "anna@example.com",
            "document": upload,
            "sign_fields": json.dumps(SIGN),
            "fill_fields": json.dumps(FILL),
            "identity": json.dumps({"first_name": "Anna"}),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"request_id", "session_id", "status", "url", "expires_at"}
    assert "/s/" in body["url"] and body["status"] == "active"
    session = Session.objects.get(id=body["request_id"])
    assert session.applicants.get().identity == {"first_name": "Anna"}
    assert Document.objects.get(session=session).kind == "pdf_to_sign"


def test_json_with_base64_document(org):
    response = client_for(org).post(
        URL,
        {
            "email": "anna@example.com",
            "document": base64.b64encode(form_pdf()).decode(),
            "sign_fields": SIGN,
            "fill_fields": FILL,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_errors_are_problem_details_naming_the_field(org, settings):
    client = client_for(org)
    settings.SIGNING_DOCUMENT_URL_ALLOWLIST = ["docs.example.com"]
    response = client.post(
        URL,
        {"email": "anna@example.com", "document_url": "https://elsewhere.example/x.pdf", "sign_fields": SIGN},
        format="json",
    )
    assert response.status_code == 400 and "document_url" in response.json()["errors"]
    response = client.post(
        URL,
        {
            "email": "anna@example.com",
            "document": base64.b64encode(form_pdf()).decode(),
            "fill_fields": [{"field_id": "first_name", "value": "${nope.x}"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Unknown variable ${nope.x}" in json.dumps(response.json()["errors"])
    response = client.post(
        URL,
        {
            "email": "anna@example.com",
            "document": base64.b64encode(form_pdf(signature_fields=())).decode(),
            "sign_fields": SIGN,
        },
        format="json",
    )
    assert response.status_code == 400 and "no form field named 'signature'" in json.dumps(response.json())


def test_scope_is_required(org):
    response = client_for(org, scopes=["sessions:read"]).post(URL, {"email": "a@example.com"}, format="json")
    assert response.status_code == 403


def test_state_is_accepted_and_echoed_on_the_redirect(org):
    client = client_for(org, scopes=["sessions:write", "sessions:read", "workflows:write"])
    workflow = signature_workflow(system(org))
    client.patch(
        f"/api/v1/workflows/{workflow.id}",
        {"settings": {"redirect_allowlist": ["https://shop.example"]}},
        format="json",
    )
    assert client.post(f"/api/v1/workflows/{workflow.id}/publish").status_code == 200
    response = client.post(
        URL,
        {
            "email": "anna@example.com",
            "document": base64.b64encode(form_pdf()).decode(),
            "sign_fields": SIGN,
            "redirect_url": "https://shop.example/signed",
            "state": "cart=42&step=sign",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    session = Session.objects.get(id=response.json()["session_id"])
    assert client.get(f"/api/v1/sessions/{session.id}").json()["state"] == "cart=42&step=sign"
    redirect = urlsplit(finish_url(session))
    assert (redirect.netloc, redirect.path) == ("shop.example", "/signed")
    assert parse_qs(redirect.query) == {"state": ["cart=42&step=sign"], "session_id": [str(session.id)]}
    too_long = client.post(
        URL,
        {
            "email": "anna@example.com",
            "document": base64.b64encode(form_pdf()).decode(),
            "sign_fields": SIGN,
            "state": "s" * 3000,
        },
        format="json",
    )
    assert too_long.status_code == 400 and "state" in too_long.json()["errors"]
