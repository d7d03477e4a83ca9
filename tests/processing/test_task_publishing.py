"""Tasks published to Redis (config/broker.py): one client per channel, which still delivers after
its connection was dropped, and a creation that commits while the broker cannot be reached."""

import json

import pytest
import redis
from kombu import pools

from config.broker import Channel
from config.celery import app
from onboarding import tasks
from onboarding.models import Session
from tests.api.conftest import V1, client_for
from tests.factories import FORM_ONLY_STEPS, make_workflow

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checks_queue(settings):
    """The checks queue of the test's Redis database, empty; tasks are sent to it, not run in-process."""
    app.conf.task_always_eager = False  # eager_celery puts it back
    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("checks")
    yield queue
    queue.delete("checks")


def queued_ids(queue):
    return [json.loads(message)["headers"]["argsrepr"] for message in reversed(queue.lrange("checks", 0, -1))]


def publishing_channel():
    with app.producer_or_acquire() as producer:
        return producer.channel


def test_every_publish_goes_through_the_channels_one_client_and_arrives(checks_queue):
    tasks.check_verification.delay("first")
    channel = publishing_channel()
    assert isinstance(channel, Channel)
    client = channel._shared_client
    tasks.check_verification.delay("second")
    assert publishing_channel()._shared_client is client
    assert queued_ids(checks_queue) == ["('first',)", "('second',)"]


def test_a_publish_after_the_connection_was_dropped_still_arrives(checks_queue):
    tasks.check_verification.delay("before")
    client = publishing_channel()._shared_client
    # Redis drops the client's connection (a restart, a timeout): the pool replaces it for the next message.
    checks_queue.client_kill_filter(_id=client.client_id())
    tasks.check_verification.delay("after")
    assert publishing_channel()._shared_client is client
    assert queued_ids(checks_queue) == ["('before',)", "('after',)"]


def test_a_create_commits_while_the_broker_cannot_be_reached(org, checks_queue, monkeypatch, free_tcp_port):
    # No broker listens there: the check's publish fails once the creation has committed.
    unreachable = app.connection_for_write(f"redis://127.0.0.1:{free_tcp_port}/0")
    monkeypatch.setattr(app.amqp, "_producer_pool", pools.producers[unreachable])
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    response = client_for(org)[0].post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "input": {"form": {"email": "anna@example.com"}}},
        format="json",
    )
    assert response.status_code == 201, response.content
    session = Session.objects.get(id=response.json()["id"])
    assert (session.status, session.verifications.get().status) == ("active", "submitted")
    assert checks_queue.llen("checks") == 0  # the reconciler sends it later (tests/security/test_reconcile.py)
