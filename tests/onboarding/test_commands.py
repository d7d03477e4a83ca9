import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onboarding import demo, services
from onboarding.models import COMPLIANCE_STATUS, ApiKey, Organization, Session
from onboarding.services import link_resolve
from onboarding.services.keys import hash_key
from tests.factories import system

# The demo commits as it goes: its checks run once each service commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_on_commit")]


def run_demo():
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_demo_seeds_an_empty_database_and_runs_again(client):
    first = run_demo()
    second = run_demo()
    assert Organization.objects.filter(slug="demo").count() == 1
    assert Session.objects.count() == 2 + 5  # a new applicant session per run, the inbox cases once
    assert first["cases"] == second["cases"]
    assert_a_case_in_every_inbox({ref: Session.objects.get(id=sid) for ref, sid in second["cases"].items()})
    for result in (first, second):
        token = result["link"].rstrip("/").rsplit("/", 1)[-1]
        assert str(link_resolve(token).session_id) == result["session_id"]
        assert ApiKey.objects.filter(key_hash=hash_key(result["api_key"]), revoked_at=None).exists()
    assert client.login(username=second["username"], password=second["password"])


def assert_a_case_in_every_inbox(cases):
    approved, watchlisted = cases["demo-case-approved"], cases["demo-case-watchlist"]
    assert (approved.status, approved.decided_at is not None) == ("approved", True)
    assert approved.verifications.get(step_id="bank").result == "passed"  # the letter was really read
    assert watchlisted.status == "manual_review"
    assert watchlisted.processing_results["external_validations"]["watchlist"]["is_match"]
    assert cases["demo-case-correction"].status == "awaiting_client_correction"
    blocked = cases["demo-case-blocked"]
    assert (blocked.status, blocked.applicants.get().status) == ("active", "blocked")
    assert blocked.verifications.get(step_id="bank").documents.filter(superseded=True).count() == 2
    # The identity case waits for a person, every document really read and every check passed.
    processed = cases["demo-case-processed"]
    assert (processed.status, processed.final_decision, processed.decided_at) == ("processed", "approved", None)
    assert {v.step_id: v.result for v in processed.verifications.all()} == dict.fromkeys(
        ["details", "identity", "selfie", "address", "bank"], "passed"
    ), processed.processing_results
    assert processed.verifications.get(step_id="identity").documents.count() == 2
    assert {COMPLIANCE_STATUS[case.status] for case in cases.values()} >= {
        "completed", "manual_review", "remediation", "pending", "approved"
    }  # fmt: skip


@pytest.mark.slow
def test_demo_brings_the_kyc_workflow_of_an_older_demo_up_to_date():
    organization = services.organization_create(name="Demo Company", slug="demo")
    steps = [step for step in demo.KYC_STEPS if step["type"] != "selfie"]
    older = services.workflow_create(actor=system(organization), name=demo.KYC_WORKFLOW, steps=steps, publish=True)
    processed = Session.objects.get(id=run_demo()["cases"]["demo-case-processed"])
    assert (processed.workflow_id, processed.workflow_version.number) == (older.id, 2)
    assert processed.status == "processed" and processed.verifications.filter(step_id="selfie").exists()


def test_demo_prints_login_key_and_link():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "reviewer" in text and "thr_live_" in text and "/s/" in text


def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_system_check_is_clean():
    call_command("check", "--fail-level", "WARNING", stdout=StringIO())


def test_an_operator_creates_an_organization_and_a_key_the_api_accepts(client):
    out = StringIO()
    call_command("create_organization", "Acme Lending", "--support-contact", "kyc@acme.example", stdout=out)
    organization = Organization.objects.get(name="Acme Lending")
    assert (organization.slug, organization.support_contact) == ("acme-lending", "kyc@acme.example")
    assert organization.slug in out.getvalue()

    out, err = StringIO(), StringIO()
    call_command(
        "create_api_key",
        "acme-lending",
        "--environment",
        "sandbox",
        "--scopes",
        "sessions:read,sessions:write",
        "--name",
        "CRM",
        stdout=out,
        stderr=err,
    )
    plain = out.getvalue().strip()
    assert plain.startswith("thr_sandbox_") and "\n" not in plain and "once" in err.getvalue()
    key = ApiKey.objects.get(key_hash=hash_key(plain))
    assert (key.organization, key.environment, key.scopes, key.name) == (
        organization,
        "sandbox",
        ["sessions:read", "sessions:write"],
        "CRM",
    )
    assert plain not in str(list(ApiKey.objects.values()))
    assert client.get("/api/v1/sessions", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    assert client.get("/api/v1/workflows", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 403


def test_operator_commands_refuse_bad_input_and_change_nothing():
    call_command("create_organization", "Acme", stdout=StringIO())
    with pytest.raises(CommandError, match="already"):
        call_command("create_organization", "Acme", stdout=StringIO())
    with pytest.raises(CommandError, match="nowhere"):
        call_command("create_api_key", "nowhere", "--scopes", "sessions:read", stdout=StringIO())
    with pytest.raises(CommandError, match="sessions:read"):
        call_command("create_api_key", "acme", "--scopes", "sessions:everything", stdout=StringIO())
    with pytest.raises(CommandError, match="live or sandbox"):
        call_command("create_api_key", "acme", "--scopes", "sessions:read", "--environment", "prod", stdout=StringIO())
    assert Organization.objects.count() == 1 and not ApiKey.objects.exists()
