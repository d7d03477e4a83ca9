"""Related parties (UBOs, directors, legal representatives): each is a subsession of
the session that names them, on the related_parties step's workflow (SPEC §2).

Every subsession carries `metadata.related_party` = {role, verification_id,
applicant_id}, whoever added it (the applicant in the portal or the integrator
through the API), so the step that lists them finds them all.
"""

from django.db import transaction

from onboarding.audit import record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import Session, SessionStatus, Verification
from onboarding.services.documents import step_of
from onboarding.services.links import links_generate
from onboarding.services.sessions import session_create
from onboarding.services.verifications import verification_submit
from onboarding.steps import RELATED_PARTY_ROLES, step_config
from onboarding.storage import delete_files_on_commit
from onboarding.tenancy import get_scoped

# A decided, expired or cancelled parent takes no new related party.
CLOSED_FOR_PARTIES = (SessionStatus.APPROVED, SessionStatus.REJECTED, SessionStatus.EXPIRED, SessionStatus.CANCELLED)


def party_roles(step):
    return (step.get("config") or {}).get("roles") or RELATED_PARTY_ROLES


def party_limit(step):
    return step_config(step)["max_parties"]


def related_parties(verification):
    """The subsessions added for this related_parties verification, oldest first."""
    return list(
        Session.objects.filter(
            parent_id=verification.session_id, metadata__related_party__verification_id=str(verification.id)
        )
        .prefetch_related("applicants")
        .order_by("created_at")
    )


def _parties_step(actor, parent, verification_id):
    """The parent's related_parties verification the party belongs to: the one named, else the first."""
    if verification_id:
        return get_scoped(Verification, actor, verification_id, session_id=parent.id, type="related_parties")
    return parent.verifications.filter(type="related_parties").order_by("created_at").first()


@transaction.atomic
def related_party_add(*, actor, session_id, role="", verification_id=None, workflow_id=None, metadata=None, **fields):
    """Add a related party as a subsession of `session_id` (fields as for session_create)."""
    parent = get_scoped(Session, actor, session_id, lock=True)
    if parent.parent_id:
        raise ValidationFailed({"session_id": ["A subsession cannot have subsessions."]})
    if parent.status in CLOSED_FOR_PARTIES:
        raise InvalidTransition.for_object(parent, "add_subsession")
    verification = _parties_step(actor, parent, verification_id)
    step = step_of(verification) if verification else {"type": "related_parties", "config": {}}
    roles = party_roles(step)
    if role and role not in roles:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(roles)}."]})
    if verification and len(related_parties(verification)) >= party_limit(step):
        raise ValidationFailed({"parties": [f"At most {party_limit(step)} related parties can be added."]})
    if metadata is not None and not isinstance(metadata, dict):
        raise ValidationFailed({"metadata": ["Must be an object."]})
    related_party = {
        "role": role,
        "verification_id": str(verification.id) if verification else "",
        "applicant_id": str(verification.applicant_id) if verification else "",
    }
    return session_create(
        actor=actor,
        workflow_id=workflow_id or (step.get("config") or {}).get("workflow_id") or parent.workflow_id,
        parent_id=parent.id,
        environment=parent.environment,
        metadata={**(metadata or {}), "related_party": related_party},
        **fields,
    )


@transaction.atomic(durable=True)
def related_party_invite(*, actor, session_id, **fields):
    """related_party_add, and the party's link made with it (returned): one who is added is
    always one who can be reached."""
    subsession = related_party_add(actor=actor, session_id=session_id, **fields)
    [link] = links_generate(actor=actor, session_id=subsession.id)
    return link


def related_parties_submit(*, actor, verification_id):
    """Submit a related_parties step with the people added so far (at least one)."""
    verification = get_scoped(Verification, actor, verification_id)
    parties = related_parties(verification)
    if not parties:
        raise ValidationFailed({"parties": ["Add at least one person."]})
    data = {
        "parties": [
            {"session_id": str(p.id), "name": p.name, "role": p.metadata["related_party"]["role"]} for p in parties
        ]
    }
    return verification_submit(actor=actor, verification_id=verification.id, data=data)


@transaction.atomic(durable=True)
def subsession_delete(*, actor, session_id, subsession_id):
    """Remove a related party whose applicants have not submitted anything yet; the audit trail keeps the record."""
    subsession = get_scoped(Session, actor, subsession_id, lock=True, parent_id=session_id)
    if subsession.status not in (
        SessionStatus.DRAFT,
        SessionStatus.ACTIVE,
        SessionStatus.EXPIRED,
        SessionStatus.CANCELLED,
    ):
        raise InvalidTransition.for_object(subsession, "delete_subsession")
    files = list(subsession.documents.values_list("file", flat=True))
    record_event(
        actor=actor,
        action="session.subsession_deleted",
        obj=subsession,
        session=subsession.parent,
        data={"subsession_id": str(subsession.id)},
    )
    subsession.delete()
    delete_files_on_commit(files)
