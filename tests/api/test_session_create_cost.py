"""What one POST /sessions costs: a bounded number of statements, an answer equal to what a
read returns, and no webhook work when no endpoint listens (deliveries still happen when one does)."""

import pytest
from django.db import connection

from onboarding import tasks, webhooks
from onboarding.audit import current_head, verify_chain
from onboarding.models import Event, OutboxMessage, SessionCount, WebhookDelivery
from onboarding.services.common import session_counts_rebuild
from tests.api.conftest import V1
from tests.factories import ALICE, IDENTITY_STEPS, make_workflow, system
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

# API key (and its last use, written at most once a minute), workflow with its published version,
# session, applicants, verifications, the audit chain's lock, event and head, the count of sessions
# per status, the webhook subscriptions; 2 more are the test's savepoint.
CREATE_STATEMENTS = 11
# Data completing a form step: the same, one insert more and the session's move between status counts.
# The step's submission and the session's activation move the objects on before their rows are written:
# the submitted verification and the active session are inserted as they end up (never updated after
# their insert), the steps left with one insert. Their audit events join the chain with the creation's in
# one append (onboarding.audit.appended_together): the organization and the head locked once, one insert,
# one update of the head; session_create opens no savepoint of its own.
CREATE_SUBMITTING_STATEMENTS = 14
# On PostgreSQL, 3 fewer: the webhook subscriptions read with the workflow, the organization's turn and
# the chain's head locked in one statement, the events inserted in the statement that moves the head.
POSTGRESQL_MERGED = 3
# Where the events are appended together, the count per status is moved by that same statement too.
POSTGRESQL_MERGED_TOGETHER = POSTGRESQL_MERGED + 1


def most_statements(statements, merged=POSTGRESQL_MERGED):
    return statements - merged if connection.vendor == "postgresql" else statements


# Every kind of value a form cleans: what the answer shows is what was stored.
FORM_STEP = {
    "id": "details",
    "type": "form",
    "config": {
        "fields": [
            {"id": "email", "type": "email", "required": True},
            {"id": "phone", "type": "phone"},
            {"id": "born", "type": "date"},
            {"id": "country", "type": "country"},
            {"id": "terms", "type": "checkbox", "required": True},
        ]
    },
}
FORM_INPUT = {
    "email": "Anna@Example.COM",
    "phone": "+33 6 12 34 56 78",
    "born": "1974-08-12",
    "country": "SE",
    "terms": True,
}


def create(api, workflow, **fields):
    return api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "name": "Anna Eriksson", "reference_id": "crm-1", **fields},
        format="json",
    )


@pytest.mark.parametrize("applicants", [1, 3])
def test_a_create_costs_a_fixed_number_of_statements(org, api, applicants, django_assert_max_num_queries):
    workflow = make_workflow(org, steps=IDENTITY_STEPS)
    people = [{"label": f"Person {n}", "identity": {"first_name": "Anna"}} for n in range(applicants)]
    create(api, workflow)  # the organization's first session also makes its row of counts per status
    with django_assert_max_num_queries(most_statements(CREATE_STATEMENTS)):
        response = create(api, workflow, applicants=people)
    assert response.status_code == 201, response.content


def test_a_create_submitting_a_form_costs_a_fixed_number_of_statements(
    org, api, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(tasks.check_verification, "delay", lambda verification_id: None)  # the worker's part
    workflow = make_workflow(org, steps=[FORM_STEP, *IDENTITY_STEPS[1:]])
    create(api, workflow, input={"form": FORM_INPUT})  # the rows of counts per status made
    with django_assert_max_num_queries(most_statements(CREATE_SUBMITTING_STATEMENTS, POSTGRESQL_MERGED_TOGETHER)):
        response = create(api, workflow, input={"form": FORM_INPUT})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "active"


def test_the_created_session_answers_as_a_read_of_it_does(org, api):
    workflow = make_workflow(org, steps=IDENTITY_STEPS)
    created = create(api, workflow, input={"identity": ALICE["identity"]}, metadata={"crm": {"id": 7}}).json()
    assert created.pop("pending_input") == []  # what the creation says of the input given, beside the session
    assert created == api.get(f"{V1}/sessions/{created['id']}").json()
    assert [step["step_id"] for step in created["steps_data"]] == [step["id"] for step in IDENTITY_STEPS]
    assert created["current_step_index"] == 0 and created["total_steps"] == len(IDENTITY_STEPS)


def test_no_webhook_work_is_queued_when_no_endpoint_listens(org, api, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.dispatch_webhook_message, "delay", queued.append)
    workflow = make_workflow(org, steps=IDENTITY_STEPS)
    # An endpoint of the other environment, or subscribed to other events, does not listen either.
    webhooks.endpoint_create(actor=system(org), url="http://127.0.0.1:9/hook", environment="sandbox")
    webhooks.endpoint_create(actor=system(org), url="http://127.0.0.1:9/other", event_types=["session.erased"])
    assert create(api, workflow).status_code == 201
    assert not OutboxMessage.objects.exists() and not queued


@pytest.mark.django_db(transaction=True)
def test_a_listening_endpoint_still_receives_the_creation(org, api):
    workflow = make_workflow(org, steps=IDENTITY_STEPS)
    with Receiver() as receiver:
        webhooks.endpoint_create(actor=system(org), url=receiver.url, event_types=["session.created"])
        session_id = create(api, workflow).json()["id"]
    assert len(receiver.requests) == 1 and session_id in receiver.requests[0].body.decode()
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_a_session_moved_on_by_the_data_given_answers_as_a_read_of_it_does(org, api, monkeypatch):
    checks = []
    # The form's check would otherwise run at once (eager tasks) and move the session on before the read.
    monkeypatch.setattr(tasks.check_verification, "delay", checks.append)
    workflow = make_workflow(org, steps=[FORM_STEP, *IDENTITY_STEPS[1:]])
    created = create(api, workflow, input={"identity": ALICE["identity"], "form": FORM_INPUT}).json()
    assert created.pop("pending_input") == []
    assert created == api.get(f"{V1}/sessions/{created['id']}").json()
    (verifications,) = [applicant["verifications"] for applicant in created["applicants"]]
    assert created["status"] == "active" and len(checks) == 1
    assert [v["status"] for v in verifications] == ["submitted"] + ["awaiting_data"] * 3
    assert verifications[0]["data"]["submitted"]["born"] == "1974-08-12"
    assert created["completed_steps"] == 1 and created["current_step_index"] == 1


def test_a_create_moved_on_by_its_data_appends_its_events_in_order_to_an_intact_chain(org, api, monkeypatch):
    monkeypatch.setattr(tasks.check_verification, "delay", lambda verification_id: None)
    workflow = make_workflow(org, steps=[FORM_STEP, *IDENTITY_STEPS[1:]])
    before, _ = current_head(org)
    session_id = create(api, workflow, input={"form": FORM_INPUT}).json()["id"]
    events = Event.objects.filter(organization=org, sequence__gt=before).order_by("sequence")
    assert [(e.action, e.to_status) for e in events] == [
        ("session.created", "draft"),
        ("verification.submit", "submitted"),
        ("session.activate", "active"),
    ]
    assert [e.sequence for e in events] == [before + 1, before + 2, before + 3]
    assert all(str(e.session_ref) == session_id for e in events)
    assert verify_chain(org) == (True, None)


def test_a_create_moved_on_by_its_data_is_counted_once_in_its_status(org, api, monkeypatch):
    monkeypatch.setattr(tasks.check_verification, "delay", lambda verification_id: None)
    workflow = make_workflow(org, steps=[FORM_STEP, *IDENTITY_STEPS[1:]])
    create(api, workflow)  # a draft: the draft count's row exists
    for _ in range(2):
        create(api, workflow, input={"form": FORM_INPUT})

    def stored():
        return sorted(SessionCount.objects.filter(organization=org).values_list("status", "count", "risk_scored"))

    kept = stored()
    assert kept == [("active", 2, 0), ("draft", 1, 0)]
    session_counts_rebuild(org.id)
    assert stored() == kept
