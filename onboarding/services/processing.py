"""Running checks: one verification at a time as steps are submitted, then the
whole session once every required step is in (SPEC §6).

Both are task bodies: they take ids, claim their work with a status check
under a row lock, run slow work (OCR, matching) outside any transaction, and
tolerate being run twice.
"""

import logging
import time

from django.db import transaction
from django.utils import timezone

from onboarding.actors import Actor
from onboarding.audit import lock_organization, record_event
from onboarding.checks import CHECK_MODULES, INCONCLUSIVE, CheckResult, DocumentInput, get_check
from onboarding.crossvalidation import cross_validate
from onboarding.decision import decide
from onboarding.models import (
    SESSION_OPEN_TO_APPLICANT,
    Applicant,
    ApplicantStatus,
    Session,
    SessionStatus,
    Verification,
    VerificationStatus,
)
from onboarding.services.common import apply_transition, count_risk
from onboarding.services.screening import watchlist_result
from onboarding.services.verifications import advance
from onboarding.steps import DEFAULT_SETTINGS
from onboarding.uploads import PDF_TYPE, check_pdf

V = VerificationStatus
logger = logging.getLogger(__name__)
# Check runs of one attempt that may end without a result (the worker died) before the
# documents are quarantined as unusable.
MAX_CHECK_RUNS = 3


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
        "face_match_threshold": version.setting("face_match_threshold"),
        "environment": session.environment,
    }


def validations(version):
    return {**DEFAULT_SETTINGS["validations"], **version.setting("validations")}


def _content(document):
    with document.file.open("rb") as handle:
        return handle.read()


def _inputs(documents, kind=None):
    return [DocumentInput(_content(d), d.mime_type, kind or d.kind, d.side, str(d.id)) for d in documents]


def identity_documents(applicant):
    """The applicant's current identity document files: the portrait a selfie is compared with."""
    return applicant.documents.filter(
        superseded=False,
        verification__type="identity_document",
        verification__status__in=[V.SUBMITTED, V.PROCESSING, V.DONE],
    )


def check_documents(verification, applicant):
    """What a step's check reads: its own files; a selfie also gets the identity document,
    its own files marked kind ``selfie``."""
    own = verification.documents.filter(superseded=False)
    if verification.type != "selfie":
        return _inputs(own)
    return _inputs(identity_documents(applicant)) + _inputs(own, kind="selfie")


def _claim_verification(verification_id):
    organization_id = Verification.objects.values_list("organization_id", flat=True).get(id=verification_id)
    with transaction.atomic():
        lock_organization(organization_id)
        verification = Verification.objects.select_for_update().select_related("session").get(id=verification_id)
        if verification.status == V.SUBMITTED:
            verification.check_runs = 0
            apply_transition(verification, "start_processing", Actor.system(verification.organization_id))
        if verification.status != V.PROCESSING:
            return None
        # A verification left in processing by a killed worker is taken up again, a bounded number of times.
        verification.check_runs += 1
        verification.save(update_fields=["check_runs", "updated_at"])
        return verification


def run_check(step_type, documents, known, config):
    """A check's outcome; any error it raises (a renderer choking on a hostile file, a time
    limit) makes the documents unusable: the applicant loses one attempt, the worker nothing."""
    try:
        for document in documents:
            if document.mime_type == PDF_TYPE or document.content[:5] == b"%PDF-":
                # Files stored before the upload check knew a trick (Flate behind another filter)
                # are checked again, under its decoding budget: reading one peaked at ~950 MB.
                check_pdf(document.content)
        return get_check(step_type)(documents, known, config)
    except Exception as exc:  # whatever a hostile file triggers, the outcome is the same
        logger.warning(
            "%s check failed on documents %s: %s", step_type, [d.document_id for d in documents], type(exc).__name__
        )
        return CheckResult(
            INCONCLUSIVE, reason_codes=["document_unreadable"], details={"error": type(exc).__name__}, unusable=True
        )


def run_verification_check(verification_id):
    verification = _claim_verification(verification_id)
    if verification is None:
        return None
    documents = check_documents(verification, verification.applicant)
    if verification.check_runs > MAX_CHECK_RUNS:
        return _quarantine(verification, documents)
    started = time.monotonic()
    outcome = run_check(
        verification.type,
        documents,
        known_data(verification.applicant, verification),
        check_config(verification.session, verification),
    )
    elapsed_ms = round((time.monotonic() - started) * 1000)
    _record_check(verification_id, outcome, elapsed_ms, [d.document_id for d in documents])
    return outcome


def _quarantine(verification, documents):
    """Runs that never finished (the worker died each time) end the attempt without running the check again."""
    document_ids = [d.document_id for d in documents]
    logger.error(
        "verification %s quarantined: its check did not finish in %s runs (documents %s)",
        verification.id,
        MAX_CHECK_RUNS,
        document_ids,
    )
    outcome = CheckResult(
        INCONCLUSIVE,
        reason_codes=["document_unreadable"],
        details={"quarantined": True, "check_runs": MAX_CHECK_RUNS},
        unusable=True,
    )
    with transaction.atomic():
        record_event(
            actor=Actor.system(verification.organization_id),
            action="verification.quarantined",
            obj=verification,
            session=verification.session,
            data={"check_runs": MAX_CHECK_RUNS, "document_ids": document_ids},
        )
        _record_check(verification.id, outcome, 0, document_ids)
    return outcome


@transaction.atomic
def _record_check(verification_id, outcome, elapsed_ms, document_ids):
    verification = Verification.objects.get(id=verification_id)
    lock_organization(verification.organization_id)
    session = Session.objects.select_for_update().get(id=verification.session_id)
    applicant = Applicant.objects.select_for_update().get(id=verification.applicant_id)
    verification = Verification.objects.select_for_update().get(id=verification_id)
    if verification.status != V.PROCESSING:
        return  # another run recorded it first
    actor = Actor.system(session.organization_id)
    check = {
        **outcome.to_dict(),
        "processing_time_ms": elapsed_ms,
        "checked_at": timezone.now().isoformat(),
        "document_ids": document_ids,
    }
    # Each file keeps what was concluded from it, also when the attempt is discarded.
    verification.documents.filter(superseded=False).update(extracted_at=timezone.now(), extraction={
        "verification_id": str(verification.id), "result": outcome.result, "reason_codes": outcome.reason_codes,
        "unusable": outcome.unusable,
    })  # fmt: skip
    # An unreadable document costs an attempt only while the applicant can still retake it.
    if outcome.unusable and session.status in SESSION_OPEN_TO_APPLICANT:
        documents = verification.documents.filter(superseded=False)
        previous = {
            "attempt": verification.attempts + 1,
            "reason_codes": outcome.reason_codes,
            "document_ids": [str(i) for i in documents.values_list("id", flat=True)],
            "ended_at": timezone.now().isoformat(),
        }
        documents.update(superseded=True)
        apply_transition(
            verification, "retry", actor, data={"reason_codes": outcome.reason_codes}, previous_attempt=previous
        )
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
    apply_transition(
        verification,
        "finish",
        actor,
        result=outcome.result,
        status_codes=outcome.reason_codes,
        data={"result": outcome.result, "reason_codes": outcome.reason_codes},
    )
    if session.status in SESSION_OPEN_TO_APPLICANT:
        advance(session, applicant, actor, step_id=verification.step_id)


def extraction_results(verifications):
    return [
        {
            "verification_id": str(v.id),
            "applicant_id": str(v.applicant_id),
            "step_id": v.step_id,
            "type": v.type,
            "status": v.status,
            "result": v.result,
            "reason_codes": v.status_codes,
            "fields": v.data.get("extracted_from_document", {}),
            "document_ids": [str(d.id) for d in v.documents.all() if not d.superseded],
            "processing_time_ms": (v.data.get("checks") or {}).get("processing_time_ms"),
        }
        for v in verifications
    ]


def _face_result(outcome):
    values = {**outcome.get("details", {}), **outcome.get("fields", {})}
    return {
        "status": outcome["result"],
        "confidence": values.get("confidence"),
        "threshold": values.get("threshold"),
        "distance": values.get("distance"),
        "reason_codes": outcome.get("reason_codes", []),
    }


def face_check_available():
    try:
        get_check("selfie")
    except ModuleNotFoundError as exc:
        if exc.name != CHECK_MODULES["selfie"]:
            raise  # the module is there but one of its libraries is not: that is a broken install
        return False
    return True


def face_match_result(session, verifications):
    """The selfie against the identity document portrait, for each applicant with a checked selfie.

    The selfie's own check already compared them when the identity document was in;
    otherwise (selfie taken first) the comparison runs now."""
    if not validations(session.workflow_version)["face_match"] or not face_check_available():
        return None
    results = []
    for selfie in (v for v in verifications if v.type == "selfie" and v.status == V.DONE):
        check = selfie.data.get("checks") or {}
        portrait_ids = [str(i) for i in identity_documents(selfie.applicant).values_list("id", flat=True)]
        if not check or not portrait_ids:
            continue
        if not set(portrait_ids) <= set(check.get("document_ids", [])):
            documents = check_documents(selfie, selfie.applicant)
            check = run_check(
                "selfie", documents, known_data(selfie.applicant, selfie), check_config(session, selfie)
            ).to_dict()
        results.append({"applicant_id": str(selfie.applicant_id), **_face_result(check)})
    if not results:
        return None
    # The session's result is its weakest applicant's.
    order = {"failed": 0, "inconclusive": 1, "passed": 2}
    worst = min(results, key=lambda result: order.get(result["status"], 1))
    return {**worst, "applicants": results}


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
    version = session.workflow_version
    verifications = list(
        session.verifications.select_related("applicant").prefetch_related("documents").order_by("created_at")
    )
    applicants = list(session.applicants.order_by("created_at"))
    results = {
        "extraction_results": extraction_results(verifications),
        "cross_validation": cross_validate(
            applicants, verifications, name_threshold=version.setting("name_match_threshold")
        ),
    }
    face = face_match_result(session, verifications)
    if face is not None:
        results["face_match_result"] = face
    if validations(version)["watchlist"]:
        previous = (session.processing_results.get("external_validations") or {}).get("watchlist")
        results["external_validations"] = {"watchlist": watchlist_result(session, applicants, verifications, previous)}
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
    lock_organization(Session.objects.values_list("organization_id", flat=True).get(id=session_id))
    session = Session.objects.select_for_update().get(id=session_id)
    if session.status != SessionStatus.PROCESSING:
        return
    actor = Actor.system(session.organization_id)
    session.processing_results = results
    before_risk, session.risk_score = session.risk_score, results["risk_score"]
    session.risk_level = results["risk_level"]
    count_risk(session, before_risk, session.risk_score)
    for applicant in session.applicants.select_for_update().filter(status=ApplicantStatus.SUBMITTED):
        apply_transition(applicant, "mark_processed", actor)
    decision = results["final_decision"]
    if session.workflow_version.setting("auto_decide") and decision in ("approved", "rejected", "manual_review"):
        name = {"approved": "approve", "rejected": "reject", "manual_review": "send_to_manual_review"}[decision]
        apply_transition(session, name, actor, note="automatic decision", data={"risk_score": session.risk_score})
    else:
        session.final_decision = decision
        apply_transition(session, "finish_processing", actor, data={"risk_score": session.risk_score})
    record_event(
        actor=actor,
        action="session.processing_results",
        obj=session,
        session=session,
        data={"final_decision": decision, "risk_score": session.risk_score},
    )
