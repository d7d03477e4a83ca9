"""A session's end, as an integrator drives it: erasure, cancellation, expiry on demand."""

import json

import pytest

from onboarding.models import Applicant
from tests.api.conftest import V1, problem
from tests.factories import make_session, make_workflow
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhooks(api):
    """The events delivered to an endpoint registered through the API: [(type, data)]."""
    with Receiver() as receiver:
        assert api.post(f"{V1}/webhook-endpoints", {"url": receiver.url}, format="json").status_code == 201

        def received():
            return [(event["type"], event["data"]) for event in (json.loads(r.body) for r in receiver.requests)]

        yield received


# Prefilled in part, so the step waits for the applicant (a complete prefill would submit it).
DETAILS_TO_COMPLETE = [
    {
        "id": "details",
        "type": "form",
        "config": {
            "fields": [
                {"id": "email", "type": "email", "required": True},
                {"id": "phone", "type": "phone", "required": True},
            ]
        },
    }
]


def open_session(api, org, **fields):
    workflow = make_workflow(org, steps=DETAILS_TO_COMPLETE)
    response = api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "links": True, "input": {"form": {"email": "anna@example.com"}}, **fields},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def portal_path(link):
    return link["link_url"].replace("http://127.0.0.1:8000", "")


def test_an_erased_session_hands_out_no_link(api, org):
    session = make_session(org)
    assert api.delete(f"{V1}/sessions/{session.id}").status_code == 204
    body = problem(api.post(f"{V1}/sessions/{session.id}/links", {}, format="json"), 410)
    assert "erased" in body["detail"]
    problem(api.post(f"{V1}/sessions/{session.id}/extend", {"extend_days": 3}, format="json"), 410)
    problem(api.post(f"{V1}/sessions/{session.id}/applicants", {"type": "natural_person"}, format="json"), 410)
    assert not Applicant.objects.filter(session=session, link_token_hash__isnull=False).exists()
    assert api.get(f"{V1}/sessions/{session.id}").json()["applicants"][0]["link_expires_at"] is None


def test_cancel_kills_the_links_keeps_the_data_and_is_final(api, org, client, webhooks):
    created = open_session(api, org, reference_id="cust-7")
    assert client.get(portal_path(created["links"][0]), follow=True).status_code == 200
    response = api.post(f"{V1}/sessions/{created['id']}/cancel", {"reason": "customer withdrew"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["compliance_status"]) == ("cancelled", "incomplete")
    assert body["applicants"][0]["form_data"] == {"email": "anna@example.com"}
    assert body["applicants"][0]["standing"] == "cancelled"
    assert client.get(portal_path(created["links"][0])).status_code in (404, 410)
    assert ("session.cancelled", {"status": "cancelled"}) in [
        (kind, {"status": data.get("status")}) for kind, data in webhooks()
    ]
    events = api.get(f"{V1}/sessions/{created['id']}/events").json()["data"]
    assert [e["note"] for e in events if e["action"] == "session.cancel"] == ["customer withdrew"]

    for refused in (
        api.post(f"{V1}/sessions/{created['id']}/links", {}, format="json"),
        api.post(f"{V1}/sessions/{created['id']}/cancel", {}, format="json"),
        api.post(f"{V1}/sessions/{created['id']}/expire", {}, format="json"),
        api.post(f"{V1}/sessions/{created['id']}/extend", {"extend_days": 2}, format="json"),
    ):
        assert problem(refused, 409)["current_status"] == "cancelled"
    inbox = api.get(f"{V1}/sessions?compliance_status=incomplete&include_summary=true").json()["meta"]["summary"]
    assert inbox["status_counts"]["cancelled"] == 1 and inbox["inbox_counts"]["incomplete"] == 1


def test_a_decided_session_cannot_be_cancelled(api, org):
    session = make_session(org)
    session.__class__.objects.filter(id=session.id).update(status="approved")
    assert problem(api.post(f"{V1}/sessions/{session.id}/cancel", {}, format="json"), 409)["current_status"] == (
        "approved"
    )


def test_expire_now_sends_session_expired_and_extend_brings_it_back(api, org, client, webhooks):
    created = open_session(api, org)
    response = api.post(f"{V1}/sessions/{created['id']}/expire", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "expired"
    assert response.json()["expires_at"] <= response.json()["updated_at"]
    assert "session.expired" in [kind for kind, _ in webhooks()]
    assert client.get(portal_path(created["links"][0])).status_code in (404, 410)
    assert problem(api.post(f"{V1}/sessions/{created['id']}/expire", {}, format="json"), 409)["current_status"] == (
        "expired"
    )
    extended = api.post(f"{V1}/sessions/{created['id']}/extend", {"extend_days": 2}, format="json")
    assert extended.json()["status"] == "active"


def test_another_tenant_cannot_cancel_or_expire(other_api, api, org):
    created = open_session(api, org)
    for action in ("cancel", "expire"):
        problem(other_api.post(f"{V1}/sessions/{created['id']}/{action}", {}, format="json"), 404)
    assert api.get(f"{V1}/sessions/{created['id']}").json()["status"] == "active"
