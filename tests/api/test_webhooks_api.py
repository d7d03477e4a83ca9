import json

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from onboarding import services
from onboarding.models import WebhookDelivery, WebhookEndpoint
from tests.factories import FORM_ONLY_STEPS, make_api_key, make_session, make_workflow, system
from tests.webhooks.receiver import Receiver
from tests.webhooks.standard_webhooks import valid_signatures

BASE = "/api/v1/webhook-endpoints"


def client_for(org, scopes=("webhooks:write",), environment="live"):
    _, plain = make_api_key(org, scopes=list(scopes), environment=environment)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def api(org):
    return client_for(org)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def test_register_shows_the_secret_once_and_lists_without_it(api, receiver):
    response = api.post(BASE, {"url": receiver.url, "event_types": ["session.created"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["environment"] == "live" and body["enabled"]
    listed = api.get(BASE).json()
    assert [e["id"] for e in listed["data"]] == [body["id"]]
    assert "secret" not in listed["data"][0] and "secret" not in api.get(f"{BASE}/{body['id']}").json()


def test_invalid_registrations_are_problem_details_naming_the_field(api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api.post(BASE, {"url": "http://127.0.0.1/hook"}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    response = api.post(BASE, {"url": "https://93.184.215.14/", "event_types": ["nope"]}, format="json")
    assert response.status_code == 400 and any("event_types" in k for k in response.json()["errors"])
    # A % that starts no escape makes no URL a receiver could be called at.
    response = api.post(BASE, {"url": "https://hooks.example.com/a%Cok"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]
    # Nor does a second #: the fragment the first one starts cannot hold another.
    response = api.post(BASE, {"url": "https://hooks.example.com/a#b#c"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]


def test_scope_and_tenant_are_enforced(org, other_org, api, receiver):
    endpoint_id = api.post(BASE, {"url": receiver.url}, format="json").json()["id"]
    assert client_for(org, scopes=["sessions:read"]).get(BASE).status_code == 403
    other = client_for(other_org)
    assert other.get(f"{BASE}/{endpoint_id}").status_code == 404
    assert other.delete(f"{BASE}/{endpoint_id}").status_code == 404
    sandbox = client_for(org, environment="sandbox")
    assert sandbox.get(BASE).json()["data"] == []


def test_patch_rotate_and_delete(api, receiver):
    created = api.post(BASE, {"url": receiver.url}, format="json").json()
    url = f"{BASE}/{created['id']}"
    patched = api.patch(url, {"enabled": False, "description": "CRM"}, format="json").json()
    assert not patched["enabled"] and patched["description"] == "CRM" and patched["disabled_reason"]
    assert api.patch(url, {"secret": "x"}, format="json").status_code == 400
    rotated = api.post(f"{url}/rotate-secret").json()
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_expires_at"]
    assert api.delete(url).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_are_listed_with_attempts_and_can_be_redelivered(org, api, django_capture_on_commit_callbacks):
    with Receiver([(500, {}, b"down for maintenance")]) as receiver:
        created = api.post(BASE, {"url": receiver.url, "event_types": ["session.created"]}, format="json").json()
        with django_capture_on_commit_callbacks(execute=True):
            make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS))
        deliveries = api.get(f"{BASE}/{created['id']}/deliveries").json()["data"]
        assert len(deliveries) == 1
        delivery = deliveries[0]
        assert delivery["status"] == "pending" and delivery["event_type"] == "session.created"
        assert delivery["attempts"][0]["status_code"] == 500
        assert delivery["attempts"][0]["response_excerpt"] == "down for maintenance"
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"{BASE}/{created['id']}/deliveries/{delivery['id']}/redeliver")
        assert response.status_code == 202
    assert WebhookDelivery.objects.get().status == "succeeded"
    last = receiver.requests[-1]
    assert last.headers["webhook-id"] == delivery["webhook_id"]
    assert valid_signatures(created["secret"], last.headers, last.body) == 1
    failed = api.get(f"{BASE}/{created['id']}/deliveries?status=failed").json()["data"]
    assert failed == []
    assert api.get(f"{BASE}/{created['id']}/deliveries?status=bogus").status_code == 400


def test_session_events_carry_the_sessions_custom_tags_and_reference_id(org, receiver):
    client = client_for(org, scopes=("webhooks:write", "sessions:write"))
    assert client.post(BASE, {"url": receiver.url}, format="json").status_code == 201
    workflow = services.workflow_create(
        actor=system(org), name="Retail", steps=FORM_ONLY_STEPS, custom_tags=["retail", "fr"], publish=True
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/v1/sessions",
            {"workflow_id": str(workflow.id), "reference_id": "cust-42", "links": True},
            format="json",
        )
    assert response.status_code == 201
    events = [json.loads(request.body) for request in receiver.requests]
    session_events = [e for e in events if e["type"].startswith("session.")]
    assert {e["type"] for e in session_events} >= {"session.created", "session.status_changed"}
    for event in session_events:
        assert (event["data"]["reference_id"], event["data"]["custom_tags"]) == ("cust-42", ["retail", "fr"])
