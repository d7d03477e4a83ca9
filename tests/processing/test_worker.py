"""A session processed by a real Celery worker through Redis and PostgreSQL (as in CI)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Session
from tests.documents.bank import FRENCH_ACCOUNT, bank_letter_pdf
from tests.factories import make_session, make_workflow, system
from tests.waiting import wait_for

STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "bank", "type": "bank_account"},
]
JEAN = {"identity": {"first_name": "Jean", "last_name": "Dupont"}, "bank_account": {"iban": FRENCH_ACCOUNT.iban}}


@pytest.fixture
def worker():
    if connection.vendor == "sqlite":
        # The in-memory test database is shared between threads in SQLite's shared-cache mode, where
        # a read during another thread's write fails at once ("table is locked") instead of waiting.
        pytest.skip("a real worker thread needs PostgreSQL (DATABASE_URL), as in CI")
    app.conf.task_always_eager = False
    # The worker thread must see what the test commits: no transaction wraps the test.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_processes_a_session_from_upload_to_decision(org, worker):
    assert not app.conf.task_always_eager
    workflow = make_workflow(org, steps=STEPS, settings={"auto_decide": True})
    session = make_session(org, workflow, input={k: dict(v) for k, v in JEAN.items()})
    services.links_generate(actor=system(org), session_id=session.id)
    applicant = session.applicants.get()
    actor = Actor.for_applicant(applicant)
    details, bank = session.verifications.get(step_id="details"), session.verifications.get(step_id="bank")
    services.verification_submit(actor=actor, verification_id=details.id, data={"email": "jean@example.com"})
    services.document_add(
        actor=actor, verification_id=bank.id, content=bank_letter_pdf(FRENCH_ACCOUNT), filename="rib.pdf", kind="rib"
    )
    services.verification_submit(actor=actor, verification_id=bank.id)  # the worker takes it from here

    assert wait_for(lambda: Session.objects.get(id=session.id).status == "approved"), Session.objects.get(
        id=session.id
    ).status
    session.refresh_from_db()
    results = session.processing_results
    assert results["final_decision"] == "approved" and results["risk_score"] == 0
    bank_result = next(r for r in results["extraction_results"] if r["step_id"] == "bank")
    assert bank_result["fields"]["iban"] == FRENCH_ACCOUNT.iban
    assert session.events.filter(action="session.approve", actor_type="system").exists()
