"""Redis down (cache and rate limits, or the broker): clean 503s with Retry-After, never a 500;
health says what is down; submissions still commit. Redis is simulated by a closed port."""

import pytest
from django.test import Client

from config.celery import app
from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Session
from tests.api.conftest import V1, problem
from tests.factories import FORM_ONLY_STEPS, make_api_key, make_session, make_workflow, system
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}}


@pytest.fixture
def broker_down():
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = CLOSED, False
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous


def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def link(org):
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS))
    [link] = services.links_generate(actor=system(org), session_id=session.id)
    return session, link.token


def test_the_api_answers_503_with_retry_after(org, workflow, cache_down):
    _, plain = make_api_key(org)
    response = client().post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id)},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    body = problem(response, 503)
    assert "retry" in body["detail"].lower() and int(response["Retry-After"]) > 0
    assert not Session.objects.exists()


def test_pages_answer_a_plain_try_again_page(org, link, cache_down):
    _, token = link
    for response in (
        client().get("/s/unknown-token/"),
        client().post("/dashboard/login/", {"username": "someone", "password": "x"}),
    ):
        assert response.status_code == 503 and response["Retry-After"]
        assert "try again" in response.content.decode()
    # A valid link needs no rate-limit counter: applicants keep working through the outage.
    browser = client()
    assert browser.get(enter(browser, token)).status_code == 200


def test_health_reports_the_cache_and_the_broker_down(cache_down, broker_down):
    body = client().get(f"{V1}/health").json()
    assert body == {"status": "degraded", "cache": "down", "broker": "down"}


def test_submissions_commit_while_the_broker_is_down(org, link, broker_down, django_capture_on_commit_callbacks):
    session, _ = link
    verification = session.verifications.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_submit(
            actor=Actor.for_applicant(verification.applicant),
            verification_id=verification.id,
            data={"email": "anna@example.com"},
        )
    verification.refresh_from_db()
    assert verification.status == "submitted"  # kept; the reconciler enqueues its check once Redis is back
