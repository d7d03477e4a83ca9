"""Idempotency-Key: replays, conflicts, expiry."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from onboarding.api import sessions as sessions_view
from onboarding.models import IdempotencyRecord, Session
from onboarding.services.api_support import idempotency_claim, idempotency_purge
from tests.api.conftest import V1, bearer, client_for, problem
from tests.factories import make_api_key, make_session
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def create(api, workflow, key, **fields):
    return api.post(
        f"{V1}/sessions", {"workflow_id": str(workflow.id), **fields}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_replay_returns_the_stored_response_and_creates_nothing_more(api, workflow):
    first = create(api, workflow, "order-1", name="Anna")
    second = create(api, workflow, "order-1", name="Anna")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Session.objects.count() == 1


def test_same_key_with_another_body_is_422(api, workflow):
    create(api, workflow, "order-2", name="Anna")
    body = problem(create(api, workflow, "order-2", name="Bob"), 422)
    assert "Idempotency-Key" in body["detail"]
    assert Session.objects.count() == 1


def test_a_duplicate_still_running_is_409(api, workflow, org):
    fresh, key = client_for(org)
    assert create(fresh, workflow, "probe", name="Anna").status_code == 201
    # The same request under another key that was claimed but has not answered yet.
    IdempotencyRecord.objects.filter(api_key=key).update(response_status=None, sealed_response="", key="running")
    body = problem(create(fresh, workflow, "running", name="Anna"), 409)
    assert "still being processed" in body["detail"]
    assert Session.objects.count() == 1


def test_errors_are_replayed_too_and_keys_are_per_api_key(api, workflow, org):
    first = create(api, workflow, "k", locale="xx")
    assert problem(first, 400)["errors"]["locale"]
    again = create(api, workflow, "k", locale="xx")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other, _ = client_for(org)
    assert create(other, workflow, "k", name="Anna").status_code == 201


def test_a_key_older_than_24_hours_runs_again(api, workflow):
    create(api, workflow, "old", name="Anna")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert create(api, workflow, "old", name="Anna").status_code == 201
    assert Session.objects.count() == 2
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_purge() == 1


def test_without_the_header_every_post_acts(api, workflow):
    for _ in range(2):
        assert api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id)}, format="json").status_code == 201
    assert Session.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_claim_outcomes(org):
    _, key = client_for(org)
    record, outcome = idempotency_claim(api_key=key, key="x", fingerprint="a")
    assert outcome.value == "new"
    assert idempotency_claim(api_key=key, key="x", fingerprint="a")[1].value == "in_progress"
    assert idempotency_claim(api_key=key, key="x", fingerprint="b")[1].value == "mismatch"


def test_a_server_failure_frees_the_key_for_a_retry(api, workflow, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("storage unavailable")

    real = sessions_view.session_create_with_documents
    monkeypatch.setattr(sessions_view, "session_create_with_documents", broken)
    api.raise_request_exception = False
    failed = create(api, workflow, "retry-me", name="Anna")
    assert failed.status_code == 500 and failed["Content-Type"] == "application/problem+json"
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(sessions_view, "session_create_with_documents", real)
    assert create(api, workflow, "retry-me", name="Anna").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_run_only_once(org, workflow, monkeypatch):
    real = sessions_view.session_create_with_documents
    started = threading.Event()

    def slow(**kwargs):
        started.set()
        time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr(sessions_view, "session_create_with_documents", slow)
    _, plain = make_api_key(org)
    results = {}

    def first():
        results["first"] = create(bearer(plain), workflow, "same", name="Anna").status_code
        connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(5)
    second = create(bearer(plain), workflow, "same", name="Anna")
    thread.join()
    assert (results["first"], second.status_code) == (201, 409)
    assert Session.objects.count() == 1


def stored_records():
    """The idempotency table as a database reader sees it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {IdempotencyRecord._meta.db_table}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_replays_hold_no_link_token_or_webhook_secret_in_the_database(api, org):
    session = make_session(org)
    links_url = f"{V1}/sessions/{session.id}/links"
    first = api.post(links_url, {}, format="json", HTTP_IDEMPOTENCY_KEY="links-1")
    token = first.json()["links"][0]["link_url"].rstrip("/").rsplit("/", 1)[1]
    with Receiver() as receiver:
        endpoint = api.post(
            f"{V1}/webhook-endpoints", {"url": receiver.url}, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
        )
    secret = endpoint.json()["secret"]
    assert secret.startswith("whsec_")

    table = stored_records()
    assert IdempotencyRecord.objects.count() == 2
    assert token not in table and secret not in table and "whsec_" not in table

    again = api.post(links_url, {}, format="json", HTTP_IDEMPOTENCY_KEY="links-1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert (
        api.post(
            f"{V1}/webhook-endpoints", {"url": endpoint.json()["url"]}, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
        ).json()["secret"]
        == secret
    )


def test_replays_survive_a_key_rotation_and_are_refused_not_rerun_once_the_key_is_retired(api, workflow, settings):
    first = create(api, workflow, "sealed", name="Anna")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert create(api, workflow, "sealed", name="Anna").json() == first.json()
    settings.SECRET_KEY_FALLBACKS = []
    body = problem(create(api, workflow, "sealed", name="Anna"), 409)
    assert "Idempotency-Key" in body["detail"]
    assert Session.objects.count() == 1
