import io

import pytest
from django.core.cache import cache
from django.test import TestCase
from rest_framework.test import APIClient

from onboarding.models import Scope
from tests.factories import make_api_key

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts with empty windows."""
    cache.clear()
    yield
    cache.clear()


class CommittingClient(APIClient):
    """Runs what each request schedules on commit (eager Celery tasks), as production does after the response."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


def bearer(plain):
    client = CommittingClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def client_for(org, scopes=None, environment="live"):
    """(APIClient authenticated with a new key, the ApiKey)."""
    key, plain = make_api_key(org, scopes=list(scopes or Scope.values), environment=environment)
    return bearer(plain), key


@pytest.fixture
def api(org):
    return client_for(org)[0]


@pytest.fixture
def other_api(other_org):
    return client_for(other_org)[0]


def problem(response, status):
    """Assert an RFC 9457 problem response with this status; returns its body."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["type"] and "detail" in body
    return body


def png(color=(200, 30, 30), size=(60, 40)):
    """A small real PNG, made at test time."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf(pages=1):
    """A small real PDF (blank pages), made at test time."""
    from PIL import Image

    out = io.BytesIO()
    images = [Image.new("RGB", (200, 280), "white") for _ in range(pages)]
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def uploaded(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
