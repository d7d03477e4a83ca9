"""The five integrator stories of the API, end to end over HTTP."""

import base64
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from onboarding import services
from onboarding.errors import LinkUnavailable
from onboarding.models import Event, Session
from tests.api.applicant import applicant_submits
from tests.api.conftest import V1, bearer, client_for, pdf, problem
from tests.documents.address import bill_pdf, french_bill
from tests.documents.bank import GERMAN_ACCOUNT, bank_letter_pdf
from tests.documents.identity import IdentityDocument, render
from tests.factories import make_api_key, make_workflow, system

pytestmark = pytest.mark.django_db

ANNA = {
    "identity": {"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12", "nationality": "SE"},
    "address": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
    "bank_account": {"iban": GERMAN_ACCOUNT.iban},
}
DETAILS_FORM = {
    "id": "details",
    "type": "form",
    "config": {"fields": [{"id": "email", "type": "email", "required": True}]},
}


def passport_png():
    passport = IdentityDocument(
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        birth_date=date(1974, 8, 12),
        sex="F",
        nationality="SWE",
        document_number="AB1234567",
        expiry_date=date.today() + timedelta(days=2000),
    )
    out = io.BytesIO()
    render(passport)[0].save(out, format="PNG")
    return out.getvalue()


def hours_from_now(iso):
    return (timezone.datetime.fromisoformat(iso) - timezone.now()).total_seconds() / 3600


@pytest.mark.slow
def test_story_1_a_company_onboards_a_private_customer(org, api):
    make_workflow(org, steps=[DETAILS_FORM], name="Private customers")
    (workflow,) = api.get(f"{V1}/workflows").json()["data"]
    assert workflow["name"] == "Private customers"

    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": workflow["id"],
            "name": "Anna Maria Eriksson",
            "applicants": [{"type": "natural_person", "email": "anna@example.com", **ANNA}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    session = response.json()
    applicant_id = session["applicants"][0]["id"]
    assert session["status"] == "draft"

    attached = {}
    for step_type in ("identity_document", "proof_of_address", "bank_account"):
        response = api.post(f"{V1}/verifications", {"applicant_id": applicant_id, "type": step_type}, format="json")
        assert response.status_code == 201 and response.json()["status"] == "awaiting_data"
        attached[step_type] = response.json()["id"]

    links = api.post(f"{V1}/sessions/{session['id']}/links", {}, format="json").json()["links"]
    assert [link["applicant_id"] for link in links] == [applicant_id]
    assert 47.9 < hours_from_now(links[0]["link_expires_at"]) <= 48
    assert api.get(f"{V1}/sessions/{session['id']}").json()["status"] == "active"

    # Anna works through her link.
    details = Session.objects.get(id=session["id"]).verifications.get(step_id="details")
    applicant_submits(details.id, data={"email": "anna@example.com"})
    applicant_submits(attached["identity_document"], files=[(passport_png(), "passport", "front")])
    bill = french_bill(first_name="Anna Maria", last_name="Eriksson", line_1="12 rue de la Paix", zip_code="75002")
    applicant_submits(attached["proof_of_address"], files=[(bill_pdf(bill), "utility_bill", "")])
    applicant_submits(attached["bank_account"])

    done = api.get(f"{V1}/sessions/{session['id']}").json()
    assert done["status"] == "processed"
    results = {v["type"]: (v["status"], v["result"]) for v in done["applicants"][0]["verifications"]}
    assert results == {
        "form": ("done", "passed"),
        "identity_document": ("done", "passed"),
        "proof_of_address": ("done", "passed"),
        "bank_account": ("done", "passed"),
    }
    assert done["processing_results"]["final_decision"] == "approved"
    trail = [e["action"] for e in api.get(f"{V1}/sessions/{session['id']}/events?limit=100").json()["data"]]
    assert trail[0] == "session.created" and "session.finish_processing" in trail


def test_story_2_a_company_with_its_legal_representative(org, api):
    workflow = make_workflow(
        org,
        name="Business accounts",
        steps=[
            {"id": "registry", "type": "company_registry"},
            {"id": "bank", "type": "bank_account", "applicant_type": "legal_person"},
            {"id": "identity", "type": "identity_document"},
        ],
    )
    representative = {"first_name": "Jean", "last_name": "Dupont", "birth_date": "1970-02-01"}
    company = {
        "company_name": "Boulangerie Martin SAS",
        "country_code": "FR",
        "registration_number": "552100554",
        "legal_representatives": [representative],
    }
    applicants = [
        {
            "type": "legal_person",
            "label": "Boulangerie Martin",
            "company": company,
            "bank_account": {"iban": GERMAN_ACCOUNT.iban},
        },
        {"type": "natural_person", "label": "Legal representative", "identity": representative},
    ]
    response = api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "name": "Boulangerie Martin", "applicants": applicants},
        format="json",
    )
    assert response.status_code == 201, response.json()
    legal, person = response.json()["applicants"]
    assert legal["company"]["legal_representatives"] == [representative]
    assert [v["step_id"] for v in legal["verifications"]] == ["registry", "bank"]
    assert [v["step_id"] for v in person["verifications"]] == ["identity"]

    links = api.post(f"{V1}/sessions/{response.json()['id']}/links", {}, format="json").json()["links"]
    assert [link["applicant_id"] for link in links] == [legal["id"], person["id"]]
    assert links[0]["link_url"] != links[1]["link_url"]
    assert all(47.9 < hours_from_now(link["link_expires_at"]) <= 48 for link in links)
    statuses = [a["status"] for a in api.get(f"{V1}/sessions/{response.json()['id']}").json()["applicants"]]
    assert statuses == ["notified", "notified"]


def test_story_3_a_lender_reviews_corrects_and_approves(org, api):
    workflow = make_workflow(
        org,
        name="Loans",
        settings={"auto_process": False},
        steps=[DETAILS_FORM, {"id": "bank", "type": "bank_account"}],
    )
    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "name": "Loan L-1",
            "ttl_days": 14,
            "metadata": {"loan_id": "L-1", "amount": 25000},
            "input": {"bank_account": ANNA["bank_account"]},
        },
        format="json",
    )
    session_id = response.json()["id"]
    assert 13.9 * 24 < hours_from_now(response.json()["expires_at"]) <= 14 * 24
    assert response.json()["metadata"] == {"loan_id": "L-1", "amount": 25000}
    url = f"{V1}/sessions/{session_id}"
    first_link = api.post(f"{url}/links", {}, format="json").json()["links"][0]["link_url"]
    session = Session.objects.get(id=session_id)
    details, bank = session.verifications.get(step_id="details"), session.verifications.get(step_id="bank")
    applicant_submits(details.id, data={"email": "anna@example.com"})
    applicant_submits(bank.id, files=[(bank_letter_pdf(GERMAN_ACCOUNT), "rib", "")])
    assert api.get(url).json()["status"] == "completed"

    window = (
        f"created_from={(timezone.now() - timedelta(hours=1)).isoformat()}&created_to="
        f"{(timezone.now() + timedelta(hours=1)).isoformat()}".replace("+", "%2B")
    )
    listed = api.get(f"{V1}/sessions?status=completed&{window}&include_summary=true").json()
    assert [s["id"] for s in listed["data"]] == [session_id]
    assert listed["meta"]["summary"]["status_counts"]["completed"] == 1

    processing = api.post(f"{url}/process")
    assert processing.status_code == 202 and processing.json()["job_state"] in ("running", "done")
    processed = api.get(url).json()
    assert processed["status"] == "processed" and processed["processing_results"]["risk_score"] is not None

    response = api.post(
        f"{url}/corrections",
        {
            "comment": "two fixes",
            "corrections": [
                {"step_id": "details", "field_ids": ["email"], "message": "Use your work e-mail."},
                {"step_id": "bank", "document_types": ["rib"], "message": "Upload a recent bank letter."},
            ],
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "awaiting_client_correction"
    assert [c["status"] for c in response.json()["corrections"]] == ["open", "open"]

    new_link = api.post(f"{url}/links", {}, format="json").json()["links"][0]["link_url"]
    assert new_link != first_link
    with pytest.raises(LinkUnavailable):
        services.link_resolve(first_link.rstrip("/").rsplit("/", 1)[1])
    before = timezone.datetime.fromisoformat(api.get(url).json()["expires_at"])
    extended = api.post(f"{url}/extend", {"extend_days": 3, "comment": "customer on holiday"}, format="json")
    assert timezone.datetime.fromisoformat(extended.json()["expires_at"]) - before == timedelta(days=3)

    document = processed["documents"][0]
    download = api.get(f"{url}/documents/{document['id']}/url").json()
    assert "/api/v1/documents/" in download["url"] and hours_from_now(download["expires_at"]) < 0.1

    parties = [
        api.post(f"{url}/subsessions", {"role": "ubo", "name": f"UBO {n}", "input": {}}, format="json") for n in (1, 2)
    ]
    assert [p.status_code for p in parties] == [201, 201]
    assert all(
        p.json()["parent_id"] == session_id and p.json()["metadata"]["related_party"]["role"] == "ubo" for p in parties
    )
    assert api.delete(f"{url}/subsessions/{parties[1].json()['id']}").status_code == 204
    remaining = api.get(f"{url}/subsessions").json()["data"]
    assert [s["name"] for s in remaining] == ["UBO 1"]
    assert api.get(f"{V1}/sessions").json()["data"][0]["id"] == session_id  # subsessions stay out of the list

    applicant_submits(details.id, data={"email": "anna@work.example"})
    applicant_submits(bank.id, files=[(bank_letter_pdf(GERMAN_ACCOUNT), "rib", "")])
    assert api.post(f"{url}/process").status_code == 202
    approved = api.patch(url, {"status": "approved", "notes": "Income verified by phone."}, format="json").json()
    assert (approved["status"], approved["final_decision"], approved["decision_note"]) == (
        "approved",
        "approved",
        "Income verified by phone.",
    )
    assert Event.objects.filter(
        session_ref=session_id, action="session.approve", note="Income verified by phone."
    ).exists()


def test_story_4_a_signing_service_sends_only_what_the_workflow_needs(org, api):
    workflow = make_workflow(
        org,
        name="Sign a contract",
        steps=[{"id": "sign", "type": "signature"}],
        settings={"redirect_allowlist": ["https://sign.example"], "locales": ["en", "de"]},
    )
    document = api.get(f"{V1}/workflows/{workflow.id}/openapi").json()
    request = {
        "workflow_id": str(workflow.id),
        "metadata": {"subject_id": "signer-42"},
        "locale": "de",
        "redirect_url": "https://sign.example/done?contract=9",
        "state": "csrf-7f3a",
        "input": {
            "identity": {"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12"},
            "documents": [
                {
                    "step_id": "sign",
                    "filename": "contract.pdf",
                    "content_base64": base64.b64encode(pdf(pages=2)).decode(),
                }
            ],
        },
    }
    schema = {"$ref": "#/components/schemas/SessionCreate", "components": document["components"]}
    assert list(Draft202012Validator(schema).iter_errors(request)) == []
    # The document also tells what would be refused.
    assert list(Draft202012Validator(schema).iter_errors({**request, "input": {"address": {}}}))
    assert list(Draft202012Validator(schema).iter_errors({**request, "locale": "fr"}))

    response = api.post(f"{V1}/sessions", request, format="json")
    assert response.status_code == 201, response.json()
    session = response.json()
    assert (session["reference_id"], session["locale"], session["redirect_url"], session["state"]) == (
        "signer-42",
        "de",
        "https://sign.example/done?contract=9",
        "csrf-7f3a",
    )
    (pdf_document,) = session["documents"]
    assert (pdf_document["mime_type"], pdf_document["page_count"]) == ("application/pdf", 2)
    assert pdf_document["verification_id"] == session["applicants"][0]["verifications"][0]["id"]
    assert api.get(f"{V1}/sessions/{session['id']}").json()["state"] == "csrf-7f3a"


def test_story_5_a_bad_integrator_gets_problems_and_changes_nothing(org, other_org, client):
    workflow = make_workflow(org, settings={"redirect_allowlist": ["https://shop.example"]})
    api, _ = client_for(org)
    session = api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), "name": "Kept"}, format="json").json()
    url = f"{V1}/sessions/{session['id']}"
    revoked_key, revoked_plain = make_api_key(org)
    services.api_key_revoke(actor=system(org), api_key_id=revoked_key.id)
    read_only, _ = client_for(org, scopes=["sessions:read"])
    stranger, _ = client_for(other_org)
    create = {"workflow_id": str(workflow.id)}
    before = (api.get(url).json(), Session.objects.count(), Event.objects.count())

    problem(client.patch(url, {"name": "x"}, format="json"), 401)
    problem(bearer(revoked_plain).delete(url), 401)
    assert problem(read_only.delete(url), 403)["missing_scope"] == "sessions:write"
    problem(stranger.get(url), 404)
    problem(stranger.delete(url), 404)
    problem(api.generic("POST", f"{V1}/sessions", "{not json", content_type="application/json"), 400)
    assert problem(api.post(f"{V1}/sessions", {**create, "colour": "red"}, format="json"), 400)["errors"] == {
        "colour": ["Unknown field."]
    }
    assert (
        "redirect_url"
        in problem(api.post(f"{V1}/sessions", {**create, "redirect_url": "https://evil.example/"}, format="json"), 400)[
            "errors"
        ]
    )
    assert "state" in problem(api.post(f"{V1}/sessions", {**create, "state": "s" * 3000}, format="json"), 400)["errors"]
    conflict = problem(api.patch(url, {"status": "approved", "notes": "looks fine"}, format="json"), 409)
    assert conflict["current_status"] == "draft" and "draft" in conflict["detail"]

    assert (api.get(url).json(), Session.objects.count(), Event.objects.count()) == before
