"""Verifications: submitted data, attaching, skipping and manual resolution (documents: services/documents.py).

After each change `advance` moves the applicant and the session on when
everything they owe is in (SPEC §3).
"""

from django.db import transaction
from django.utils import timezone

from onboarding import tasks
from onboarding.audit import lock_organization, record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import (
    SESSION_AWAITING_APPLICANTS,
    SESSION_OPEN_TO_APPLICANT,
    SESSION_TAKES_NEW_STEPS,
    VERIFICATION_OPEN_FOR_DATA,
    VERIFICATION_SETTLED,
    Applicant,
    ApplicantStatus,
    Session,
    SessionStatus,
    Verification,
    VerificationResult,
    VerificationStatus,
)
from onboarding.services.common import apply_transition, check_results_refresh
from onboarding.services.review import schedule_processing
from onboarding.services.scoring import rescore
from onboarding.steps import STEP_TYPES, steps_for_applicant
from onboarding.tenancy import get_scoped

V = VerificationStatus


def lock_chain(actor, verification_id, scoped=None):
    """Lock session, applicant and verification, in that order (the order every service uses).
    `scoped`: that verification as the caller already read it through onboarding.tenancy."""
    verification = scoped or get_scoped(Verification, actor, verification_id)
    lock_organization(actor.organization_id)
    # The session's workflow version comes with it (steps and settings are read under the lock).
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("workflow_version")
        .get(id=verification.session_id)
    )
    applicant = Applicant.objects.select_for_update().get(id=verification.applicant_id)
    verification = Verification.objects.select_for_update().get(id=verification.id)
    # The locked rows are the ones their changes (and audit events) refer to: none is read again.
    applicant.session = verification.session = session
    verification.applicant = applicant
    return session, applicant, verification


def ensure_accepting(session, verification, action):
    if session.status not in SESSION_OPEN_TO_APPLICANT:
        raise InvalidTransition.for_object(session, action)
    if verification.status not in VERIFICATION_OPEN_FOR_DATA:
        raise InvalidTransition.for_object(verification, action)


@transaction.atomic
def verification_submit(*, actor, verification_id, data=None):
    """Record what the applicant (or integrator) submitted for one step and mark it submitted."""
    session, applicant, verification = lock_chain(actor, verification_id)
    return submit_locked(actor, session, verification, data)


def submit_locked(actor, session, verification, data=None):
    """verification_submit once the caller holds the chain's locks (lock_chain)."""
    ensure_accepting(session, verification, "submit")
    if data is not None:
        if not isinstance(data, dict):
            raise ValidationFailed({"data": ["Must be an object."]})
        verification.data = {**verification.data, "submitted": data}
    apply_transition(verification, "submit", actor)
    schedule_check(verification)
    return verification


def schedule_check(verification):
    verification_id = str(verification.id)
    # robust: with the broker down the change still stands; the reconciler enqueues it later.
    transaction.on_commit(lambda: tasks.check_verification.delay(verification_id), robust=True)


@transaction.atomic(durable=True)
def verification_attach(*, actor, applicant_id, step_id=None, type=None):
    """Add a verification to an applicant (by workflow step id, or by step type).

    An applicant who had finished goes back to notified and their session back
    to active (SPEC §3).
    """
    applicant = get_scoped(Applicant, actor, applicant_id)
    lock_organization(actor.organization_id)
    session = Session.objects.select_for_update().get(id=applicant.session_id)
    applicant = Applicant.objects.select_for_update().get(id=applicant.id)
    steps = steps_for_applicant(session.workflow_version.steps, applicant.type)
    if step_id:
        step = next((s for s in steps if s["id"] == step_id), None)
        if step is None:
            raise ValidationFailed({"step_id": ["No such step for this applicant in the session's workflow."]})
    elif type in STEP_TYPES:
        step = next((s for s in steps if s["type"] == type), None) or {
            "id": type.replace("_", "-"),
            "type": type,
            "required": True,
        }
    else:
        raise ValidationFailed({"type": [f"Give a step_id or a type among: {', '.join(STEP_TYPES)}."]})
    if applicant.verifications.filter(step_id=step["id"]).exists():
        raise ValidationFailed({"step_id": ["This applicant already has a verification for that step."]})
    if session.status not in SESSION_TAKES_NEW_STEPS:
        raise InvalidTransition.for_object(session, "attach_verification")
    verification = Verification.objects.create(
        organization_id=session.organization_id,
        session=session,
        applicant=applicant,
        step_id=step["id"],
        type=step["type"],
        required=step.get("required", True),
    )
    record_event(
        actor=actor,
        action="verification.attached",
        obj=verification,
        session=session,
        to_status=verification.status,
        data={"step_id": verification.step_id, "type": verification.type},
    )
    if applicant.status in (ApplicantStatus.SUBMITTED, ApplicantStatus.PROCESSED):
        apply_transition(applicant, "renotify", actor)
    if session.status not in (SessionStatus.DRAFT, SessionStatus.ACTIVE):
        apply_transition(session, "reactivate", actor)
    return verification


@transaction.atomic
def verification_skip(*, actor, verification_id):
    session, applicant, verification = lock_chain(actor, verification_id)
    if verification.required:
        raise ValidationFailed({"step_id": ["This step is required and cannot be skipped."]})
    ensure_accepting(session, verification, "skip")
    apply_transition(verification, "skip", actor)
    advance(session, applicant, actor)
    return verification


@transaction.atomic(durable=True)
def verification_resolve(*, actor, verification_id, result, note):
    """A reviewer (or the integrator) settles a verification by hand; the note is kept.

    A step not done yet becomes done with that result (a blocked applicant's step
    included: the applicant goes on once nothing blocks them). A done step's result
    is overridden: the check's own result and reasons stay in the evidence. Either
    way a processed session's risk score and recommendation are recomputed.
    """
    if result not in VerificationResult.values:
        raise ValidationFailed({"result": [f"Must be one of: {', '.join(VerificationResult.values)}."]})
    if not note or not note.strip():
        raise ValidationFailed({"note": ["A note is required to resolve a verification by hand."]})
    note = note.strip()
    session, applicant, verification = lock_chain(actor, verification_id)
    if session.data_anonymized:
        raise ValidationFailed({"session": ["This session's personal data was erased."]})
    if verification.status == V.DONE:
        _override(session, verification, actor, result, note)
        return verification
    apply_transition(
        verification,
        "resolve",
        actor,
        note=note,
        result=result,
        resolution_note=note,
        data={"result": result, "step_id": verification.step_id},
    )
    if session.status in SESSION_AWAITING_APPLICANTS:
        advance(session, applicant, actor, step_id=verification.step_id)
    _rescore_with_event(session, actor)
    return verification


def _override(session, verification, actor, result, note):
    previous = verification.result
    verification.result = result
    verification.resolution_note = note
    override = {
        "result": result,
        "previous_result": previous,
        "note": note,
        "by": actor.label,
        "at": timezone.now().isoformat(),
    }
    verification.data = {**verification.data, "overrides": [*verification.data.get("overrides", []), override]}
    verification.save(update_fields=["result", "resolution_note", "data", "updated_at"])
    check_results_refresh(session)
    before, after = rescore(session)
    record_event(
        actor=actor,
        action="verification.override",
        obj=verification,
        session=session,
        note=note,
        data={
            "step_id": verification.step_id,
            "result": result,
            "previous_result": previous,
            "risk_score_before": before,
            "risk_score": after,
        },
    )


def _rescore_with_event(session, actor):
    if not session.processing_results:
        return
    before, after = rescore(session)
    if before != after:
        record_event(
            actor=actor,
            action="session.rescored",
            obj=session,
            session=session,
            data={"risk_score_before": before, "risk_score": after},
        )


@transaction.atomic(durable=True)
def verification_unblock(*, actor, verification_id, note=""):
    """Grant a blocked step more attempts: it awaits data again with its attempt counter reset,
    and its applicant, once nothing else blocks them, is back in progress (SPEC §3)."""
    session, applicant, verification = lock_chain(actor, verification_id)
    if session.status not in SESSION_OPEN_TO_APPLICANT:
        raise InvalidTransition.for_object(session, "unblock")
    apply_transition(
        verification,
        "unblock",
        actor,
        note=(note or "").strip(),
        data={"step_id": verification.step_id, "attempts_used": verification.attempts},
    )
    if applicant.status == ApplicantStatus.BLOCKED and not applicant.verifications.filter(status=V.BLOCKED).exists():
        apply_transition(applicant, "unblock", actor, note=(note or "").strip())
    return verification


def advance(session, applicant, actor, *, step_id=None):
    """Move applicant and session on once everything required is in; `step_id` was just settled.

    The caller holds the session and applicant locks.
    """
    if step_id:
        open_corrections = session.corrections.filter(status="open", step_id=step_id)
        open_corrections.filter(applicant__isnull=True).update(status="resolved", resolved_at=timezone.now())
        open_corrections.filter(applicant=applicant).update(status="resolved", resolved_at=timezone.now())
    required = applicant.verifications.filter(required=True)
    # A blocked applicant goes on once a reviewer settled every step that blocked them.
    unblocked = (
        applicant.status == ApplicantStatus.BLOCKED and not applicant.verifications.filter(status=V.BLOCKED).exists()
    )
    working = applicant.status in (ApplicantStatus.INITIATED, ApplicantStatus.NOTIFIED, ApplicantStatus.IN_PROGRESS)
    if (working or unblocked) and not required.exclude(status__in=VERIFICATION_SETTLED).exists():
        apply_transition(applicant, "submit", actor)
    elif unblocked:
        apply_transition(applicant, "unblock", actor)
    if session.status == SessionStatus.ACTIVE:
        waiting = session.applicants.exclude(status__in=[ApplicantStatus.SUBMITTED, ApplicantStatus.PROCESSED])
        if not waiting.exists():
            _complete(session, actor)
    elif (
        session.status == SessionStatus.AWAITING_CLIENT_CORRECTION
        and not session.corrections.filter(status="open").exists()
    ):
        _complete(session, actor)


def _complete(session, actor):
    apply_transition(session, "complete", actor)
    if session.workflow_version.setting("auto_process"):
        schedule_processing(session, actor)
