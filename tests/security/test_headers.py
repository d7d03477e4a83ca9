"""Security headers on every kind of page: the API, the applicant portal, the reviewer dashboard.

Portal and dashboard pages forbid inline script in their CSP, so the test also
checks their HTML holds none (no inline <script>, no on* handler attributes)
that the policy would silently break.
"""

import re

import pytest
from django.test import Client

from onboarding import services
from tests.api.conftest import V1, client_for
from tests.factories import MembershipFactory, make_session, make_workflow, system
from tests.portal.conftest import enter

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response):
    policy = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin-when-cross-origin")
    assert response.get("X-Frame-Options") == "DENY" or directives(response).get("frame-ancestors") == ["'none'"]


def assert_strict_page(response):
    assert_common_headers(response)
    policy = directives(response)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy.get("frame-ancestors") == ["'none'"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not HANDLER_ATTRIBUTE.search(html), HANDLER_ATTRIBUTE.search(html).group(0)


@pytest.fixture
def portal_paths(org):
    workflow = make_workflow(
        org,
        steps=[
            {
                "id": "details",
                "type": "form",
                "config": {"fields": [{"id": "email", "type": "email", "required": True}]},
            },
            {"id": "identity", "type": "identity_document"},
        ],
    )
    session = make_session(org, workflow)
    token = services.links_generate(actor=system(org), session_id=session.id)[0].token
    browser = Client()
    path = enter(browser, token)
    return browser, [path, f"{path}steps/details/", f"{path}steps/identity/", "/s/not-a-token/"]


def test_portal_pages(portal_paths):
    browser, paths = portal_paths
    for path in paths:
        response = browser.get(path)
        assert response.status_code in (200, 404)
        assert_strict_page(response)
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]


def test_dashboard_pages(org):
    browser = Client()
    assert_strict_page(browser.get("/dashboard/login/"))
    session = make_session(org)
    browser.force_login(MembershipFactory(organization=org, role="admin").user)
    for path in (
        "/dashboard/",
        "/dashboard/overview/",
        f"/dashboard/sessions/{session.id}/",
        "/dashboard/workflows/",
        "/dashboard/settings/api-keys/",
        "/dashboard/settings/webhooks/",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert_strict_page(response)


def test_api_responses(org, session):
    api, _ = client_for(org)
    for response in (
        api.get(f"{V1}/sessions"),
        api.get(f"{V1}/sessions/{session.id}"),
        api.get(f"{V1}/nothing"),
        Client().get(f"{V1}/sessions"),
        Client().get(f"{V1}/schema"),
        Client().get("/api/docs"),
    ):
        assert_common_headers(response)
        assert response["Content-Type"].split(";")[0] in (
            "application/json",
            "application/problem+json",
            "application/vnd.oai.openapi",
            "text/html",
        )
