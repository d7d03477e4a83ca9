"""Decision rules: check results → risk score (0-100), risk level and final decision.

Weights are per reason code; thresholds come from the workflow settings
(`decision_thresholds`), so each workflow tunes how strict it is.
"""

from onboarding.models import FinalDecision
from onboarding.steps import DEFAULT_SETTINGS

# Risk added by a reason code; codes not listed add the weight of their verification's result.
REASON_WEIGHTS = {
    "watchlist_hit": 70,
    "face_mismatch": 60,
    "mrz_checksum_invalid": 60,
    "document_expired": 40,
    "underage": 70,
    "iban_invalid": 40,
    "registration_number_invalid": 40,
    "name_mismatch": 30,
    "birth_date_mismatch": 30,
    "document_too_old": 20,
    "address_mismatch": 15,
    # The printed text says something else than the issuer's signed 2D-Doc: possibly edited.
    "twoddoc_mismatch": 40,
}
RESULT_WEIGHTS = {"passed": 0, "inconclusive": 15, "failed": 30}
# A required step without a check result (blocked, never done) weighs like a failure.
MISSING_WEIGHT = 30
SIMULATED_OUTCOMES = set(FinalDecision.values)


def risk_level(score, thresholds):
    if score >= thresholds["reject_at"]:
        return "high"
    if score >= thresholds["review_at"]:
        return "medium"
    return "low"


def score_verifications(verifications, extra_codes=()):
    score = 0
    for verification in verifications:
        if verification.status == "skipped":
            continue
        if verification.status != "done":
            score += MISSING_WEIGHT if verification.required else 0
            continue
        # A person's resolution (by hand or an override) replaces what the check reported.
        codes = [] if verification.resolution_note else verification.status_codes
        weights = [REASON_WEIGHTS.get(code, 0) for code in codes]
        score += max([RESULT_WEIGHTS.get(verification.result, 0), *weights])
    score += sum(REASON_WEIGHTS.get(code, 15) for code in extra_codes)
    return min(score, 100)


def session_level_codes(verifications, results):
    """Reason codes found across the session (cross-validation, face match, watchlist) that
    no verification already carries: a mismatch its own check reported is not weighed twice."""
    codes = list(results.get("cross_validation", {}).get("errors", []))
    if results.get("face_match_result", {}).get("status") == "failed":
        codes.append("face_mismatch")
    if results.get("external_validations", {}).get("watchlist", {}).get("is_match"):
        codes.append("watchlist_hit")
    reported = {code for verification in verifications for code in verification.status_codes or []}
    return [code for code in dict.fromkeys(codes) if code not in reported]


def decide(session, verifications, results):
    """(final_decision, risk_score, risk_level) for a processed session."""
    # A workflow may set one of the two thresholds; the other keeps its default.
    thresholds = {**DEFAULT_SETTINGS["decision_thresholds"], **session.workflow_version.setting("decision_thresholds")}
    codes = session_level_codes(verifications, results)
    score = score_verifications(verifications, codes)
    level = risk_level(score, thresholds)
    simulated = session.metadata.get("simulate_outcome") if session.environment == "sandbox" else None
    if simulated in SIMULATED_OUTCOMES:
        return simulated, score, level
    warnings = results.get("cross_validation", {}).get("warnings", [])
    # A watchlist hit may be a namesake: it makes the risk high but only a reviewer rejects on it.
    hit_only = (
        level == "high"
        and risk_level(score_verifications(verifications, [c for c in codes if c != "watchlist_hit"]), thresholds)
        != "high"
    )
    if hit_only:
        decision = FinalDecision.MANUAL_REVIEW
    elif level == "high":
        decision = FinalDecision.REJECTED
    elif level == "medium" or any(v.result in ("failed", "inconclusive") for v in verifications):
        decision = FinalDecision.MANUAL_REVIEW
    elif warnings:
        decision = FinalDecision.FLAGGED
    else:
        decision = FinalDecision.APPROVED
    return str(decision), score, level
