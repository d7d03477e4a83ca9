"""Configuration belongs to one environment: a sandbox key never changes what live sessions run."""

import pytest

from onboarding import services
from onboarding.actors import Actor
from onboarding.errors import ValidationFailed
from tests.api.conftest import V1, client_for, problem
from tests.factories import FORM_ONLY_STEPS, IDENTITY_STEPS, make_api_key, make_session, make_workflow, system

pytestmark = pytest.mark.django_db

AUTO_APPROVE = {"name": "KYC", "steps": FORM_ONLY_STEPS, "settings": {"auto_decide": True}}


def test_a_sandbox_key_cannot_rewrite_or_publish_a_live_workflow(org, workflow):
    sandbox, _ = client_for(org, environment="sandbox")
    problem(sandbox.patch(f"{V1}/workflows/{workflow.id}", AUTO_APPROVE, format="json"), 404)
    problem(sandbox.post(f"{V1}/workflows/{workflow.id}/publish"), 404)
    problem(sandbox.delete(f"{V1}/workflows/{workflow.id}"), 404)
    problem(sandbox.get(f"{V1}/workflows/{workflow.id}"), 404)
    assert sandbox.get(f"{V1}/workflows").json()["data"] == []
    live, _ = client_for(org, environment="live")
    session = live.post(f"{V1}/sessions", {"workflow_id": str(workflow.id)}, format="json").json()
    # The next live session still runs the live version with its identity document step.
    assert session["environment"] == "live"
    assert [v["step_id"] for v in session["applicants"][0]["verifications"]] == [s["id"] for s in IDENTITY_STEPS]
    assert workflow.versions.count() == 1


def test_sandbox_workflows_run_only_sandbox_sessions(org):
    sandbox, _ = client_for(org, environment="sandbox")
    created = sandbox.post(f"{V1}/workflows", {**AUTO_APPROVE, "publish": True}, format="json").json()
    assert created["environment"] == "sandbox"
    live, _ = client_for(org, environment="live")
    problem(live.get(f"{V1}/workflows/{created['id']}"), 404)
    problem(live.post(f"{V1}/sessions", {"workflow_id": created["id"]}, format="json"), 404)
    with pytest.raises(ValidationFailed) as refused:
        make_session(org, make_workflow(org, environment="sandbox"), environment="live")
    assert "workflow_id" in refused.value.errors
    assert (
        sandbox.post(f"{V1}/sessions", {"workflow_id": created["id"]}, format="json").json()["environment"] == "sandbox"
    )


def test_a_related_parties_step_names_a_workflow_of_its_own_tenant_and_environment(org, other_org):
    foreign = make_workflow(other_org)
    sandbox_only = make_workflow(org, environment="sandbox")
    for workflow_id in (foreign.id, sandbox_only.id, "not-a-uuid"):
        steps = [{"id": "parties", "type": "related_parties", "config": {"workflow_id": str(workflow_id)}}]
        with pytest.raises(ValidationFailed) as refused:
            services.workflow_create(actor=system(org), name="KYB", steps=steps)
        assert "steps[0].config.workflow_id" in refused.value.errors
    own = make_workflow(org)
    steps = [{"id": "parties", "type": "related_parties", "config": {"workflow_id": str(own.id)}}]
    assert services.workflow_create(actor=system(org), name="KYB", steps=steps).environment == "live"


def test_a_sandbox_key_patching_its_own_workflow_cannot_point_parties_at_a_live_one(org, workflow):
    actor = Actor.for_api_key(make_api_key(org, environment="sandbox")[0])
    own = services.workflow_create(actor=actor, name="Sandbox KYB", steps=FORM_ONLY_STEPS)
    steps = [{"id": "parties", "type": "related_parties", "config": {"workflow_id": str(workflow.id)}}]
    with pytest.raises(ValidationFailed):
        services.workflow_update(actor=actor, workflow_id=own.id, steps=steps)
    assert own.versions.get().steps[0]["id"] == FORM_ONLY_STEPS[0]["id"]
