"""Data an integrator gives when creating a session (IDnow-style): every step whose input is then
complete is submitted at once, under the rules the applicant's own submission follows (the sides
a document's kind needs, a form's required fields), so its check runs and the session moves on.
"""

from dataclasses import dataclass

from django.db import transaction

from onboarding.checks.form import validate_form_fields
from onboarding.errors import ValidationFailed
from onboarding.models import SessionStatus
from onboarding.services.common import apply_transition
from onboarding.services.documents import documents_submit, step_of
from onboarding.services.sessions import created_verifications
from onboarding.services.verifications import submit_locked
from onboarding.steps import DOCUMENT_STEP_TYPES, step_config

# Signing is the applicant's own act of consent: a document given for it is what they will sign.
SUBMITTED_BY_APPLICANT_ONLY = frozenset({"signature"})


@dataclass(frozen=True)
class PendingStep:
    """A step given part of its input: it awaits the rest (`missing`: what, per field or side)."""

    applicant_id: str
    verification_id: str
    step_id: str
    missing: dict


def given_input_submit(*, actor, session, with_files=()):
    """Submit each step of a new session that the data given at creation completes; returns the
    steps given only part of what they need (PendingStep), which keep awaiting data.

    `session` is what session_create made in the caller's transaction: its rows are unseen by
    any other transaction until it commits, so they are neither locked nor read back, and its
    objects (its created_applicants and their created_verifications) are moved on in place, written
    already or not yet (session_create's moved_on: each is inserted once moved on).
    `with_files`: the ids of the verifications the creation attached files to (a new session has no others).

    A step given nothing is left to the applicant. Once a step is submitted the session is
    under way: a draft one becomes active, so it completes when its checks are done.
    """
    assert transaction.get_connection().in_atomic_block, "runs in the transaction that created the session"
    pending, submitted = [], False
    for verification in created_verifications(session):
        if verification.type in SUBMITTED_BY_APPLICANT_ONLY:
            continue
        try:
            started = _submit_if_given(actor, session, verification, verification.id in with_files)
        except ValidationFailed as exc:
            pending.append(
                PendingStep(str(verification.applicant_id), str(verification.id), verification.step_id, exc.errors)
            )
            continue
        submitted = submitted or started
    if submitted and session.status == SessionStatus.DRAFT:
        apply_transition(session, "activate", actor, note="data given at creation")
    return pending


def _submit_if_given(actor, session, verification, has_files):
    """True when the step was submitted, False when it was given nothing; ValidationFailed names what is missing."""
    if verification.type in DOCUMENT_STEP_TYPES:
        if not has_files:
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
        submit_locked(actor, session, verification, cleaned)
        return True
    return False
