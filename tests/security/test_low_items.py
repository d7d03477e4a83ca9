"""Smaller holes: a tampered cursor, the admin's login and CSP, idle dashboard sessions."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.api.conftest import V1, client_for, problem
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def cursor(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("values", [["garbage", "x"], ["2026-01-01T00:00:00Z", "not-a-uuid"]])
def test_a_tampered_cursor_is_a_400_problem(org, values):
    api, _ = client_for(org)
    body = problem(api.get(f"{V1}/sessions", {"cursor": cursor(values)}), 400)
    assert "cursor" in body["errors"]


def test_the_admin_login_is_rate_limited_and_sends_a_csp():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    page = client.get("/admin/login/")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    for _ in range(10):
        assert client.post("/admin/login/", {"username": staff.username, "password": "wrong"}).status_code == 200
    assert client.post("/admin/login/", {"username": staff.username, "password": PASSWORD}).status_code == 429
    # The owner from another address is not locked out.
    assert (
        Client(REMOTE_ADDR="203.0.113.8")
        .post("/admin/login/", {"username": staff.username, "password": PASSWORD})
        .status_code
        == 302
    )


def test_an_idle_dashboard_session_ends(org, settings):
    user = MembershipFactory(organization=org, role="reviewer").user
    client = Client()
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)):
        assert client.get("/dashboard/").status_code == 200  # activity pushes the expiry back
    with time_machine.travel(timezone.now() + timedelta(seconds=2 * settings.SESSION_COOKIE_AGE)):
        response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert settings.SESSION_COOKIE_AGE <= 3600
