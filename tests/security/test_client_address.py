"""Behind a proxy, every rate limit keys on the client, and nobody can lock a real owner out."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from onboarding.client_address import client_address
from tests.api.conftest import V1
from tests.factories import MembershipFactory, make_api_key

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def address(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_forwarded_entries_are_believed_only_from_trusted_proxies(settings):
    assert address("203.0.113.5", "198.51.100.1") == "203.0.113.5"  # no proxy configured: header ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(PROXY, "6.6.6.6, 203.0.113.5") == "203.0.113.5"  # the client's own prefix is not read
    assert address(PROXY, "not-an-address") == PROXY
    assert address(PROXY) == PROXY
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_RANGES = ["10.0.0.0/8", "fd00::/8"]
    assert address(PROXY, "6.6.6.6, 198.51.100.7, 10.2.3.4") == "198.51.100.7"
    assert address("203.0.113.9", "198.51.100.7") == "203.0.113.9"  # not from a proxy: header ignored


def login(client, username, password, forwarded):
    return client.post(
        reverse("dashboard:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_one_client_behind_the_proxy_cannot_lock_reviewers_out(settings, org, one_rate_window):
    settings.TRUSTED_PROXY_COUNT = 1
    owner = MembershipFactory(organization=org, role="reviewer").user
    colleague = MembershipFactory(organization=org, role="reviewer").user
    attacker = Client()
    for _ in range(40):
        login(attacker, owner.username, "wrong", "198.51.100.66")
    assert login(attacker, owner.username, PASSWORD, "198.51.100.66").status_code == 429
    # The owner, from their own address behind the same proxy, still gets in; so does a colleague.
    assert login(Client(), owner.username, PASSWORD, "203.0.113.10").status_code == 302
    assert login(Client(), colleague.username, PASSWORD, "203.0.113.11").status_code == 302


def test_token_requests_are_limited_per_client_not_per_proxy(settings, org, one_rate_window):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_TOKEN_RATE_LIMIT_PER_MINUTE = 3
    _, plain = make_api_key(org)
    client = Client()

    def token(forwarded, key="thr_live_guess"):
        return client.post(
            f"{V1}/auth/token", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [token("198.51.100.66") for _ in range(4)] == [401, 401, 401, 429]
    assert token("203.0.113.10", plain) == 200
