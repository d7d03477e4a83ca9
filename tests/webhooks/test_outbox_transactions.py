"""Real commits and rollbacks: the outbox sends only what was committed."""

import pytest
from django.db import transaction

from onboarding import webhooks
from onboarding.models import OutboxMessage, WebhookDelivery
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


def test_a_rollback_sends_nothing_and_a_commit_sends_the_event(org):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    with Receiver() as receiver:
        webhooks.endpoint_create(actor=system(org), url=receiver.url, event_types=["session.created"])
        with pytest.raises(Boom), transaction.atomic():
            make_session(org, workflow)
            raise Boom
        assert not OutboxMessage.objects.exists() and not receiver.requests
        session = make_session(org, workflow)
    assert len(receiver.requests) == 1
    assert str(session.id) in receiver.requests[0].body.decode()
    assert WebhookDelivery.objects.get().status == "succeeded"
