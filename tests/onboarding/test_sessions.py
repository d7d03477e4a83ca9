import pytest

from onboarding import services
from onboarding.errors import InvalidTransition, NotFound, ValidationFailed
from onboarding.models import Session
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, sample_png

pytestmark = pytest.mark.django_db

KYB_STEPS = [
    {"id": "identity", "type": "identity_document"},
    {"id": "registry", "type": "company_registry"},
    {"id": "bank", "type": "bank_account"},
]


def test_session_pins_the_published_version_and_snapshots_tags(org, actor):
    workflow = services.workflow_create(
        actor=actor, name="KYC", steps=FORM_ONLY_STEPS, custom_tags=["retail"], publish=True
    )
    first = make_session(org, workflow)
    services.workflow_update(
        actor=actor,
        workflow_id=workflow.id,
        custom_tags=["retail", "eu"],
        steps=FORM_ONLY_STEPS + [{"id": "selfie", "type": "selfie"}],
    )
    assert workflow.versions.count() == 2
    still_v1 = make_session(org, workflow)  # v2 is a draft until published
    services.workflow_publish(actor=actor, workflow_id=workflow.id)
    second = make_session(org, workflow)
    assert (first.workflow_version.number, still_v1.workflow_version.number, second.workflow_version.number) == (
        1,
        1,
        2,
    )
    assert first.custom_tags == ["retail"] and second.custom_tags == ["retail", "eu"]
    assert sorted(second.verifications.values_list("step_id", flat=True)) == ["details", "selfie"]
    first.workflow_version.refresh_from_db()
    assert len(first.workflow_version.steps) == 1


def test_published_version_is_not_edited_in_place(org, actor, workflow):
    services.workflow_update(actor=actor, workflow_id=workflow.id, name="Renamed")
    versions = list(workflow.versions.order_by("number"))
    assert [(v.number, v.name, v.is_published) for v in versions] == [(1, "KYC", True), (2, "Renamed", False)]
    services.workflow_publish(actor=actor, workflow_id=workflow.id)
    with pytest.raises(InvalidTransition, match="published"):
        services.workflow_publish(actor=actor, workflow_id=workflow.id)


@pytest.mark.parametrize(
    "steps,field",
    [
        ([{"type": "teleport"}], "steps[0].type"),
        ([{"type": "form", "config": {"fields": []}}], "steps[0].config.fields"),
        (
            [{"type": "form", "config": {"fields": [{"id": "x", "type": "select"}]}}],
            "steps[0].config.fields[0].choices",
        ),
        ([{"type": "document_analysis", "config": {"document_type": "horoscope"}}], "steps[0].config.document_type"),
        ([{"type": "proof_of_address", "config": {"max_age_months": 0}}], "steps[0].config.max_age_months"),
        ([{"id": "a", "type": "selfie"}, {"id": "a", "type": "selfie"}], "steps[1].id"),
        ([{"id": "Not A Slug", "type": "selfie"}], "steps[0].id"),
        (
            [
                {
                    "type": "signature",
                    "config": {"fill_fields": [{"field_id": "name", "value": "${identity.shoe_size}"}]},
                }
            ],
            "steps[0].config.fill_fields[0].value",
        ),
    ],
)
def test_step_config_is_checked_on_save(actor, steps, field):
    with pytest.raises(ValidationFailed) as error:
        services.workflow_create(actor=actor, name="Bad", steps=steps)
    assert field in error.value.errors


def test_unknown_settings_are_refused(actor):
    with pytest.raises(ValidationFailed) as error:
        services.workflow_create(actor=actor, name="Bad", steps=FORM_ONLY_STEPS, settings={"link_ttl_hours": -1})
    assert "settings.link_ttl_hours" in error.value.errors


def test_applicants_get_the_steps_of_their_type(org, actor):
    workflow = make_workflow(org, steps=KYB_STEPS)
    session = make_session(
        org,
        workflow,
        input=None,
        applicants=[
            {
                "type": "legal_person",
                "company": {"company_name": "Acme SAS", "registration_number": "552100554", "country_code": "FR"},
            },
            {"type": "natural_person", "identity": {"first_name": "Jeanne", "last_name": "Martin"}},
        ],
    )
    by_type = {a.type: sorted(a.verifications.values_list("step_id", flat=True)) for a in session.applicants.all()}
    assert by_type == {"legal_person": ["bank", "registry"], "natural_person": ["bank", "identity"]}


def test_redirect_url_must_be_on_the_allowlist(org):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS, settings={"redirect_allowlist": ["https://shop.example"]})
    session = make_session(org, workflow, redirect_url="https://shop.example/done?x=1", state="s" * 2048)
    assert session.redirect_url == "https://shop.example/done?x=1"
    for url in (
        "https://evil.example/done",
        "http://shop.example/done",
        "javascript:alert(1)",
        "https://shop.example.evil.example/",
    ):
        with pytest.raises(ValidationFailed) as error:
            make_session(org, workflow, redirect_url=url)
        assert "redirect_url" in error.value.errors


def test_state_is_limited_to_2048_characters(org, workflow):
    before = Session.objects.count()
    with pytest.raises(ValidationFailed) as error:
        make_session(org, workflow, state="s" * 2049)
    assert "state" in error.value.errors
    assert Session.objects.count() == before


def test_unknown_fields_and_locales_are_refused(org, workflow):
    with pytest.raises(ValidationFailed) as error:
        make_session(org, workflow, locale="xx", input={"identity": {"shoe_size": 42}})
    assert set(error.value.errors) == {"locale", "applicants[0].identity.shoe_size"}


def test_no_session_on_an_unpublished_or_deleted_workflow(org, actor):
    draft = make_workflow(org, publish=False)
    with pytest.raises(ValidationFailed):
        make_session(org, draft)
    services.workflow_delete(actor=actor, workflow_id=draft.id)
    with pytest.raises(NotFound):
        make_session(org, draft)


def test_ttl_days_sets_expiry(org, workflow):
    session = make_session(org, workflow, ttl_days=3)
    assert 2.9 < (session.expires_at - session.created_at).total_seconds() / 86400 < 3.1


def test_extend_revives_an_expired_session(org, workflow, actor):
    session = make_session(org, workflow)
    services.links_generate(actor=actor, session_id=session.id)
    Session.objects.filter(id=session.id).update(expires_at=session.created_at)
    assert services.sessions_expire() == 1
    session = services.session_extend(actor=actor, session_id=session.id, extend_days=5, comment="asked by phone")
    assert session.status == "active"
    assert session.applicants.first().link_expires_at > session.created_at
    with pytest.raises(ValidationFailed):
        services.session_extend(actor=actor, session_id=session.id, extend_days=0)


def test_erase_removes_personal_data_and_files(actor, session, media_root, django_capture_on_commit_callbacks):
    verification = session.verifications.get(step_id="identity")
    document = services.document_add(actor=actor, verification_id=verification.id, content=sample_png())
    path = media_root / document.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_erase(actor=actor, session_id=session.id)
    assert not path.exists()
    session.refresh_from_db()
    applicant = session.applicants.get()
    assert session.data_anonymized
    assert applicant.identity == {} and applicant.address == {} and applicant.bank_account == {}
    assert not session.documents.exists()
    assert session.events.filter(action="session.erased").exists()
