"""The API's OpenAPI schema, its local Swagger UI, and schemathesis fuzzing it in-process."""

import os
import re
import uuid
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.utils.text import slugify
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as settings_
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onboarding.texts import text_in
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


def excluded(operation):
    """A signing session's document must be a real PDF holding the fields it names, which no schema
    states and a fuzzer cannot make: its valid bodies are tested in test_signing_api.py instead."""
    return [positive_data_acceptance] if operation.label == "POST /api/v1/signing-sessions" else []


def follows_rules_no_schema_states(body):
    """Valid workflow steps as onboarding.steps sees them beyond their JSON Schema: ids unique (steps, and
    fields in a form), ${…} variables the product knows, a related-parties workflow that exists."""
    steps = body.get("steps") if isinstance(body, dict) else None
    if not isinstance(steps, list):
        return True
    ids = [
        step.get("id") or slugify(text_in(step.get("title"), "en") or step.get("type"))
        for step in steps
        if isinstance(step, dict)
    ]
    if len(ids) != len(set(ids)):
        return False
    for step in steps:
        config = step.get("config") if isinstance(step, dict) else None
        if not isinstance(config, dict):
            continue
        fields = config.get("fields") if isinstance(config.get("fields"), list) else []
        ids = [field.get("id") for field in fields if isinstance(field, dict)]
        if len(ids) != len(set(ids)) or "workflow_id" in config or "${" in str(config.get("fill_fields")):
            return False
    return True


@pytest.mark.slow
def test_schemathesis_all_checks_pass_on_every_operation(org, workflow, keep_test_connection, settings):
    """Every operation fuzzed from the schema, valid and invalid data, with every schemathesis check
    (as `--checks all`): no 5xx, and every status, content type, header and body the schema documents."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # a fuzzer's burst is not what the limit guards against
    schema = schemathesis.openapi.from_wsgi(f"{V1}/schema?format=json", get_wsgi_application())
    # Every string the API reads refuses NUL characters and lone surrogates (PostgreSQL stores neither),
    # as its description says; the key is sent as is, so only the checks make up bad credentials.
    schema.config.generation.update(allow_x00=False, codec="utf-8", with_security_parameters=False)

    @schema.hook
    def filter_body(context, body):
        return follows_rules_no_schema_states(body)

    authorization = {"Authorization": f"Bearer {make_api_key(org)[1]}"}
    failures, statuses = {}, Counter()

    def fuzzer(operation, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings_(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            # CI draws the same examples every run, so a gate never fails on the luck of the draw;
            # elsewhere every run draws new ones and keeps looking.
            derandomize=bool(os.environ.get("CI")),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            if mode is GenerationMode.POSITIVE:
                (case.query or {}).pop("cursor", None)  # opaque: only a next_cursor the API handed out is valid
                if "Idempotency-Key" in (case.headers or {}):
                    case.headers["Idempotency-Key"] = str(uuid.uuid4())  # one key per request, as clients do
            response = case.call_and_validate(headers=authorization, excluded_checks=excluded(operation))
            statuses[response.status_code // 100] += 1

        return fuzz

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:
            try:
                fuzzer(operation, mode)()
            except Unsatisfiable:
                pass  # nothing to make invalid (no parameters, or only the key)
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failures are reported together
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:1500]
    assert not failures, "\n\n".join(f"{label}: {report}" for label, report in failures.items())
    assert statuses[2] > 0, statuses  # the key was accepted: the fuzzing went past authentication
