"""Running checks: one verification at a time as steps are submitted, then the
whole session once every required step is in (SPEC §6).

Both are task bodies: they take ids, claim their work with a status check
under a row lock, run slow work (OCR, matching) outside any transaction, and
tolerate being run twice.
"""

import time

from django.db import transaction
from django.utils import timezone

from onboarding.actors import Actor
from onboarding.audit import record_event
from onboarding.checks import DocumentInput, get_check
from onboarding.decision import decide
from onboarding.models import Applicant, ApplicantStatus, Session, SessionStatus, Verification, VerificationStatus
from onboarding.services.common import apply_transition
from onboarding.services.verifications import advance

V = VerificationStatus
# An unreadable document costs an attempt only while the applicant can still retake it.
RETRYABLE_SESSION = (SessionStatus.DRAFT, SessionStatus.ACTIVE, SessionStatus.AWAITING_CLIENT_CORRECTION)


def known_data(applicant, verification):
    return {
        "type": applicant.type,
        "identity": applicant.identity,
        "address": applicant.address,
        "bank_account": applicant.bank_account,
        "company": applicant.company,
        "form": {**applicant.form_data, **(verification.data.get("submitted") or {})},
    }


def check_config(session, verification):
    version = session.workflow_version
    step = version.step(verification.step_id) or {}
    return {
        **step.get("config", {}),
        "name_match_threshold": version.setting("name_match_threshold"),
        "environment": session.environment,
    }


def _claim_verification(verification_id):
    with transaction.atomic():
        verification = Verification.objects.select_for_update().select_related("session").get(id=verification_id)
        if verification.status == V.SUBMITTED:
            apply_transition(verification, "start_processing", Actor.system(verification.organization_id))
        # A verification left in processing by a killed worker is taken up again.
        return verification if verification.status == V.PROCESSING else None


def run_verification_check(verification_id):
    verification = _claim_verification(verification_id)
    if verification is None:
        return None
    session, applicant = verification.session, verification.applicant
    documents = [
        DocumentInput(d.file.open("rb").read(), d.mime_type, d.kind, d.side, str(d.id))
        for d in verification.documents.filter(superseded=False)
    ]
    started = time.monotonic()
    outcome = get_check(verification.type)(documents, known_data(applicant, verification),
                                           check_config(session, verification))
    elapsed_ms = round((time.monotonic() - started) * 1000)
    _record_check(verification_id, outcome, elapsed_ms)
    return outcome


@transaction.atomic
def _record_check(verification_id, outcome, elapsed_ms):
    verification = Verification.objects.get(id=verification_id)
    session = Session.objects.select_for_update().get(id=verification.session_id)
    applicant = Applicant.objects.select_for_update().get(id=verification.applicant_id)
    verification = Verification.objects.select_for_update().get(id=verification_id)
    if verification.status != V.PROCESSING:
        return  # another run recorded it first
    actor = Actor.system(session.organization_id)
    check = {**outcome.to_dict(), "processing_time_ms": elapsed_ms, "checked_at": timezone.now().isoformat()}
    if outcome.unusable and session.status in RETRYABLE_SESSION:
        documents = verification.documents.filter(superseded=False)
        previous = {
            "attempt": verification.attempts + 1,
            "reason_codes": outcome.reason_codes,
            "document_ids": [str(i) for i in documents.values_list("id", flat=True)],
            "ended_at": timezone.now().isoformat(),
        }
        documents.update(superseded=True)
        apply_transition(verification, "retry", actor, data={"reason_codes": outcome.reason_codes},
                         previous_attempt=previous)
        if verification.attempts >= session.workflow_version.setting("max_attempts"):
            apply_transition(verification, "block", actor, data={"attempts": verification.attempts})
            if applicant.status != ApplicantStatus.BLOCKED:
                apply_transition(applicant, "block", actor, data={"step_id": verification.step_id})
        return
    verification.data = {
        **verification.data,
        "extracted_from_document": outcome.fields,
        "checks": check,
    }
    apply_transition(verification, "finish", actor, result=outcome.result, status_codes=outcome.reason_codes,
                     data={"result": outcome.result, "reason_codes": outcome.reason_codes})
    if session.status in RETRYABLE_SESSION:
        advance(session, applicant, actor, step_id=verification.step_id)


def run_session_processing(session_id):
    """Cross-checks and decision for a session in `processing`; a no-op otherwise."""
    session = Session.objects.filter(id=session_id, status=SessionStatus.PROCESSING).first()
    if session is None:
        return None
    started = time.monotonic()
    # Steps still in flight (submitted just before completion, or after a crash) are checked first.
    for verification_id in session.verifications.filter(status__in=[V.SUBMITTED, V.PROCESSING]).values_list(
        "id", flat=True
    ):
        run_verification_check(verification_id)
    verifications = list(session.verifications.select_related("applicant").order_by("created_at"))
    results = {
        "extraction_results": [
            {
                "verification_id": str(v.id),
                "applicant_id": str(v.applicant_id),
                "step_id": v.step_id,
                "type": v.type,
                "status": v.status,
                "result": v.result,
                "reason_codes": v.status_codes,
                "fields": v.data.get("extracted_from_document", {}),
                "document_ids": [str(d.id) for d in v.documents.filter(superseded=False)],
            }
            for v in verifications
        ],
    }
    final_decision, risk_score, risk_level = decide(session, verifications, results)
    results.update(
        final_decision=final_decision,
        risk_score=risk_score,
        risk_level=risk_level,
        processed_at=timezone.now().isoformat(),
        processing_time_ms=round((time.monotonic() - started) * 1000),
    )
    _finish_session(session_id, results)
    return results


@transaction.atomic
def _finish_session(session_id, results):
    session = Session.objects.select_for_update().get(id=session_id)
    if session.status != SessionStatus.PROCESSING:
        return
    actor = Actor.system(session.organization_id)
    session.processing_results = results
    session.risk_score = results["risk_score"]
    session.risk_level = results["risk_level"]
    for applicant in session.applicants.select_for_update().filter(status=ApplicantStatus.SUBMITTED):
        apply_transition(applicant, "mark_processed", actor)
    decision = results["final_decision"]
    if session.workflow_version.setting("auto_decide") and decision in ("approved", "rejected", "manual_review"):
        name = {"approved": "approve", "rejected": "reject", "manual_review": "send_to_manual_review"}[decision]
        apply_transition(session, name, actor, note="automatic decision", data={"risk_score": session.risk_score})
    else:
        session.final_decision = decision
        apply_transition(session, "finish_processing", actor, data={"risk_score": session.risk_score})
    record_event(actor=actor, action="session.processing_results", obj=session, session=session,
                 data={"final_decision": decision, "risk_score": session.risk_score})
