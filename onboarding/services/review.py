"""Reviewer actions: processing on demand, decisions, corrections."""

from django.db import transaction
from django_fsm import can_proceed

from onboarding import tasks
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import CorrectionRequest, Session, SessionStatus
from onboarding.services.common import apply_transition
from onboarding.tenancy import get_scoped

DECISIONS = {
    "approved": "approve",
    "rejected": "reject",
    "manual_review": "send_to_manual_review",
}


def schedule_processing(session, actor):
    """completed → processing, and the pipeline runs once the transaction commits."""
    apply_transition(session, "start_processing", actor)
    session_id = str(session.id)
    # robust: with the broker down the change still stands; the reconciler enqueues it later.
    transaction.on_commit(lambda: tasks.process_session.delay(session_id), robust=True)


@transaction.atomic(durable=True)
def session_process(*, actor, session_id):
    session = get_scoped(Session, actor, session_id, lock=True)
    schedule_processing(session, actor)
    return session


@transaction.atomic
def session_decide(*, actor, session_id, status, note="", reasons=()):
    """approved / rejected / manual_review; a decided session goes back to manual_review only with a note."""
    session = get_scoped(Session, actor, session_id, lock=True)
    if not isinstance(reasons, (list, tuple)) or any(not isinstance(r, str) for r in reasons):
        raise ValidationFailed({"reasons": ["Must be a list of reason labels."]})
    if status == "manual_review" and session.status in (SessionStatus.APPROVED, SessionStatus.REJECTED):
        if not note or not note.strip():
            raise ValidationFailed({"notes": ["Reopening a decided session requires a note."]})
        return apply_transition(session, "reopen", actor, note=note, decision_note=note)
    name = DECISIONS.get(status)
    if name is None:
        raise ValidationFailed({"status": [f"Must be one of: {', '.join(DECISIONS)}."]})
    kwargs = (
        {"decision_note": note}
        if name == "send_to_manual_review"
        else {"decision_note": note, "reasons": list(reasons)}
    )
    return apply_transition(session, name, actor, note=note, data={"reasons": list(reasons)}, **kwargs)


@transaction.atomic
def session_request_corrections(*, actor, session_id, corrections, comment=""):
    """Reopen the named steps for the applicant(s) with a message; the session awaits them."""
    session = get_scoped(Session, actor, session_id, lock=True)
    if not isinstance(corrections, list) or not corrections:
        raise ValidationFailed({"corrections": ["Name at least one step to correct."]})
    if not can_proceed(session.request_corrections):
        raise InvalidTransition.for_object(session, "request_corrections")
    applicants = {str(a.id): a for a in session.applicants.select_for_update()}
    errors, targets = {}, []
    for index, item in enumerate(corrections):
        path = f"corrections[{index}]"
        if not isinstance(item, dict):
            errors[path] = ["Must be an object."]
            continue
        message = item.get("message")
        if not isinstance(message, str) or not message.strip():
            errors[f"{path}.message"] = ["Write a message for the applicant."]
        applicant_id = item.get("applicant_id")
        if applicant_id is not None and str(applicant_id) not in applicants:
            errors[f"{path}.applicant_id"] = ["No such applicant in this session."]
            continue
        chosen = [applicants[str(applicant_id)]] if applicant_id else list(applicants.values())
        verifications = [v for a in chosen for v in a.verifications.filter(step_id=item.get("step_id"))]
        if not verifications:
            errors[f"{path}.step_id"] = ["No verification of this step in the session."]
        for key in ("field_ids", "document_types"):
            if not isinstance(item.get(key, []), list):
                errors[f"{path}.{key}"] = ["Must be a list."]
        targets.append((item, applicant_id, verifications))
    if errors:
        raise ValidationFailed(errors)

    apply_transition(
        session,
        "request_corrections",
        actor,
        note=comment,
        data={"steps": [item.get("step_id") for item, _, _ in targets]},
    )
    for item, applicant_id, verifications in targets:
        CorrectionRequest.objects.create(
            organization_id=session.organization_id,
            session=session,
            applicant=applicants[str(applicant_id)] if applicant_id else None,
            step_id=item["step_id"],
            field_ids=item.get("field_ids", []),
            document_types=item.get("document_types", []),
            message=item["message"].strip(),
        )
        for verification in verifications:
            verification = type(verification).objects.select_for_update().get(id=verification.id)
            apply_transition(verification, "request_correction", actor, note=item["message"])
    return session
