"""Recomputing a processed session's risk score and recommendation after a person changed
what it rests on (a check's result overridden, a watchlist hit dismissed, a new screening)."""

from django.utils import timezone

from onboarding.decision import decide
from onboarding.models import SessionStatus
from onboarding.services.common import count_risk


def rescore(session):
    """Risk score, risk level and recommended decision again, from the session's current results.

    A session never processed has nothing to recompute. The recommendation replaces the
    session's final_decision only while nobody has decided (status processed); a person's
    decision stands. The caller holds the session lock and records the audit event.
    Returns (score before, score after).
    """
    results = dict(session.processing_results or {})
    before = session.risk_score
    if not results:
        return before, before
    verifications = list(session.verifications.select_related("applicant").order_by("created_at"))
    by_id = {str(v.id): v for v in verifications}
    results["extraction_results"] = [
        {**row, "status": by_id[row["verification_id"]].status, "result": by_id[row["verification_id"]].result}
        if row.get("verification_id") in by_id
        else row
        for row in results.get("extraction_results", [])
    ]
    final_decision, risk_score, risk_level = decide(session, verifications, results)
    results.update(
        final_decision=final_decision,
        risk_score=risk_score,
        risk_level=risk_level,
        rescored_at=timezone.now().isoformat(),
    )
    session.processing_results = results
    session.risk_score, session.risk_level = risk_score, risk_level
    fields = ["processing_results", "risk_score", "risk_level", "updated_at"]
    if session.status == SessionStatus.PROCESSED:
        session.final_decision = final_decision
        fields.append("final_decision")
    session.save(update_fields=fields)
    count_risk(session, before, risk_score)
    return before, risk_score
