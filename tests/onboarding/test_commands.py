import json
from io import StringIO

import pytest
from django.core.management import call_command

from onboarding.models import ApiKey, Organization, Session
from onboarding.services import link_resolve
from onboarding.services.keys import hash_key

# The demo commits as it goes: its checks run once each service commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_on_commit")]


def run_demo():
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_demo_seeds_an_empty_database_and_runs_again(client):
    first = run_demo()
    second = run_demo()
    assert Organization.objects.filter(slug="demo").count() == 1
    assert Session.objects.count() == 2 + 4  # a new applicant session per run, the inbox cases once
    assert first["cases"] == second["cases"]
    assert_a_case_in_every_inbox({ref: Session.objects.get(id=sid) for ref, sid in second["cases"].items()})
    for result in (first, second):
        token = result["link"].rstrip("/").rsplit("/", 1)[-1]
        assert str(link_resolve(token).session_id) == result["session_id"]
        assert ApiKey.objects.filter(key_hash=hash_key(result["api_key"]), revoked_at=None).exists()
    assert client.login(username=second["username"], password=second["password"])


def assert_a_case_in_every_inbox(cases):
    approved, watchlisted = cases["demo-case-approved"], cases["demo-case-watchlist"]
    assert (approved.status, approved.decided_at is not None) == ("approved", True)
    assert approved.verifications.get(step_id="bank").result == "passed"  # the letter was really read
    assert watchlisted.status == "manual_review"
    assert watchlisted.processing_results["external_validations"]["watchlist"]["is_match"]
    assert cases["demo-case-correction"].status == "awaiting_client_correction"
    blocked = cases["demo-case-blocked"]
    assert (blocked.status, blocked.applicants.get().status) == ("active", "blocked")
    assert blocked.verifications.get(step_id="bank").documents.filter(superseded=True).count() == 2


def test_demo_prints_login_key_and_link():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "reviewer" in text and "thr_live_" in text and "/s/" in text


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_system_check_is_clean():
    call_command("check", "--fail-level", "WARNING", stdout=StringIO())
