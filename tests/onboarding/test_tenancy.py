"""Every service refuses the objects of another organization, and API keys stay in their environment."""

import pytest
from django.db import transaction

from onboarding import services
from onboarding.actors import Actor
from onboarding.errors import NotFound
from onboarding.models import ApiKey, Event, Invitation, Session
from tests.factories import FORM_ONLY_STEPS, make_api_key, make_session, make_workflow, sample_png, system

pytestmark = pytest.mark.django_db


def _calls(session):
    applicant = session.applicants.first()
    verification = session.verifications.first()
    workflow = session.workflow
    document_id = session.documents.first().id
    subsession_id = session.subsessions.first().id
    return {
        "workflow_update": lambda a: services.workflow_update(actor=a, workflow_id=workflow.id, name="x"),
        "workflow_publish": lambda a: services.workflow_publish(actor=a, workflow_id=workflow.id),
        "workflow_delete": lambda a: services.workflow_delete(actor=a, workflow_id=workflow.id),
        "workflow_save": lambda a: services.workflow_save(actor=a, workflow_id=workflow.id, name="x"),
        "session_create": lambda a: services.session_create(actor=a, workflow_id=workflow.id),
        "applicant_add": lambda a: services.applicant_add(actor=a, session_id=session.id, data={}),
        "applicant_update": lambda a: services.applicant_update(actor=a, applicant_id=applicant.id, data={}),
        "applicant_delete": lambda a: services.applicant_delete(actor=a, applicant_id=applicant.id),
        "applicant_open": lambda a: services.applicant_open(actor=a, applicant_id=applicant.id),
        "session_update": lambda a: services.session_update(actor=a, session_id=session.id, priority=1),
        "sessions_update": lambda a: services.sessions_update(actor=a, session_ids=[session.id], priority=3),
        "session_add_note": lambda a: services.session_add_note(actor=a, session_id=session.id, note="n"),
        "session_extend": lambda a: services.session_extend(actor=a, session_id=session.id, extend_days=1),
        "session_erase": lambda a: services.session_erase(actor=a, session_id=session.id),
        "session_cancel": lambda a: services.session_cancel(actor=a, session_id=session.id),
        "session_expire_now": lambda a: services.session_expire_now(actor=a, session_id=session.id),
        "links_generate": lambda a: services.links_generate(actor=a, session_id=session.id),
        "verification_submit": lambda a: services.verification_submit(actor=a, verification_id=verification.id),
        "document_add": lambda a: services.document_add(actor=a, verification_id=verification.id, content=sample_png()),
        "verification_attach": lambda a: services.verification_attach(
            actor=a, applicant_id=applicant.id, type="selfie"
        ),
        "verification_skip": lambda a: services.verification_skip(actor=a, verification_id=verification.id),
        "verification_resolve": lambda a: services.verification_resolve(
            actor=a, verification_id=verification.id, result="passed", note="ok"
        ),
        "verification_unblock": lambda a: services.verification_unblock(actor=a, verification_id=verification.id),
        "session_process": lambda a: services.session_process(actor=a, session_id=session.id),
        "session_revalidate": lambda a: services.session_revalidate(actor=a, session_id=session.id),
        "session_decide": lambda a: services.session_decide(actor=a, session_id=session.id, status="approved"),
        "session_request_corrections": lambda a: services.session_request_corrections(
            actor=a, session_id=session.id, corrections=[{"step_id": "identity", "message": "m"}]
        ),
        "invitation_revoke": lambda a: services.invitation_revoke(
            actor=a, invitation_id=Invitation.objects.get(organization=session.organization).id
        ),
        "api_key_revoke": lambda a: services.api_key_revoke(
            actor=a, api_key_id=ApiKey.objects.get(organization=session.organization).id
        ),
        "get_document": lambda a: services.documents.get_document(
            actor=a, session_id=session.id, document_id=document_id
        ),
        "links_send": lambda a: services.links_send(actor=a, session_id=session.id),
        "documents_submit": lambda a: services.documents_submit(actor=a, verification_id=verification.id),
        "related_party_add": lambda a: services.related_party_add(actor=a, session_id=session.id, name="UBO"),
        "related_party_invite": lambda a: services.related_party_invite(actor=a, session_id=session.id, name="UBO"),
        "related_parties_submit": lambda a: services.related_parties_submit(actor=a, verification_id=verification.id),
        "subsession_delete": lambda a: services.subsession_delete(
            actor=a, session_id=session.id, subsession_id=subsession_id
        ),
    }


SERVICES = [
    "workflow_update",
    "workflow_publish",
    "workflow_delete",
    "workflow_save",
    "session_create",
    "applicant_add",
    "applicant_update",
    "applicant_delete",
    "applicant_open",
    "session_update",
    "sessions_update",
    "session_add_note",
    "session_extend",
    "session_erase",
    "session_cancel",
    "session_expire_now",
    "links_generate",
    "verification_submit",
    "document_add",
    "verification_attach",
    "verification_skip",
    "verification_resolve",
    "verification_unblock",
    "session_process",
    "session_revalidate",
    "session_decide",
    "session_request_corrections",
    "api_key_revoke",
    "invitation_revoke",
    "get_document",
    "links_send",
    "documents_submit",
    "related_party_add",
    "related_party_invite",
    "related_parties_submit",
    "subsession_delete",
]


@pytest.fixture
def foreign_session(org):
    session = make_session(org)
    verification = session.verifications.get(step_id="identity")
    services.document_add(actor=system(org), verification_id=verification.id, content=sample_png())
    services.related_party_add(actor=system(org), session_id=session.id, name="UBO")
    make_api_key(org)
    services.invitation_create(actor=system(org), email="invitee@example.org", role="viewer")
    return session


@pytest.mark.parametrize("name", SERVICES)
def test_service_refuses_another_organizations_objects(foreign_session, other_org, name):
    snapshot = Session.objects.values().get(id=foreign_session.id)
    events = Event.objects.filter(organization=foreign_session.organization).count()
    with pytest.raises(NotFound):
        _calls(foreign_session)[name](system(other_org))
    assert Session.objects.values().get(id=foreign_session.id) == snapshot
    assert Event.objects.filter(organization=foreign_session.organization).count() == events


def test_every_service_is_covered():
    exported = set(services.__all__) - {
        # not about an existing object of an organization
        "workflow_create",
        "organization_create",
        "member_set",
        "invitation_create",
        # reached by the invitation's token, not by an actor
        "invitation_accept",
        "invitation_sign_up",
        "api_key_create",
        "api_key_authenticate",
        "link_resolve",
        "sessions_expire",
        "sessions_apply_retention",
        "run_session_processing",
        "run_verification_check",
        "reminders_send",
        "outcome_notice_send",
    }
    assert exported <= set(SERVICES)


def test_sandbox_key_does_not_see_live_sessions(org, workflow):
    live = make_session(org, workflow)
    sandbox_key, _ = make_api_key(org, environment="sandbox")
    sandbox = Actor.for_api_key(sandbox_key)
    with pytest.raises(NotFound):
        services.session_update(actor=sandbox, session_id=live.id, priority=3)
    own = make_session(org, make_workflow(org, environment="sandbox"), actor=sandbox)
    assert own.environment == "sandbox"
    assert services.session_update(actor=sandbox, session_id=own.id, priority=3).priority == 3


def test_an_applicant_link_reaches_only_its_own_steps(org):
    session = make_session(
        org, make_workflow(org, steps=FORM_ONLY_STEPS), applicants=[{"label": "Anna"}, {"label": "Ben"}]
    )
    anna, ben = session.applicants.order_by("created_at")
    with pytest.raises(NotFound):
        services.verification_submit(
            actor=Actor.for_applicant(anna),
            verification_id=ben.verifications.get().id,
            data={"email": "anna@example.com"},
        )
    assert ben.verifications.get().status == "awaiting_data"
    with pytest.raises(NotFound):
        services.applicant_update(actor=Actor.for_applicant(anna), applicant_id=ben.id, data={})


def test_a_request_level_service_refuses_to_run_inside_another_transaction(org, session):
    """Cancelling is the whole transaction of the request that asks for it: a caller composing
    it with other changes goes through a service of its own, never an outer transaction."""
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.session_cancel(actor=system(org), session_id=session.id, reason="duplicate")
    session.refresh_from_db()
    assert session.status != "cancelled"
