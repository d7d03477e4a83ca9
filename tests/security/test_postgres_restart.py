"""PostgreSQL restarted under load: requests during the outage fail cleanly (503), the
ones after succeed, and no session is half written."""

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from onboarding.models import Session
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_api_key, make_workflow

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", sorted(os.listdir("/etc/postgresql"))[-1], "main"]


def postgres_up():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def post_session(url, key, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_requests_fail_cleanly_during_a_restart_and_succeed_after(live_server, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    org = OrganizationFactory()
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    _, key = make_api_key(org)
    body = {"workflow_id": str(workflow.id), "input": {"form": {"email": "anna@example.com"}}}
    url = f"{live_server.url}/api/v1/sessions"
    outcomes, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            outcomes.append(post_session(url, key, body))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        subprocess.run([*CLUSTER, "stop", "-m", "fast"], check=True, timeout=60)
        time.sleep(2)  # requests arrive while the database is down
    finally:
        if not postgres_up():
            subprocess.run([*CLUSTER, "start"], check=True, timeout=60)
        deadline = time.monotonic() + 30
        while not postgres_up() and time.monotonic() < deadline:
            time.sleep(0.2)
    time.sleep(2)  # requests after recovery
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    connection.close()  # the test's own connection died with the server

    statuses = [status for status, _ in outcomes]
    assert set(statuses) <= {201, 503}, statuses
    assert 503 in statuses
    unavailable = next(problem for status, problem in outcomes if status == 503)
    assert unavailable["status"] == 503 and unavailable["title"]
    assert statuses[-1] == 201  # recovered
    created = [problem["id"] for status, problem in outcomes if status == 201]
    # Every session answered 201 exists, and every stored session is whole (one cut off
    # after its commit may have been answered 503: a retry with its Idempotency-Key is safe).
    assert set(created) <= {str(i) for i in Session.objects.filter(organization=org).values_list("id", flat=True)}
    stored = Session.objects.filter(organization=org)
    assert all(session.applicants.exists() and session.verifications.exists() for session in stored)
