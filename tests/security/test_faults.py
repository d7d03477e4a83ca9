"""Faults: the database going away under requests, a worker killed mid-check.

While the database is unreachable every request fails cleanly: 503 problem
details with Retry-After under /api/, a plain 503 page elsewhere; a request cut
off half-way leaves nothing half-written; once the database is back, requests
succeed again.
"""

import contextlib
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
from tests.api.conftest import V1, bearer, problem
from tests.factories import FORM_ONLY_STEPS, make_api_key, make_session, make_workflow, system

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
    portal_path = f"/s/{make_links(org, session)}/"
    browser = client_keeping_errors()
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
    return {model.__name__: model.objects.count()
            for model in (Session, Applicant, Verification, Event, OutboxMessage)}


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
