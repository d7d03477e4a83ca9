"""PDF bombs through a real worker: a prefork Celery worker, as in production, with the
configured soft and hard time limits and memory bound per child. Each bomb costs its
applicant one attempt and says why; the worker goes on to check an ordinary document.
(`make bench` measures the worker's peak memory under the same files.)"""

import pytest
from django.conf import settings

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Verification
from tests.documents.address import bill_pdf, french_bill
from tests.factories import make_session, make_workflow, system
from tests.security import hostile_files as hostile
from tests.security.test_faults import broker_queue, worker_process  # noqa: F401 (broker_queue: fixture)
from tests.security.test_hostile_checks import ADDRESS_STEPS, store_unchecked
from tests.waiting import wait_for

BOMBS = {
    "Flate behind ASCIIHex, 300 MB unpacked": lambda: hostile.pdf_filter_chain_bomb(300),
    "20 pages of 14,400 pt": hostile.pdf_of_huge_pages,
    "MediaBox 10^9 pt wide": hostile.pdf_stripe_page,
}


def submitted(org, content):
    """A proof-of-address step holding `content` as stored (not vetted on upload), sent for checking."""
    session = make_session(org, make_workflow(org, steps=ADDRESS_STEPS))
    services.links_generate(actor=system(org), session_id=session.id)
    verification = session.verifications.get()
    store_unchecked(verification, content)
    services.verification_submit(actor=Actor.for_applicant(verification.applicant), verification_id=verification.id)
    return verification


def one_attempt_used(verification_id):
    return wait_for(lambda: Verification.objects.get(id=verification_id).attempts == 1, timeout=120)


def answer(name, question):
    """What the worker `name` answers to a remote-control question, once it is up."""
    answers = {}
    inspect = app.control.inspect([name], timeout=2)
    wait_for(lambda: answers.update(getattr(inspect, question)() or {}) or answers, timeout=120)
    return answers.get(name)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_each_pdf_bomb_costs_one_attempt_and_the_worker_goes_on(org, broker_queue, media_root):  # noqa: F811
    name = f"{broker_queue}@localhost"
    prefork = ("--pool", "prefork", "--concurrency", "1", "-n", name)
    with worker_process(broker_queue, media_root, *prefork) as worker:
        stats = answer(name, "stats")
        assert stats, "the worker never answered"
        # The pool enforces the configured time limits in each child; a child over the memory bound is replaced.
        assert "prefork" in stats["pool"]["implementation"]
        limits = (settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT)
        assert tuple(stats["pool"]["timeouts"]) == limits
        configured = answer(name, "conf")
        assert configured["CELERY_WORKER_MAX_MEMORY_PER_CHILD"] == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0

        bombs = {label: submitted(org, make()) for label, make in BOMBS.items()}
        for label, verification in bombs.items():
            assert one_attempt_used(verification.id), f"{label}: no attempt used"
            verification.refresh_from_db()
            assert verification.status == "awaiting_data", label  # the applicant may send another document
            assert verification.previous_attempt["reason_codes"] == ["document_unreadable"], label
        assert worker.poll() is None

        ordinary = submitted(org, bill_pdf(french_bill()))
        assert wait_for(lambda: Verification.objects.get(id=ordinary.id).status == "done", timeout=120)
        ordinary.refresh_from_db()
        assert ordinary.attempts == 0 and ordinary.result in ("passed", "failed", "inconclusive")
        assert worker.poll() is None
