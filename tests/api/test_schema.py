"""The API's OpenAPI schema, its local Swagger UI, and schemathesis fuzzing it in-process."""

import re
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import V1
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 8

SPEC_PATHS = [
    "/auth/token",
    "/workflows",
    "/workflows/{workflow_id}",
    "/workflows/{workflow_id}/publish",
    "/workflows/{workflow_id}/versions",
    "/workflows/{workflow_id}/openapi",
    "/sessions",
    "/sessions/{session_id}",
    "/sessions/{session_id}/applicants",
    "/applicants/{applicant_id}",
    "/verifications",
    "/verifications/{verification_id}",
    "/verifications/{verification_id}/resolve",
    "/verifications/{verification_id}/documents",
    "/sessions/{session_id}/links",
    "/sessions/{session_id}/extend",
    "/sessions/{session_id}/corrections",
    "/sessions/{session_id}/process",
    "/sessions/{session_id}/validate",
    "/sessions/{session_id}/documents/{document_id}/url",
    "/sessions/{session_id}/subsessions",
    "/sessions/{session_id}/subsessions/{subsession_id}",
    "/sessions/{session_id}/subsessions/{subsession_id}/links",
    "/sessions/{session_id}/events",
    "/watchlist/search",
]


def test_schema_is_served_publicly_and_is_valid_openapi_3_1(client):
    response = client.get(f"{V1}/schema?format=json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate_schema(document)
    assert {f"/api/v1{path}" for path in SPEC_PATHS} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_spectacular_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_swagger_ui_is_served_without_any_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    # No inline script, so a strict Content-Security-Policy can apply: the setup script is its own URL.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    setup_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    setup = client.get(setup_url)
    assert setup.status_code == 200 and "SwaggerUIBundle" in setup.content.decode()


@pytest.fixture
def keep_test_connection():
    """Requests made outside Django's test client close the database connection when they
    finish, which on PostgreSQL would end the test's transaction: do as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(org, workflow, keep_test_connection):
    """Every operation, fuzzed from the schema with a key holding every scope: no 5xx, ever."""
    schema = schemathesis.openapi.from_wsgi(f"{V1}/schema?format=json", get_wsgi_application())
    authorization = {"Authorization": f"Bearer {make_api_key(org)[1]}"}
    server_errors, statuses = [], Counter()

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def fuzz(case):
            case.headers = {**(case.headers or {}), **authorization}
            response = case.call()
            statuses[response.status_code // 100] += 1
            if response.status_code >= 500:
                server_errors.append((case.method, case.formatted_path, response.status_code, response.text[:200]))

        fuzz()
    assert server_errors == []
    assert statuses[2] > 0, statuses  # the key was accepted: the fuzzing went past authentication
