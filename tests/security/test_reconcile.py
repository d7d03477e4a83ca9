"""Work whose task message was lost is picked up again by the periodic reconciler."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from onboarding import services
from onboarding.models import Session
from onboarding.services.reconcile import requeue_stalled_work
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db


def test_a_lost_check_task_is_requeued_and_the_session_finishes(org):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    session = make_session(org, workflow)
    actor = system(org)
    services.links_generate(actor=actor, session_id=session.id)
    verification = session.verifications.get()
    # Outside django_capture_on_commit_callbacks: the check task is never sent, as if the broker lost it.
    services.verification_submit(actor=actor, verification_id=verification.id, data={"email": "anna@example.com"})
    verification.refresh_from_db()
    assert verification.status == "submitted"
    assert requeue_stalled_work() == (0, 0)  # too recent to call stalled
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert requeue_stalled_work() == (1, 0)
    verification.refresh_from_db()
    assert verification.status == "done"
    session = Session.objects.get(id=session.id)
    assert session.status == "processing"  # its own processing task was lost too
    with time_machine.travel(timezone.now() + timedelta(minutes=12)):
        assert requeue_stalled_work() == (0, 1)
    session.refresh_from_db()
    assert session.status == "processed"
    # Everything settled: nothing more to requeue, and a repeat run changes nothing.
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert requeue_stalled_work() == (0, 0)
