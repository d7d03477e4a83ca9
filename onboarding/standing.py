"""Where a case stands, in the one vocabulary applicants read (SPEC §3 "What people see").

Pure functions over the models: the portal renders these states and the API may
return them. A step whose check failed is never "done" for the applicant: until a
person (or auto-decide) decides, every checked step is under review.
"""

from dataclasses import dataclass

from onboarding.models import SESSION_OPEN_TO_APPLICANT, ApplicantStatus, SessionStatus, VerificationStatus

TO_DO = "to_do"
RECEIVED_CHECKING = "received_checking"
NEEDS_NEW_DOCUMENT = "needs_new_document"
UNDER_REVIEW = "under_review"
APPROVED = "approved"
NOT_APPROVED = "not_approved"
EXPIRED = "expired"
CANCELLED = "cancelled"
BLOCKED = "blocked"
# Steps only: an optional step the applicant left out, and a step nothing is asked of now.
SKIPPED = "skipped"
NOTHING_TO_DO = "nothing_to_do"

STATES = (
    TO_DO,
    RECEIVED_CHECKING,
    NEEDS_NEW_DOCUMENT,
    UNDER_REVIEW,
    APPROVED,
    NOT_APPROVED,
    EXPIRED,
    CANCELLED,
    BLOCKED,
    SKIPPED,
    NOTHING_TO_DO,
)
# The applicant can send something for a step in these states.
ACTIONABLE = frozenset({TO_DO, NEEDS_NEW_DOCUMENT})
# The case is over for the applicant: nothing can be sent and nothing is finished.
CLOSED = frozenset({APPROVED, NOT_APPROVED, EXPIRED, CANCELLED, BLOCKED})

V = VerificationStatus
# Everything was sent and the checks have not all run yet.
SESSION_CHECKING = frozenset({SessionStatus.COMPLETED, SessionStatus.PROCESSING})
# Decided by a person or by auto-decide.
SESSION_DECIDED = {SessionStatus.APPROVED: APPROVED, SessionStatus.REJECTED: NOT_APPROVED}


@dataclass(frozen=True)
class StepStanding:
    step_id: str
    state: str
    # Why a new document is needed: the check's reason codes of the last unusable attempt.
    reason_codes: tuple = ()
    attempts_left: int | None = None
    # What the reviewer asked for, when a correction reopened the step.
    correction_messages: tuple = ()

    @property
    def actionable(self):
        return self.state in ACTIONABLE


@dataclass(frozen=True)
class Standing:
    """The whole case for one applicant, and each of their steps."""

    state: str
    steps: tuple
    # The applicant may press Finish: nothing required is left and they have not finished yet.
    can_finish: bool

    def step(self, step_id):
        return next((s for s in self.steps if s.step_id == step_id), None)


def case_state(session):
    """The session's own part of the case state, or None when it depends on the applicant's steps."""
    if session.status == SessionStatus.CANCELLED:
        return CANCELLED
    if session.status == SessionStatus.EXPIRED:
        return EXPIRED
    if session.status in SESSION_DECIDED:
        return SESSION_DECIDED[session.status]
    if session.status in SESSION_CHECKING:
        return RECEIVED_CHECKING
    if session.status not in SESSION_OPEN_TO_APPLICANT:
        return UNDER_REVIEW  # processed, manual_review: a person (or auto-decide) decides next
    return None


def step_standing(session, applicant, verification, corrections, max_attempts):
    """One step; `corrections` are the open correction requests of this step for this applicant."""
    status = verification.status
    attempts_left = max(max_attempts - verification.attempts, 0)
    decided = case_state(session)
    if status == V.BLOCKED:
        return StepStanding(verification.step_id, BLOCKED, attempts_left=0)
    if status == V.SKIPPED:
        return StepStanding(verification.step_id, SKIPPED)
    if status in (V.SUBMITTED, V.PROCESSING):
        return StepStanding(verification.step_id, decided if decided in (EXPIRED, CANCELLED) else RECEIVED_CHECKING)
    if status == V.DONE:
        # Passed or failed alike: only the decision says how it ends.
        if decided in (APPROVED, NOT_APPROVED, EXPIRED, CANCELLED):
            return StepStanding(verification.step_id, decided)
        return StepStanding(verification.step_id, UNDER_REVIEW)
    # Waiting for data from the applicant.
    if decided is not None:
        return StepStanding(verification.step_id, decided if decided in (EXPIRED, CANCELLED) else NOTHING_TO_DO)
    if applicant.status == ApplicantStatus.BLOCKED:
        return StepStanding(verification.step_id, NOTHING_TO_DO)
    reopened = status == V.NEEDS_CORRECTION or bool(corrections)
    if session.status == SessionStatus.AWAITING_CLIENT_CORRECTION and not reopened:
        return StepStanding(verification.step_id, NOTHING_TO_DO)
    messages = tuple(c.message for c in corrections)
    if verification.attempts > 0:
        reasons = tuple((verification.previous_attempt or {}).get("reason_codes", []))
        return StepStanding(
            verification.step_id,
            NEEDS_NEW_DOCUMENT,
            reason_codes=reasons,
            attempts_left=attempts_left,
            correction_messages=messages,
        )
    if reopened:
        return StepStanding(
            verification.step_id, NEEDS_NEW_DOCUMENT, attempts_left=attempts_left, correction_messages=messages
        )
    return StepStanding(verification.step_id, TO_DO, attempts_left=attempts_left)


def applicant_standing(applicant, verifications=None, corrections=None):
    """The applicant's case and steps. Pass the verifications (in step order) and the session's open
    correction requests when already loaded; otherwise they are read."""
    session = applicant.session
    if verifications is None:
        verifications = list(applicant.verifications.all())
    if corrections is None:
        corrections = list(session.corrections.filter(status="open"))
    mine = [c for c in corrections if c.applicant_id in (None, applicant.id)]
    max_attempts = session.workflow_version.setting("max_attempts")
    steps = tuple(
        step_standing(session, applicant, v, [c for c in mine if c.step_id == v.step_id], max_attempts)
        for v in verifications
    )
    required = {v.step_id for v in verifications if v.required}
    state = _case_from_steps(session, applicant, steps, required)
    left = any(s.state in ACTIONABLE or s.state == NOTHING_TO_DO for s in steps if s.step_id in required)
    can_finish = state not in CLOSED and not left and applicant.finished_at is None
    return Standing(state=state, steps=steps, can_finish=can_finish)


def _case_from_steps(session, applicant, steps, required):
    decided = case_state(session)
    if decided in (CANCELLED, EXPIRED):
        return decided
    if applicant.status == ApplicantStatus.BLOCKED or any(s.state == BLOCKED for s in steps):
        return BLOCKED
    if decided is not None:
        return decided
    if any(s.state == NEEDS_NEW_DOCUMENT for s in steps):
        return NEEDS_NEW_DOCUMENT
    if any(s.state == TO_DO for s in steps if s.step_id in required):
        return TO_DO
    if any(s.state == RECEIVED_CHECKING for s in steps):
        return RECEIVED_CHECKING
    # Everything of this applicant is in and checked; the session waits for others or for a person.
    return UNDER_REVIEW
