"""Personal data and files are erased after retention_days, unless on legal hold."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from onboarding import services, webhooks
from onboarding.audit import verify_chain
from onboarding.models import OutboxMessage, Session
from tests.factories import make_session, make_workflow, sample_png, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_session(org, media_root, django_capture_on_commit_callbacks):
    workflow = make_workflow(org, settings={"retention_days": 30})
    session = make_session(org, workflow, name="Anna Eriksson")
    verification = session.verifications.get(step_id="identity")
    document = services.document_add(actor=system(org), verification_id=verification.id, content=sample_png())
    return session, media_root / document.file.name


def run_retention(days, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() + timedelta(days=days)), django_capture_on_commit_callbacks(execute=True):
        return services.sessions_apply_retention()


def test_nothing_is_erased_before_the_retention_period(old_session, django_capture_on_commit_callbacks):
    session, path = old_session
    assert run_retention(29, django_capture_on_commit_callbacks) == 0
    session.refresh_from_db()
    assert session.name == "Anna Eriksson" and path.exists()


def test_retention_erases_data_and_files_and_keeps_the_audit_skeleton(old_session, django_capture_on_commit_callbacks):
    session, path = old_session
    webhooks.endpoint_create(actor=system(session.organization), url="http://127.0.0.1:9/hook")
    events_before = session.events.count()
    assert run_retention(31, django_capture_on_commit_callbacks) == 1
    session.refresh_from_db()
    applicant = session.applicants.get()
    assert session.data_anonymized and session.name == ""
    assert applicant.identity == {} and applicant.address == {} and applicant.bank_account == {}
    assert not path.exists()
    assert not session.documents.exists()
    assert session.events.count() == events_before + 1
    assert verify_chain(session.organization) == (True, None)
    assert OutboxMessage.objects.filter(event_type="session.erased", payload__session_id=str(session.id)).exists()
    # A second run has nothing left to do.
    assert run_retention(32, django_capture_on_commit_callbacks) == 0


def test_legal_hold_keeps_everything(old_session, django_capture_on_commit_callbacks):
    session, path = old_session
    services.session_update(actor=system(session.organization), session_id=session.id, legal_hold=True)
    assert run_retention(400, django_capture_on_commit_callbacks) == 0
    assert path.exists()
    assert not Session.objects.get(id=session.id).data_anonymized
