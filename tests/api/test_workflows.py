"""Workflows: CRUD, versioning, and the per-workflow OpenAPI document."""

import json

import pytest
from drf_spectacular.validation import validate_schema
from jsonschema import Draft202012Validator

from onboarding.models import Workflow
from tests.api.conftest import V1, problem
from tests.factories import FORM_ONLY_STEPS, IDENTITY_STEPS, make_workflow

pytestmark = pytest.mark.django_db

SIGNING_STEPS = [{"id": "sign", "type": "signature", "config": {"sign_fields": [{"field_id": "s1", "actor_id": "a"}]}}]


def test_create_read_list_and_archive(api):
    response = api.post(
        f"{V1}/workflows",
        {"name": "Retail KYC", "steps": FORM_ONLY_STEPS, "publish": True, "settings": {"link_ttl_hours": 24}},
        format="json",
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["version"], created["published_version"]) == ("published", 1, 1)
    assert created["steps"][0]["id"] == "details" and created["settings"] == {"link_ttl_hours": 24}
    assert api.get(f"{V1}/workflows/{created['id']}").json() == created
    assert [w["id"] for w in api.get(f"{V1}/workflows").json()["data"]] == [created["id"]]
    assert api.delete(f"{V1}/workflows/{created['id']}").status_code == 204
    problem(api.get(f"{V1}/workflows/{created['id']}"), 404)
    assert api.get(f"{V1}/workflows").json()["data"] == []


def test_invalid_steps_are_named(api):
    body = problem(api.post(f"{V1}/workflows", {"name": "x", "steps": [{"type": "telepathy"}]}, format="json"), 400)
    assert "steps[0].type" in body["errors"]


def test_editing_a_published_workflow_makes_a_new_draft_version(api, workflow):
    response = api.patch(f"{V1}/workflows/{workflow.id}", {"name": "KYC v2", "steps": FORM_ONLY_STEPS}, format="json")
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["status"], response.json()["published_version"]) == (
        2,
        "draft",
        1,
    )
    published = api.post(f"{V1}/workflows/{workflow.id}/publish")
    assert published.status_code == 200 and published.json()["number"] == 2
    body = problem(api.post(f"{V1}/workflows/{workflow.id}/publish"), 409)
    assert "published as version 2" in body["detail"]
    versions = api.get(f"{V1}/workflows/{workflow.id}/versions").json()["data"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["steps"][1]["id"] == "identity"  # version 1 is untouched


def test_an_unchanged_workflow_makes_no_new_version(api, workflow):
    current = api.get(f"{V1}/workflows/{workflow.id}").json()
    response = api.patch(
        f"{V1}/workflows/{workflow.id}",
        {"name": current["name"], "steps": current["steps"], "settings": current["settings"]},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["status"]) == (1, "published")
    assert [v["number"] for v in api.get(f"{V1}/workflows/{workflow.id}/versions").json()["data"]] == [1]


def test_another_tenants_workflow_is_404(other_api, workflow):
    for response in (
        other_api.get(f"{V1}/workflows/{workflow.id}"),
        other_api.patch(f"{V1}/workflows/{workflow.id}", {"name": "x"}, format="json"),
        other_api.delete(f"{V1}/workflows/{workflow.id}"),
        other_api.get(f"{V1}/workflows/{workflow.id}/openapi"),
    ):
        problem(response, 404)
    assert Workflow.objects.get(id=workflow.id).name == "KYC"


def openapi(api, workflow):
    response = api.get(f"{V1}/workflows/{workflow.id}/openapi")
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    return document


def test_openapi_lists_exactly_the_blocks_the_steps_need(api, org):
    identity = openapi(api, make_workflow(org, steps=IDENTITY_STEPS))
    body = identity["components"]["schemas"]["SessionCreate"]
    blocks = body["properties"]["input"]["properties"]
    assert set(blocks) == {"form", "identity", "address", "bank_account", "documents"}
    assert blocks["identity"]["required"] == ["first_name", "last_name"]
    assert blocks["bank_account"]["properties"]["iban"]["type"] == "string"
    assert blocks["form"]["properties"]["email"]["format"] == "email"
    assert blocks["documents"]["items"]["properties"]["step_id"]["enum"] == ["identity", "address", "bank"]
    multipart = identity["components"]["schemas"]["SessionCreateMultipart"]["properties"]
    assert "input[identity][first_name]" in multipart and "input[documents][identity]" in multipart
    assert {"input[documents][identity][front]", "input[documents][identity][back]"} <= set(multipart)
    assert multipart["input[documents][identity][kind]"]["enum"] == ["id_card", "passport", "resident_permit"]
    assert "input[documents][bank][back]" not in multipart

    form_only = openapi(api, make_workflow(org, steps=FORM_ONLY_STEPS))
    assert set(form_only["components"]["schemas"]["SessionCreate"]["properties"]["input"]["properties"]) == {"form"}

    signing = openapi(api, make_workflow(org, steps=SIGNING_STEPS))
    assert set(signing["components"]["schemas"]["SessionCreate"]["properties"]["input"]["properties"]) == {
        "identity",
        "documents",
    }


def test_a_draft_only_workflow_has_no_openapi_yet(api, org):
    problem(api.get(f"{V1}/workflows/{make_workflow(org, publish=False).id}/openapi"), 404)


def test_patching_settings_changes_only_the_settings_named(api, org):
    workflow = make_workflow(
        org,
        settings={
            "max_attempts": 3,
            "auto_decide": True,
            "link_ttl_hours": 24,
            "validations": {"watchlist": False, "face_match": True},
        },
    )
    response = api.patch(
        f"{V1}/workflows/{workflow.id}",
        {"settings": {"link_ttl_hours": 12, "validations": {"face_match": False}}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["settings"] == {
        "max_attempts": 3,
        "auto_decide": True,
        "link_ttl_hours": 12,
        "validations": {"watchlist": False, "face_match": False},
    }
    # null puts a setting back to its default
    response = api.patch(f"{V1}/workflows/{workflow.id}", {"settings": {"auto_decide": None}}, format="json")
    assert response.json()["settings"] == {
        "max_attempts": 3,
        "link_ttl_hours": 12,
        "validations": {"watchlist": False, "face_match": False},
    }
    body = problem(api.patch(f"{V1}/workflows/{workflow.id}", {"settings": {"max_attempts": 0}}, format="json"), 400)
    assert "settings.max_attempts" in body["errors"]
    assert api.get(f"{V1}/workflows/{workflow.id}").json()["settings"]["max_attempts"] == 3


def test_a_workflows_openapi_titles_a_field_with_its_english_label(org, api):
    workflow = make_workflow(
        org,
        steps=[
            {
                "id": "details",
                "type": "form",
                "config": {
                    "fields": [{"id": "email", "type": "email", "label": {"en": "Email", "fr": "Adresse e-mail"}}]
                },
            }
        ],
    )
    document = api.get(f"{V1}/workflows/{workflow.id}/openapi").json()
    assert '"title": "Email"' in json.dumps(document)


def test_a_workflows_openapi_takes_inline_applicants(api, org):
    document = openapi(api, make_workflow(org, steps=FORM_ONLY_STEPS))
    schema = {"$ref": "#/components/schemas/SessionCreate", "components": document["components"]}
    body = {
        "workflow_id": document["components"]["schemas"]["SessionCreate"]["properties"]["workflow_id"]["const"],
        "applicants": [{"type": "natural_person", "label": "Anna", "form": {"email": "anna@example.com"}}],
    }
    assert list(Draft202012Validator(schema).iter_errors(body)) == []
    assert list(Draft202012Validator(schema).iter_errors({**body, "applicants": [{"nickname": "A"}]}))
