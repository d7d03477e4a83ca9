"""A hostile file costs the applicant one attempt, never the worker: render work is priced
before anything is rendered, any error in a check makes the document unusable, and a check
that never finishes (its worker died) is quarantined instead of being re-queued forever."""

import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.checks import images
from onboarding.models import Document, Verification
from onboarding.services.processing import MAX_CHECK_RUNS
from onboarding.services.reconcile import requeue_stalled_work
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system
from tests.security import hostile_files as hostile

pytestmark = pytest.mark.django_db

ADDRESS_STEPS = [{"id": "address", "type": "proof_of_address"}]


def open_verification(org, steps):
    session = make_session(org, make_workflow(org, steps=steps))
    services.links_generate(actor=system(org), session_id=session.id)
    return session.verifications.get()


def store_unchecked(verification, content):
    """A file stored as it is, as files accepted before the upload check knew this trick were."""
    from django.core.files.base import ContentFile

    document = Document(
        organization_id=verification.organization_id,
        session_id=verification.session_id,
        applicant_id=verification.applicant_id,
        verification=verification,
        kind="utility_bill",
        mime_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    document.file.save("bill.pdf", ContentFile(content), save=True)
    return document


@pytest.mark.parametrize("maker", [hostile.pdf_stripe_page, hostile.pdf_of_huge_pages], ids=["stripe", "huge pages"])
def test_the_renderer_prices_a_pdf_before_rendering_it(maker):
    started = time.perf_counter()
    with pytest.raises(images.UnreadableDocument):
        images.pdf_pages(maker())
    assert time.perf_counter() - started < 3.0  # refused from page sizes; rendering takes far longer


def test_ordinary_pages_still_render():
    pages = images.pdf_pages(hostile.blank_pdf(3))
    assert [page.size for page in pages] == [(1653, 2339)] * 3  # A4 at 200 dpi


@pytest.mark.parametrize("maker", [hostile.pdf_stripe_page, hostile.pdf_of_huge_pages], ids=["stripe", "huge pages"])
def test_a_hostile_pdf_in_a_check_is_an_unusable_document(org, run_on_commit, maker):
    verification = open_verification(org, ADDRESS_STEPS)
    store_unchecked(verification, maker())
    services.verification_submit(actor=Actor.for_applicant(verification.applicant), verification_id=verification.id)
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == ("awaiting_data", 1)
    assert verification.previous_attempt["reason_codes"] == ["document_unreadable"]


def test_any_error_in_a_check_ends_as_an_unusable_document(org, run_on_commit, monkeypatch, caplog):
    from onboarding.checks import form

    def crash(documents, known, config):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(form, "run", crash)
    verification = open_verification(org, FORM_ONLY_STEPS)
    services.verification_submit(
        actor=Actor.for_applicant(verification.applicant),
        verification_id=verification.id,
        data={"email": "anna@example.com"},
    )
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == ("awaiting_data", 1)
    assert verification.previous_attempt["reason_codes"] == ["document_unreadable"]
    assert "RuntimeError" in caplog.text and "anna@example.com" not in caplog.text


def test_a_check_whose_worker_keeps_dying_is_quarantined_not_requeued_forever(org, caplog):
    verification = open_verification(org, FORM_ONLY_STEPS)
    # Submitted outside on-commit capture: no task runs, as when each run's worker was killed.
    services.verification_submit(
        actor=Actor.for_applicant(verification.applicant),
        verification_id=verification.id,
        data={"email": "anna@example.com"},
    )
    Verification.objects.filter(id=verification.id).update(status="processing", check_runs=MAX_CHECK_RUNS)
    with caplog.at_level(logging.ERROR), time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert requeue_stalled_work() == (1, 0)
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == ("awaiting_data", 1)
    assert verification.previous_attempt["reason_codes"] == ["document_unreadable"]
    event = verification.session.events.get(action="verification.quarantined")
    assert event.data["check_runs"] == MAX_CHECK_RUNS
    assert "quarantined" in caplog.text
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert requeue_stalled_work() == (0, 0)


def test_workers_have_memory_and_time_limits_and_a_queue_per_kind_of_work():
    assert app.conf.worker_max_memory_per_child and app.conf.task_soft_time_limit < app.conf.task_time_limit
    queue = {
        name: app.amqp.router.route({}, f"onboarding.tasks.{name}")["queue"].name
        for name in (
            "check_verification",
            "process_session",
            "deliver_webhook",
            "sweep_webhooks",
            "requeue_stalled_work",
        )
    }
    assert queue == {
        "check_verification": "checks",
        "process_session": "processing",
        "deliver_webhook": "webhooks",
        "sweep_webhooks": "webhooks",
        "requeue_stalled_work": "processing",
    }
    assert {q.name for q in app.conf.task_queues} == {"checks", "processing", "webhooks"}


@pytest.mark.parametrize("maker", [hostile.pdf_filter_chain_bomb, hostile.pdf_deflate_bomb], ids=["chain", "deflate"])
def test_a_stored_pdf_bomb_is_refused_before_the_check_unpacks_it(org, run_on_commit, monkeypatch, maker):
    from onboarding.checks import proof_of_address

    read = []
    monkeypatch.setattr(proof_of_address, "run", lambda documents, known, config: read.append(documents))
    verification = open_verification(org, ADDRESS_STEPS)
    store_unchecked(verification, maker())
    services.verification_submit(actor=Actor.for_applicant(verification.applicant), verification_id=verification.id)
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == ("awaiting_data", 1)
    assert verification.previous_attempt["reason_codes"] == ["document_unreadable"]
    assert read == []  # the check never read the bomb: it would have unpacked it whole
