"""Data an integrator gives when creating a session (IDnow-style): every step whose input is then
complete is submitted at once, under the rules the applicant's own submission follows (the sides
a document's kind needs, a form's required fields), so its check runs and the session moves on.
"""

from dataclasses import dataclass

from django.db import transaction

from onboarding.checks.form import validate_form_fields
from onboarding.errors import ValidationFailed
from onboarding.models import Session, SessionStatus
from onboarding.services.common import apply_transition
from onboarding.services.documents import current_documents, documents_submit, step_of
from onboarding.services.verifications import verification_submit
from onboarding.steps import DOCUMENT_STEP_TYPES, step_config
from onboarding.tenancy import get_scoped

# Signing is the applicant's own act of consent: a document given for it is what they will sign.
SUBMITTED_BY_APPLICANT_ONLY = frozenset({"signature"})


@dataclass(frozen=True)
class PendingStep:
    """A step given part of its input: it awaits the rest (`missing`: what, per field or side)."""

    applicant_id: str
    verification_id: str
    step_id: str
    missing: dict


@transaction.atomic
def given_input_submit(*, actor, session_id):
    """Submit each step of a new session that the data given at creation completes; returns the
    steps given only part of what they need (PendingStep), which keep awaiting data.

    A step given nothing is left to the applicant. Once a step is submitted the session is
    under way: a draft one becomes active, so it completes when its checks are done.
    """
    session = get_scoped(Session, actor, session_id, lock=True)
    pending, submitted = [], False
    for verification in session.verifications.select_related("applicant").order_by("created_at"):
        if verification.type in SUBMITTED_BY_APPLICANT_ONLY:
            continue
        try:
            started = _submit_if_given(actor, session, verification)
        except ValidationFailed as exc:
            pending.append(
                PendingStep(str(verification.applicant_id), str(verification.id), verification.step_id, exc.errors)
            )
            continue
        submitted = submitted or started
    if submitted and session.status == SessionStatus.DRAFT:
        apply_transition(session, "activate", actor, note="data given at creation")
    return pending


def _submit_if_given(actor, session, verification):
    """True when the step was submitted, False when it was given nothing; ValidationFailed names what is missing."""
    if verification.type in DOCUMENT_STEP_TYPES:
        if not current_documents(verification):
            return False
        documents_submit(actor=actor, verification_id=verification.id)
        return True
    if verification.type == "form":
        fields = step_config(step_of(verification, session.workflow_version)).get("fields") or []
        given = verification.applicant.form_data
        values = {field["id"]: given[field["id"]] for field in fields if field["id"] in given}
        if not values:
            return False
        cleaned, errors = validate_form_fields(fields, values)
        if errors:
            raise ValidationFailed(errors)
        verification_submit(actor=actor, verification_id=verification.id, data=cleaned)
        return True
    return False
