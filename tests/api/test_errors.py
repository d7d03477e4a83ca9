"""Problem details for every kind of error, and nothing saved when a request is refused."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from onboarding.api.errors import not_found, server_error
from onboarding.models import Session
from tests.api.conftest import V1, problem
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(api, workflow):
    body = problem(api.generic("POST", f"{V1}/sessions", '{"workflow_id": ', content_type="application/json"), 400)
    assert "JSON" in body["detail"]


def test_unknown_fields_are_named(api, workflow):
    body = problem(api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), "nmae": "typo"}, format="json"), 400)
    assert body["errors"] == {"nmae": ["Unknown field."]}


def test_a_number_where_text_is_expected_is_refused_and_nothing_is_saved(api):
    body = problem(api.post(f"{V1}/webhook-endpoints", {"url": "https://hooks.example.com/in", "description": 12},
                            format="json"), 400)  # fmt: skip
    assert body["errors"] == {"description": ["Not a valid string."]}
    assert api.get(f"{V1}/webhook-endpoints").json()["data"] == []


def test_a_number_where_a_uuid_is_expected_is_refused_not_read_as_one(api, workflow):
    body = problem(api.post(f"{V1}/sessions", {"workflow_id": 7}, format="json"), 400)
    assert body["errors"] == {"workflow_id": ["Not a valid string."]}
    assert not Session.objects.exists()


def test_applicant_values_longer_than_their_columns_are_named(api, workflow):
    body = problem(
        api.post(
            f"{V1}/sessions",
            {"workflow_id": str(workflow.id), "applicants": [{"phone_number": "+33 6 12 34 56 78 90 12 34"}]},
            format="json",
        ),
        400,
    )
    assert body["errors"] == {"applicants[0].phone_number": ["At most 20 characters."]}
    assert not Session.objects.exists()


def test_field_errors_are_flattened_per_field(api, workflow):
    body = problem(
        api.post(
            f"{V1}/sessions/{'0' * 8}-0000-0000-0000-{'0' * 12}/corrections",
            {"corrections": [{"step_id": "identity"}]},
            format="json",
        ),
        400,
    )
    assert body["errors"] == {"corrections[0].message": ["This field is required."]}


def test_wrong_content_type_is_415(api, workflow):
    body = problem(api.generic("POST", f"{V1}/sessions", "workflow_id=1", content_type="text/plain"), 415)
    assert "text/plain" in body["detail"]


def test_too_large_body_is_413_and_saves_nothing(api, workflow, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    payload = {"workflow_id": str(workflow.id), "name": "x" * 2000}
    problem(api.post(f"{V1}/sessions", payload, format="json"), 413)
    assert not Session.objects.exists()


def test_unknown_endpoint_and_wrong_method_are_problems(api, org, workflow):
    problem(api.get(f"{V1}/nothing-here"), 404)
    strict = bearer_with_csrf_checks(org)
    problem(strict.post(f"{V1}/nothing-here", {}, format="json"), 404)
    assert strict.post(f"{V1}/sessions", {"workflow_id": str(workflow.id)}, format="json").status_code == 201
    problem(api.get("/api/v2/sessions"), 404)
    problem(api.put(f"{V1}/workflows/{workflow.id}", {}, format="json"), 405)
    problem(api.get(f"{V1}/sessions/not-a-uuid"), 404)


def bearer_with_csrf_checks(organization):
    """A client that, like a real one, has no CSRF token: the API must not ask for one."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key(organization)[1]}")
    return client


def test_illegal_transition_is_409_naming_the_current_status(api, session):
    body = problem(api.patch(f"{V1}/sessions/{session.id}", {"status": "approved", "notes": "ok"}, format="json"), 409)
    assert body["current_status"] == "draft"
    assert "draft" in body["detail"]
    session.refresh_from_db()
    assert session.status == "draft" and session.decision_note == ""


def test_django_level_handlers_answer_problem_json_under_api():
    request = RequestFactory().get("/api/v1/whatever")
    response = server_error(request)
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert b'"status": 500' in response.content
    assert not_found(request, Exception())["Content-Type"] == "application/problem+json"
    page = not_found(RequestFactory().get("/dashboard/x"), Exception())
    assert page.status_code == 404 and "problem" not in page["Content-Type"]
