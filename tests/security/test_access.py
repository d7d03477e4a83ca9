"""Who may reach what: tenants, applicants' links, fields a client may not set, tampered credentials.

Every object route of the OpenAPI schema is tried with another tenant's key
against this tenant's real objects: the answer is the same 404 an unknown id
gets (never 403, 200 or 500), and nothing changes.
"""

import re
import uuid

import pytest
from django.test import Client

from onboarding import services
from onboarding.audit import verify_chain
from onboarding.models import Event, OutboxMessage, Session, WebhookDelivery
from tests.api.conftest import V1, bearer, client_for, png, problem, uploaded
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_api_key, make_session, make_workflow, system
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\{(\w+)\}")
# A plausible body per operation, so a refusal cannot come from validation instead of scoping.
BODIES = {
    ("patch", "/api/v1/applicants/{applicant_id}"): {"label": "x"},
    ("patch", "/api/v1/sessions/{session_id}"): {"priority": 3},
    ("post", "/api/v1/sessions/{session_id}/applicants"): {"type": "natural_person"},
    ("post", "/api/v1/sessions/{session_id}/corrections"): {
        "corrections": [{"step_id": "identity", "message": "Please retake"}],
        "comment": "x",
    },
    ("post", "/api/v1/sessions/{session_id}/extend"): {"extend_days": 3, "comment": "x"},
    ("post", "/api/v1/sessions/{session_id}/subsessions"): {"role": "director", "name": "Director"},
    ("post", "/api/v1/verifications/{verification_id}/resolve"): {"result": "passed", "note": "x"},
    ("patch", "/api/v1/webhook-endpoints/{endpoint_id}"): {"enabled": False},
    ("patch", "/api/v1/workflows/{workflow_id}"): {"name": "Renamed"},
}


@pytest.fixture
def owner_objects(org):
    """One of every object the API addresses by id, all in `org`: {path parameter: id}."""
    api, _ = client_for(org)
    workflow = make_workflow(
        org,
        steps=[
            *FORM_ONLY_STEPS,
            {"id": "identity", "type": "identity_document"},
            {"id": "people", "type": "related_parties", "config": {"roles": ["director"]}},
        ],
    )
    session = make_session(org, workflow)
    applicant = session.applicants.get()
    verification = session.verifications.get(step_id="identity")
    document = api.post(
        f"{V1}/verifications/{verification.id}/documents", {"file": uploaded(png(), "id.png")}, format="multipart"
    ).json()["document"]
    subsession = api.post(
        f"{V1}/sessions/{session.id}/subsessions", {"role": "director", "name": "Director"}, format="json"
    ).json()
    endpoint = api.post(f"{V1}/webhook-endpoints", {"url": "http://127.0.0.1:9/hook"}, format="json").json()
    # Events are written once an endpoint listens.
    services.session_cancel(actor=system(org), session_id=subsession["id"], reason="not needed")
    delivery = WebhookDelivery.objects.get_or_create(
        organization=org, endpoint_id=endpoint["id"], message=OutboxMessage.objects.filter(organization=org).first()
    )[0]
    return {
        "workflow_id": workflow.id,
        "session_id": session.id,
        "applicant_id": applicant.id,
        "verification_id": verification.id,
        "document_id": document["id"],
        "subsession_id": subsession["id"],
        "endpoint_id": endpoint["id"],
        "delivery_id": delivery.id,
    }


def object_operations(api):
    schema = api.get(f"{V1}/schema", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        names = PARAMETER.findall(path)
        if not names or names == ["signed"]:  # a signed download URL is its own credential
            continue
        for method in operations:
            if method in ("get", "post", "patch", "put", "delete"):
                yield method, path, names


MULTIPART = {("post", "/api/v1/verifications/{verification_id}/documents")}


def call(client, method, path, body, template):
    if (method, template) in MULTIPART:
        return client.post(path, {"file": uploaded(png(), "id.png")}, format="multipart")
    if method in ("post", "patch", "put"):
        return getattr(client, method)(path, body, format="json")
    return getattr(client, method)(path)


def test_every_object_route_answers_another_tenant_as_if_the_object_did_not_exist(org, owner_objects):
    owner, _ = client_for(org)
    stranger, _ = client_for(OrganizationFactory())
    before = (Event.objects.filter(organization=org).count(), Session.objects.filter(organization=org).count())
    tried = []
    for method, path, names in object_operations(owner):
        body = BODIES.get((method, path), {})
        theirs = path.format(**{name: owner_objects[name] for name in names})
        unknown = path.format(**{name: uuid.uuid4() for name in names})
        response = call(stranger, method, theirs, body, path)
        assert response.status_code == 404, (method, theirs, response.status_code, response.content[:300])
        problem(response, 404)
        assert response.json() == call(stranger, method, unknown, body, path).json(), (method, path)
        tried.append((method, path))
    assert len(tried) >= 25
    assert (Event.objects.filter(organization=org).count(), Session.objects.filter(organization=org).count()) == before
    assert verify_chain(org) == (True, None)


# Applicants' links ---------------------------------------------------------------------------------


@pytest.fixture
def two_applicants(org):
    session = make_session(
        org,
        make_workflow(org, steps=FORM_ONLY_STEPS),
        input={},
        applicants=[
            {
                "type": "natural_person",
                "label": "Anna",
                "email": "anna@example.com",
                "identity": {"first_name": "Anna", "last_name": "Eriksson"},
            },
            {
                "type": "natural_person",
                "label": "Bruno",
                "email": "bruno@example.com",
                "identity": {"first_name": "Bruno", "last_name": "Keller"},
            },
        ],
    )
    links = services.links_generate(actor=system(org), session_id=session.id)
    return {link.applicant.label: (link.applicant, link.token) for link in links}


def test_an_applicants_link_reaches_only_their_own_steps(client, two_applicants):
    anna, anna_token = two_applicants["Anna"]
    bruno, _ = two_applicants["Bruno"]
    anna_path = enter(client, anna_token)
    page = client.get(anna_path + "steps/details/").content.decode()
    assert "Keller" not in page and "bruno@example.com" not in page
    # Naming the other applicant or their verification in the form changes nothing of theirs.
    bruno_details = bruno.verifications.get()
    client.post(
        anna_path + "steps/details/",
        {"email": "anna@example.com", "applicant_id": str(bruno.id), "verification_id": str(bruno_details.id)},
    )
    assert anna.verifications.get().status == "submitted"
    bruno_details.refresh_from_db()
    assert bruno_details.status == "awaiting_data" and "submitted" not in bruno_details.data


def test_two_applicants_links_opened_in_one_browser_never_mix(client, two_applicants):
    """Each link keeps its own token-free address and cookie: the tab of the first link opened
    still shows and changes only the first applicant after the second link is opened."""
    anna, anna_token = two_applicants["Anna"]
    bruno, bruno_token = two_applicants["Bruno"]
    anna_path = enter(client, anna_token)
    bruno_path = enter(client, bruno_token)
    assert anna_path != bruno_path
    client.post(anna_path + "steps/details/", {"email": "anna@example.com"})
    assert anna.verifications.get().status == "submitted"
    assert bruno.verifications.get().status == "awaiting_data"
    client.post(bruno_path + "steps/details/", {"email": "bruno@example.com"})
    assert bruno.verifications.get().data["submitted"]["email"] == "bruno@example.com"
    assert anna.verifications.get().data["submitted"]["email"] == "anna@example.com"


def changed_once(secret, position):
    replacement = "A" if secret[position] != "A" else "B"
    return secret[:position] + replacement + secret[position + 1 :]


def test_a_link_token_changed_by_one_character_opens_nothing(two_applicants):
    _, token = two_applicants["Anna"]
    browser = Client()
    unknown_body = browser.get("/s/" + "x" * len(token) + "/").content
    for position in (0, len(token) // 2, len(token) - 1):
        response = browser.get(f"/s/{changed_once(token, position)}/")
        assert response.status_code == 404 and response.content == unknown_body
        post = browser.post(f"/s/{changed_once(token, position)}/steps/details/", {"email": "x@example.com"})
        assert post.status_code in (403, 404)  # no CSRF cookie, and no link either


def test_api_keys_and_tokens_changed_by_one_character_are_401(org, workflow):
    _, plain = make_api_key(org)
    token = bearer(plain).post(f"{V1}/auth/token").json()["access_token"]
    for secret in (plain, token):
        assert bearer(secret).get(f"{V1}/workflows").status_code == 200
        for position in (len(secret) // 3, len(secret) // 2, len(secret) - 1):
            problem(bearer(changed_once(secret, position)).get(f"{V1}/workflows"), 401)


# Fields a client may not set -------------------------------------------------------------------------

PROTECTED = {
    "status": "approved",
    "organization": None,
    "organization_id": None,
    "decided_by": "someone",
    "risk_score": 0,
    "risk_level": "low",
    "final_decision": "approved",
    "data_anonymized": True,
    "created_at": "2000-01-01T00:00:00Z",
    "id": str(uuid.uuid4()),
}


@pytest.mark.parametrize("field", [f for f in PROTECTED if f != "status"])
def test_session_fields_owned_by_the_server_are_refused_on_create_and_update(org, other_org, field):
    api, _ = client_for(org)
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    value = str(other_org.id) if field.startswith("organization") else PROTECTED[field]
    problem(api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), field: value}, format="json"), 400)
    session = make_session(org, workflow, input={})
    problem(api.patch(f"{V1}/sessions/{session.id}", {field: value}, format="json"), 400)
    session.refresh_from_db()
    assert (session.organization_id, session.status, session.risk_score, session.final_decision) == (
        org.id,
        "draft",
        None,
        "",
    )


def test_status_is_refused_on_create_and_only_a_reviewer_decision_on_update(org):
    api, _ = client_for(org)
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    problem(api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), "status": "approved"}, format="json"), 400)
    session = make_session(org, workflow, input={})
    problem(api.patch(f"{V1}/sessions/{session.id}", {"status": "approved", "notes": "x"}, format="json"), 409)
    session.refresh_from_db()
    assert session.status == "draft"


@pytest.mark.parametrize("field", ["status", "session", "session_id", "organization", "verifications"])
def test_applicant_fields_owned_by_the_server_are_refused(org, field):
    api, _ = client_for(org)
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    applicant = session.applicants.get()
    problem(api.patch(f"{V1}/applicants/{applicant.id}", {field: "processed"}, format="json"), 400)
    problem(
        api.post(
            f"{V1}/sessions/{session.id}/applicants", {"type": "natural_person", field: "processed"}, format="json"
        ),
        400,
    )
    applicant.refresh_from_db()
    assert applicant.status == "initiated" and session.applicants.count() == 1


def test_workflow_and_verification_server_fields_are_refused(org, other_org):
    api, _ = client_for(org)
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    problem(api.patch(f"{V1}/workflows/{workflow.id}", {"organization": str(other_org.id)}, format="json"), 400)
    applicant = make_session(org, workflow, input={}).applicants.get()
    problem(
        api.post(
            f"{V1}/verifications",
            {"applicant_id": str(applicant.id), "type": "form", "status": "done", "result": "passed"},
            format="json",
        ),
        400,
    )
    assert not applicant.verifications.filter(status="done").exists()
