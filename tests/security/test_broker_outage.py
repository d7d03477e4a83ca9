"""Redis stopped during a burst of submissions: nothing is lost, everything is processed after it returns."""

import subprocess
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Session, Verification
from onboarding.services.reconcile import requeue_stalled_work
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_session, make_workflow, system
from tests.waiting import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# How this machine's Redis is started (the same command brings it back).
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def redis_up():
    return (
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True).stdout.strip()
        == "PONG"
    )


@pytest.fixture
def redis_outage():
    """Stop Redis for the test's first part; whatever happens, it runs again afterwards."""
    assert redis_up()
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True)
    assert wait_for(lambda: not redis_up(), timeout=10)

    def restart():
        if not redis_up():
            subprocess.run(REDIS_START, check=True)
        assert wait_for(redis_up, timeout=20)

    try:
        yield restart
    finally:
        restart()


def test_submissions_during_a_redis_outage_are_processed_afterwards(settings, redis_outage):
    org = OrganizationFactory()
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    sessions = [make_session(org, workflow, name=f"Customer {i}") for i in range(5)]
    for session in sessions:
        services.links_generate(actor=system(org), session_id=session.id)
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL

    started = time.monotonic()
    for session in sessions:
        verification = session.verifications.get()
        services.verification_submit(
            actor=Actor.for_applicant(verification.applicant),
            verification_id=verification.id,
            data={"email": "anna@example.com"},
        )
    assert time.monotonic() - started < 30
    # Every submission was saved even though no task could be sent.
    assert Verification.objects.filter(session__in=sessions, status="submitted").count() == 5

    redis_outage()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        assert requeue_stalled_work(now=timezone.now() + timedelta(minutes=6)) == (5, 0)
        assert wait_for(
            lambda: Session.objects.filter(id__in=[s.id for s in sessions], status="processed").count() == 5
        )
    assert Verification.objects.filter(session__in=sessions, status="done", result="passed").count() == 5
