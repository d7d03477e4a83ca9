"""Workflow builder: create and edit steps with their settings, validation per field, publish, versions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.models import Event, Workflow
from tests.factories import make_session, make_workflow


@pytest.fixture
def admin_client(client, member):
    client.force_login(member("admin"))
    return client


def general(**overrides):
    data = {
        "name": "Retail",
        "description": "",
        "custom_tags": "retail, eu",
        "link_ttl_hours": 48,
        "session_ttl_days": 7,
        "max_attempts": 5,
        "retention_days": 365,
        "auto_process": "on",
        "locales": ["en", "fr"],
        "redirect_allowlist": "shop.example.com",
        "watchlist": "on",
        "reject_at": 70,
        "review_at": 30,
        "name_match_threshold": 0.85,
    }
    data.update(overrides)
    return data


def step(prefix, **fields):
    data = {"steps": prefix}
    data.update({f"{prefix}-{key}": value for key, value in fields.items()})
    return data


def merge(*parts):
    merged = {}
    for part in parts:
        for key, value in part.items():
            if key == "steps":
                merged.setdefault("steps", []).append(value)
            else:
                merged[key] = value
    return merged


def test_create_a_workflow_with_typed_step_settings(admin_client):
    data = merge(
        general(),
        step(
            "step-0",
            order=1,
            type="form",
            id="details",
            title="Your details",
            required="on",
            form_fields="email email required\nplan select required choices=basic|pro label=Plan",
        ),
        step(
            "step-1",
            order=2,
            type="identity_document",
            id="id-doc",
            required="on",
            identity_document_types=["passport", "id_card"],
            min_age=18,
            require_back="on",
        ),
        step("step-2", order=3, type="document_analysis", id="licence", document_type="driver_licence"),
        {"publish": "1"},
    )
    response = admin_client.post(reverse("dashboard:workflow_create"), data)
    assert response.status_code == 302
    workflow = Workflow.objects.get(name="Retail")
    version = workflow.versions.get()
    assert version.is_published
    assert [s["id"] for s in version.steps] == ["details", "id-doc", "licence"]
    assert version.steps[0]["config"]["fields"][1] == {
        "id": "plan",
        "type": "select",
        "required": True,
        "choices": ["basic", "pro"],
        "label": "Plan",
    }
    assert version.steps[1]["config"] == {
        "document_types": ["passport", "id_card"],
        "require_back": True,
        "min_age": 18,
    }
    assert version.steps[2]["required"] is False
    assert version.settings["max_attempts"] == 5
    assert version.settings["redirect_allowlist"] == ["shop.example.com"]
    assert version.settings["validations"] == {"watchlist": True, "face_match": False}
    assert version.custom_tags == ["retail", "eu"]
    assert Event.objects.filter(action="workflow.published").exists()


def test_step_errors_of_the_service_appear_beside_their_fields(admin_client):
    data = merge(
        general(),
        step("step-0", order=1, type="document_analysis", id="licence"),
        step("step-1", order=2, type="related_parties", id="ubo", max_parties=99),
    )
    response = admin_client.post(reverse("dashboard:workflow_create"), data)
    assert response.status_code == 400
    steps = response.context["step_forms"]
    assert "Must be one of" in steps[0].errors["document_type"][0]
    assert "between 1 and 50" in steps[1].errors["max_parties"][0]
    assert not Workflow.objects.exists()


def test_settings_errors_of_the_service_appear_beside_their_fields(admin_client):
    data = merge(general(max_attempts=500, review_at=101), step("step-0", order=1, type="selfie", id="selfie"))
    response = admin_client.post(reverse("dashboard:workflow_create"), data)
    form = response.context["form"]
    assert "between 1 and 100" in form.errors["max_attempts"][0]
    assert "0 to 100" in form.errors["reject_at"][0]
    assert "marked fields" in response.content.decode()


def test_unreadable_form_field_line_is_reported_on_its_field(admin_client):
    data = merge(general(), step("step-0", order=1, type="form", form_fields="just-one-word"))
    response = admin_client.post(reverse("dashboard:workflow_create"), data)
    assert "Cannot read" in response.context["step_forms"][0].errors["form_fields"][0]


def test_add_remove_and_reorder_steps(admin_client, org):
    workflow = make_workflow(
        org, steps=[{"id": "a", "type": "selfie"}, {"id": "b", "type": "bank_account"}], publish=False
    )
    url = reverse("dashboard:workflow_edit", args=[workflow.id])
    page = admin_client.get(url)
    assert [f.prefix for f in page.context["step_forms"]] == ["step-0", "step-1"]
    data = merge(
        general(name="KYC"),
        step("step-0", order=2, type="selfie", id="a", required="on"),
        step("step-1", order=1, type="bank_account", id="b", required="on", allow_typed_iban="on"),
        {"add_step": "1", "new_type": "proof_of_address"},
    )
    added = admin_client.post(url, data)
    assert [f.prefix for f in added.context["step_forms"]] == ["step-1", "step-0", "new-2"]
    data = merge(
        general(name="KYC"),
        step("step-1", order=1, type="bank_account", id="b", required="on"),
        step("step-0", order=2, type="selfie", id="a", delete="on"),
        step("new-2", order=3, type="proof_of_address", id="poa", max_age_months=6),
    )
    assert admin_client.post(url, data).status_code == 302
    version = workflow.versions.get()
    assert [(s["id"], s["type"]) for s in version.steps] == [("b", "bank_account"), ("poa", "proof_of_address")]
    assert version.steps[1]["config"] == {"max_age_months": 6}


def test_editing_a_published_workflow_makes_a_new_version_and_sessions_keep_theirs(admin_client, org):
    workflow = make_workflow(org, steps=[{"id": "bank", "type": "bank_account"}])
    session = make_session(org, workflow, name="Pinned")
    url = reverse("dashboard:workflow_edit", args=[workflow.id])
    data = merge(
        general(name="KYC"),
        step("step-0", order=1, type="bank_account", id="bank", required="on"),
        step("step-1", order=2, type="selfie", id="selfie", required="on"),
    )
    admin_client.post(url, data)
    assert [(v.number, v.is_published) for v in workflow.versions.order_by("number")] == [(1, True), (2, False)]
    admin_client.post(reverse("dashboard:workflow_publish", args=[workflow.id]))
    assert workflow.versions.get(number=2).is_published
    session.refresh_from_db()
    assert session.workflow_version.number == 1
    page = admin_client.get(reverse("dashboard:workflow_sessions", args=[workflow.id, 1]))
    assert "Pinned" in page.content.decode()
    listing = admin_client.get(reverse("dashboard:workflows")).content.decode()
    assert "v1 · 1" in listing and "v2 · 0" in listing


def test_publishing_twice_names_the_published_version(admin_client, org):
    workflow = make_workflow(org)
    response = admin_client.post(reverse("dashboard:workflow_publish", args=[workflow.id]), follow=True)
    assert "published as version 1" in response.content.decode()


def test_reviewer_sees_workflows_but_cannot_change_them(client, member, org):
    workflow = make_workflow(org)
    client.force_login(member("reviewer"))
    assert client.get(reverse("dashboard:workflows")).status_code == 200
    page = client.get(reverse("dashboard:workflow_edit", args=[workflow.id]))
    assert page.status_code == 200 and b"Save draft" not in page.content
    assert client.post(reverse("dashboard:workflow_edit", args=[workflow.id]), general()).status_code == 403
    assert client.get(reverse("dashboard:workflow_create")).status_code == 403


def test_workflow_of_another_organization_is_not_found(admin_client, other_org):
    foreign = make_workflow(other_org)
    assert admin_client.get(reverse("dashboard:workflow_edit", args=[foreign.id])).status_code == 404


def test_workflow_list_runs_constant_queries(admin_client, org, django_assert_max_num_queries):
    make_workflow(org, name="One")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("dashboard:workflows"))
    for index in range(6):
        make_workflow(org, name=f"More {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse("dashboard:workflows"))


def test_archive_a_workflow(admin_client, org):
    workflow = make_workflow(org, name="Old flow")
    admin_client.post(reverse("dashboard:workflow_archive", args=[workflow.id]))
    workflow.refresh_from_db()
    assert workflow.deleted_at is not None
    assert admin_client.get(reverse("dashboard:workflows")).context["rows"] == []


def test_saving_an_unchanged_published_workflow_makes_no_new_version(admin_client, org):
    workflow = make_workflow(org, steps=[{"id": "bank", "type": "bank_account"}])
    page = admin_client.get(reverse("dashboard:workflow_edit", args=[workflow.id]))
    form, (bank,) = page.context["form"], page.context["step_forms"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: value for key, value in data.items() if value not in (None, False)}
    data.update(
        {
            f"{bank.prefix}-{name}": bank[name].value()
            for name in bank.fields
            if bank[name].value() not in (None, False, "")
        }
    )
    data["steps"] = [bank.prefix]
    assert admin_client.post(reverse("dashboard:workflow_edit", args=[workflow.id]), data).status_code == 302
    assert workflow.versions.count() == 1
