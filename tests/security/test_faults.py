"""Faults: the database going away under requests, a worker killed mid-check.

While the database is unreachable every request fails cleanly: 503 problem
details with Retry-After under /api/, a plain 503 page elsewhere; a request cut
off half-way leaves nothing half-written; once the database is back, requests
succeed again.
"""

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client

from onboarding.audit import verify_chain
from onboarding.models import Applicant, Event, OutboxMessage, Session, Verification
from tests.api.conftest import V1, problem
from tests.factories import FORM_ONLY_STEPS, make_api_key, make_session, make_workflow, system
from tests.portal.conftest import enter
from tests.waiting import wait_for

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


def database_fails_after(allowed):
    """An execute wrapper: the first `allowed` queries run, every later one finds the server gone."""
    count = {"queries": 0}

    def wrapper(execute, sql, params, many, context):
        count["queries"] += 1
        if count["queries"] > allowed:
            raise OperationalError(REFUSED)
        return execute(sql, params, many, context)

    wrapper.count = count
    return wrapper


def client_keeping_errors():
    """A test client that returns the 5xx response instead of raising the server's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def api_client(org):
    _, plain = make_api_key(org)
    client = client_keeping_errors()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


# Real commits: a failed query must not poison a test-wide transaction.
@pytest.mark.django_db(transaction=True)
def test_requests_during_an_outage_get_503_and_succeed_after(api_client, org, reviewer):
    session = make_session(org)
    browser = client_keeping_errors()
    portal_path = enter(browser, make_links(org, session))
    browser.force_login(reviewer)  # the dashboard then reads its session from the database
    with connection.execute_wrapper(database_fails_after(0)):
        body = problem(api_client.get(f"{V1}/sessions"), 503)
        assert body["type"] == "urn:threshold:problem:service-unavailable"
        assert int(api_client.get(f"{V1}/sessions/{session.id}")["Retry-After"]) > 0
        for path in (portal_path, "/dashboard/"):
            page = browser.get(path)
            assert page.status_code == 503 and int(page["Retry-After"]) > 0
            assert "try again" in page.content.decode() and "Traceback" not in page.content.decode()
    assert api_client.get(f"{V1}/sessions/{session.id}").status_code == 200
    assert browser.get(portal_path).status_code == 200
    assert browser.get("/dashboard/").status_code == 200


def make_links(org, session):
    from onboarding import services

    return services.links_generate(actor=system(org), session_id=session.id)[0].token


def written_rows():
    return {model.__name__: model.objects.count() for model in (Session, Applicant, Verification, Event, OutboxMessage)}


@pytest.mark.django_db(transaction=True)
def test_a_session_creation_cut_off_at_any_query_leaves_no_half_written_session(api_client, org):
    """The connection is cut before each query in turn. A cut before the commit writes nothing; a
    cut after it (the response is being built) leaves the whole session. Never a part of one."""
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    payload = {"workflow_id": str(workflow.id), "name": "Cut off", "applicants": [{"type": "natural_person"}]}
    before = written_rows()
    counter = database_fails_after(10**6)
    with connection.execute_wrapper(counter):
        assert api_client.post(f"{V1}/sessions", payload, content_type="application/json").status_code == 201
    whole = {name: count - before[name] for name, count in written_rows().items()}
    nothing = dict.fromkeys(whole, 0)
    for allowed in range(counter.count["queries"]):
        before = written_rows()
        with connection.execute_wrapper(database_fails_after(allowed)):
            response = api_client.post(f"{V1}/sessions", payload, content_type="application/json")
        added = {name: count - before[name] for name, count in written_rows().items()}
        if response.status_code == 201:  # only work scheduled after the commit (webhook delivery) failed
            assert added == whole
        else:
            problem(response, 503)
            assert added in (nothing, whole), (allowed, added)
    assert verify_chain(org) == (True, None)
    assert api_client.post(f"{V1}/sessions", payload, content_type="application/json").status_code == 201


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_unreachable_then_back(api_client, org):
    """A real refused connection: the settings point at a closed port, then back."""
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    payload = {"workflow_id": str(workflow.id), "name": "During outage"}
    database = connections["default"]
    real_port = database.settings_dict["PORT"]
    database.close()
    database.settings_dict["PORT"] = str(closed_port())
    try:
        started = time.perf_counter()
        problem(api_client.post(f"{V1}/sessions", payload, content_type="application/json"), 503)
        assert time.perf_counter() - started < 5
    finally:
        database.close()
        database.settings_dict["PORT"] = real_port
    assert not Session.objects.filter(name="During outage").exists()
    assert api_client.post(f"{V1}/sessions", payload, content_type="application/json").status_code == 201
    assert verify_chain(org) == (True, None)


# A worker killed mid-check --------------------------------------------------------------------------

VISIBILITY_TIMEOUT = 3
ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict):
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (
        f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )


@contextlib.contextmanager
def worker_process(queue, media_root, *options):
    """A real worker (its own process, as in production) on the test database and a queue of its own.

    One process (`--pool solo`) unless `options` ask otherwise (`--pool prefork` applies the
    configured time limits and memory bound per child, as production workers do).
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_ROOT": str(media_root),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "LOG_LEVEL": "WARNING",
    }
    # `celery -A config worker`, with the tasks the worker itself sends kept on the same queue.
    start = (
        "import sys; from config.celery import app; app.conf.task_default_queue = sys.argv[1]; "
        "app.conf.task_routes = {}; "
        "app.worker_main(['worker', '-Q', sys.argv[1], *sys.argv[2:], '--without-heartbeat', "
        "'--without-gossip', '--without-mingle', '--loglevel', 'WARNING'])"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", start, queue, *(options or ("--pool", "solo"))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def reset_routing(app):
    """Celery keeps its router (with the task routes of the time) once made: an earlier test that
    routed a task would otherwise send this test's task to the `checks` queue, not the test's own."""
    for cached in ("router", "queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def broker_queue(settings):
    """Tasks go to Redis, on a queue no other worker on this machine listens to."""
    from kombu import Connection

    from config.celery import app

    queue = f"fault-test-{os.getpid()}-{time.monotonic_ns()}"
    previous = (
        app.conf.broker_url,
        app.conf.task_default_queue,
        app.conf.broker_transport_options,
        app.conf.task_routes,
    )
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_default_queue = queue
    app.conf.task_routes = {}  # every task on this test's queue, checks and webhooks included
    app.amqp.flush_routes()
    app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    reset_routing(app)
    yield queue
    (app.conf.broker_url, app.conf.task_default_queue, app.conf.broker_transport_options, app.conf.task_routes) = (
        previous
    )
    app.amqp.flush_routes()
    reset_routing(app)
    app.conf.task_always_eager = True
    with Connection(settings.REDIS_URL) as broker:
        broker.default_channel.queue_delete(queue)
        broker.default_channel.exchange_delete(queue)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_check_is_replaced_and_the_result_is_written_once(org, broker_queue, media_root):
    import random

    from onboarding import services
    from tests.documents.identity import random_document, render

    workflow = make_workflow(org, steps=[{"id": "identity", "type": "identity_document"}])
    session = make_session(org, workflow)
    verification = session.verifications.get()
    actor = system(org)
    page = io.BytesIO()
    render(random_document(random.Random(7)))[0].save(page, format="PNG")
    document = services.document_add(
        actor=actor, verification_id=verification.id, content=page.getvalue(), filename="passport.png", kind="passport"
    )
    services.verification_submit(actor=actor, verification_id=verification.id)  # the task waits in Redis

    def status():
        return Verification.objects.get(id=verification.id).status

    with worker_process(broker_queue, media_root) as first:
        assert wait_for(lambda: status() == "processing", timeout=60), "the first worker never took the task"
        first.send_signal(signal.SIGKILL)  # mid-extraction: OCR takes seconds
        first.wait(timeout=10)
    assert status() == "processing"
    # The replacement worker starts once the unacknowledged task is past its visibility timeout:
    # starting, a worker hands such tasks back to the queue (later, it sweeps for them periodically).
    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    with worker_process(broker_queue, media_root):
        assert wait_for(lambda: status() == "done", timeout=60), "the task was lost"
    verification.refresh_from_db()
    assert verification.result in ("passed", "failed", "inconclusive")
    finished = Event.objects.filter(object_id=verification.id, action="verification.finish")
    assert finished.count() == 1
    document.refresh_from_db()
    assert document.file.storage.exists(document.file.name) and not document.superseded
    assert verify_chain(org) == (True, None)
