"""What one POST /sessions costs: a bounded number of statements, an answer equal to what a
read returns, and no webhook work when no endpoint listens (deliveries still happen when one does)."""

import pytest

from onboarding import tasks, webhooks
from onboarding.models import OutboxMessage, WebhookDelivery
from tests.api.conftest import V1
from tests.factories import ALICE, IDENTITY_STEPS, make_workflow, system
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

# API key (and its last use, written at most once a minute), workflow with its published version,
# session, applicants, verifications, the audit chain's lock, event and head, the count of sessions
# per status, the webhook subscriptions; 2 more are the test's savepoint.
CREATE_STATEMENTS = 13


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
    with django_assert_max_num_queries(CREATE_STATEMENTS):
        response = create(api, workflow, applicants=people)
    assert response.status_code == 201, response.content


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
