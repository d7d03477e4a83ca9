"""A real Celery worker consuming from Redis (runs when REDIS_URL is set, as in CI)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Verification
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_session, make_workflow

# A worker thread needs a database server: SQLite locks the table between connections.
pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker(settings):
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_submitted_step_is_checked_by_a_worker_through_redis(redis_worker):
    org = OrganizationFactory()
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS))
    verification = session.verifications.get()
    services.verification_submit(actor=Actor.system(org.id), verification_id=verification.id,
                                 data={"email": "anna@example.com"})
    assert wait_for(lambda: Verification.objects.get(id=verification.id).status == "done")
    verification.refresh_from_db()
    assert verification.result == "passed"
