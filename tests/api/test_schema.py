"""The API's OpenAPI schema, its local Swagger UI, and schemathesis run against it in-process."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings

from tests.api.conftest import V1
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db

SPEC_PATHS = [
    "/auth/token", "/workflows", "/workflows/{workflow_id}", "/workflows/{workflow_id}/publish",
    "/workflows/{workflow_id}/versions", "/workflows/{workflow_id}/openapi", "/sessions", "/sessions/{session_id}",
    "/sessions/{session_id}/applicants", "/applicants/{applicant_id}", "/verifications",
    "/verifications/{verification_id}", "/verifications/{verification_id}/resolve",
    "/verifications/{verification_id}/documents", "/sessions/{session_id}/links", "/sessions/{session_id}/extend",
    "/sessions/{session_id}/corrections", "/sessions/{session_id}/process", "/sessions/{session_id}/validate",
    "/sessions/{session_id}/documents/{document_id}/url", "/sessions/{session_id}/subsessions",
    "/sessions/{session_id}/subsessions/{subsession_id}", "/sessions/{session_id}/subsessions/{subsession_id}/links",
    "/sessions/{session_id}/events", "/watchlist/search",
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


@pytest.fixture
def plain_key(org, workflow):
    """A key holding every scope, on an organization with a published workflow."""
    return make_api_key(org)[1]


# Loaded at collection through the app itself (the schema endpoint touches no database).
schema = schemathesis.openapi.from_wsgi(f"{V1}/schema?format=json", get_wsgi_application())


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error(case, plain_key):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {plain_key}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
