"""Data given when creating a session starts the steps it completes, as an integrator coming from IDnow expects."""

import base64

import pytest

from onboarding.models import Document, Session
from tests.api.conftest import V1, png, problem, uploaded
from tests.documents.address import bill_pdf, french_bill
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

ANNA = {
    "identity": {"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12"},
    "address": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
}
DETAILS_AND_ADDRESS = [
    {
        "id": "details",
        "type": "form",
        "config": {
            "fields": [
                {"id": "email", "type": "email", "required": True},
                {"id": "phone", "type": "phone", "required": False},
            ]
        },
    },
    {"id": "address", "type": "proof_of_address"},
]


def annas_bill():
    return bill_pdf(
        french_bill(first_name="Anna Maria", last_name="Eriksson", line_1="12 rue de la Paix", zip_code="75002")
    )


def statuses(body):
    return {v["step_id"]: v["status"] for a in body["applicants"] for v in a["verifications"]}


def test_json_input_completing_every_step_submits_them_and_the_session_is_processed(org, api):
    workflow = make_workflow(org, steps=DETAILS_AND_ADDRESS)
    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "input": {
                **ANNA,
                "form": {"email": "anna@example.com"},
                "documents": [
                    {
                        "step_id": "address",
                        "kind": "utility_bill",
                        "filename": "bill.pdf",
                        "content_base64": base64.b64encode(annas_bill()).decode(),
                    }
                ],
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json().get("errors")
    created = response.json()
    # Submitted at once; the session is under way although no link was asked for.
    assert statuses(created) == {"details": "submitted", "address": "submitted"}
    assert created["status"] == "active" and created["pending_input"] == []
    assert created["documents"][0]["kind"] == "utility_bill"

    # Once the worker ran the checks, everything owed is in: completed, then processed (auto_process).
    session = api.get(f"{V1}/sessions/{created['id']}").json()
    assert statuses(session) == {"details": "done", "address": "done"}
    assert session["status"] == "processed"
    assert session["processing_results"]["extraction_results"]
    events = api.get(f"{V1}/sessions/{created['id']}/events").json()["data"]
    moves = [(e["from_status"], e["to_status"]) for e in events if e["object_type"] == "session" and e["to_status"]]
    assert ("draft", "active") in moves and ("active", "completed") in moves and ("completed", "processing") in moves


def test_multipart_files_with_their_kind_submit_the_step(org, api):
    workflow = make_workflow(org, steps=[{"id": "address", "type": "proof_of_address"}])
    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "input[identity][first_name]": "Anna Maria",
            "input[identity][last_name]": "Eriksson",
            "input[address][line_1]": "12 rue de la Paix",
            "input[address][zip_code]": "75002",
            "input[address][city]": "Paris",
            "input[address][country]": "FR",
            "input[documents][address]": uploaded(annas_bill(), "bill.pdf"),
            "input[documents][address][kind]": "utility_bill",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json().get("errors")
    created = response.json()
    assert statuses(created) == {"address": "submitted"} and created["status"] == "active"
    assert [(d["kind"], d["mime_type"]) for d in created["documents"]] == [("utility_bill", "application/pdf")]
    assert api.get(f"{V1}/sessions/{created['id']}").json()["status"] == "processed"


def test_an_id_card_front_alone_waits_for_its_back_and_says_so(org, api):
    workflow = make_workflow(org, steps=[{"id": "identity", "type": "identity_document"}])
    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "input[documents][identity][front]": uploaded(png(), "front.png"),
            "input[documents][identity][kind]": "id_card",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json().get("errors")
    created = response.json()
    assert created["status"] == "draft" and statuses(created) == {"identity": "awaiting_data"}
    (pending,) = created["pending_input"]
    assert pending["step_id"] == "identity" and list(pending["missing"]) == ["back"]
    assert pending["verification_id"] == created["applicants"][0]["verifications"][0]["id"]

    # The back, sent later with submit, completes the step.
    upload = api.post(
        f"{V1}/verifications/{pending['verification_id']}/documents",
        {"file": uploaded(png(), "back.png"), "kind": "id_card", "side": "back", "submit": "true"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["verification"]["status"] in ("submitted", "processing", "done")


def test_a_form_missing_a_required_field_stays_open_and_names_it(org, api):
    workflow = make_workflow(org, steps=DETAILS_AND_ADDRESS)
    response = api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "input": {"form": {"phone": "+33 6 12 34 56 78"}}},
        format="json",
    )
    assert response.status_code == 201, response.json().get("errors")
    created = response.json()
    assert statuses(created) == {"details": "awaiting_data", "address": "awaiting_data"}
    assert created["status"] == "draft"
    (pending,) = created["pending_input"]
    assert (pending["step_id"], list(pending["missing"])) == ("details", ["email"])


def test_a_kind_the_step_does_not_take_is_a_400_and_nothing_is_saved(org, api, media_root):
    workflow = make_workflow(org, steps=[{"id": "identity", "type": "identity_document"}])
    multipart = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "input[documents][identity][front]": uploaded(png(), "front.png"),
            "input[documents][identity][kind]": "utility_bill",
        },
        format="multipart",
    )
    body = problem(multipart, 400)
    assert "id_card" in body["errors"]["input.documents[0]"][0]
    json_body = problem(
        api.post(
            f"{V1}/sessions",
            {
                "workflow_id": str(workflow.id),
                "input": {
                    "documents": [
                        {"step_id": "identity", "kind": "selfie", "content_base64": base64.b64encode(png()).decode()}
                    ]
                },
            },
            format="json",
        ),
        400,
    )
    assert "input.documents[0]" in json_body["errors"]
    assert not Session.objects.exists() and not Document.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_multipart_document_fields_other_than_kind_are_refused(org, api):
    workflow = make_workflow(org, steps=[{"id": "identity", "type": "identity_document"}])
    body = problem(
        api.post(
            f"{V1}/sessions",
            {
                "workflow_id": str(workflow.id),
                "input[documents][identity][front]": uploaded(png(), "front.png"),
                "input[documents][identity][colour]": "blue",
            },
            format="multipart",
        ),
        400,
    )
    assert "input[documents][identity]" in body["errors"]
    assert not Session.objects.exists()
