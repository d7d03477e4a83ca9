import json
from io import StringIO

import pytest
from django.core.management import call_command

from onboarding.models import ApiKey, Organization, Session
from onboarding.services import link_resolve
from onboarding.services.keys import hash_key

pytestmark = pytest.mark.django_db


def run_demo():
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_demo_seeds_an_empty_database_and_runs_again(client):
    first = run_demo()
    second = run_demo()
    assert Organization.objects.filter(slug="demo").count() == 1
    assert Session.objects.count() == 2
    for result in (first, second):
        token = result["link"].rstrip("/").rsplit("/", 1)[-1]
        assert str(link_resolve(token).session_id) == result["session_id"]
        assert ApiKey.objects.filter(key_hash=hash_key(result["api_key"]), revoked_at=None).exists()
    assert client.login(username=second["username"], password=second["password"])


def test_demo_prints_login_key_and_link():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "reviewer" in text and "thr_live_" in text and "/s/" in text


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_system_check_is_clean():
    call_command("check", "--fail-level", "WARNING", stdout=StringIO())
