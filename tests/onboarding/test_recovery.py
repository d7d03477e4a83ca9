"""Ways out for a stuck case: more attempts for a blocked applicant, a step resolved by hand,
and a reviewer's override of a check's result (SPEC §3)."""

import pytest

from onboarding import services
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import Event
from onboarding.services.evidence import evidence_pack_export
from tests.dashboard.builders import ANNA, BANK_STEPS, WRONG_ACCOUNT, blocked_session, send_letter
from tests.documents.bank import GERMAN_ACCOUNT, bank_letter_pdf
from tests.factories import make_session, make_workflow, system

pytestmark = pytest.mark.django_db


def test_granting_more_attempts_lets_a_blocked_applicant_finish(org, run_on_commit):
    session, verification = blocked_session(org)
    services.verification_unblock(actor=system(org), verification_id=verification.id, note="Called the customer")
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == ("awaiting_data", 0)
    assert verification.applicant.status == "in_progress"
    event = Event.objects.get(object_id=verification.id, action="verification.unblock")
    assert (event.note, event.data["attempts_used"]) == ("Called the customer", 2)

    send_letter(verification, bank_letter_pdf(GERMAN_ACCOUNT))
    session.refresh_from_db()
    assert session.status == "processed"
    assert session.applicants.get().status == "processed"


def test_resolving_the_blocking_step_by_hand_completes_the_session(org, run_on_commit):
    session, verification = blocked_session(org)
    services.verification_resolve(
        actor=system(org),
        verification_id=verification.id,
        result="passed",
        note="IBAN confirmed by a bank statement sent by post",
    )
    session.refresh_from_db()
    assert session.status == "processed"
    assert session.applicants.get().status == "processed"
    services.session_decide(actor=system(org), session_id=session.id, status="approved")
    session.refresh_from_db()
    assert session.status == "approved"


def test_only_a_blocked_step_of_an_open_session_can_get_more_attempts(org, run_on_commit):
    session, verification = blocked_session(org)
    services.verification_unblock(actor=system(org), verification_id=verification.id)
    with pytest.raises(InvalidTransition, match="awaiting_data"):
        services.verification_unblock(actor=system(org), verification_id=verification.id)


def test_overriding_a_done_check_keeps_the_checks_word_and_rescores(org, run_on_commit):
    workflow = make_workflow(org, steps=BANK_STEPS)
    session = make_session(org, workflow, input={k: dict(v) for k, v in ANNA.items()})
    services.links_generate(actor=system(org), session_id=session.id)
    verification = session.verifications.get()
    send_letter(verification, bank_letter_pdf(WRONG_ACCOUNT))
    session.refresh_from_db()
    verification.refresh_from_db()
    assert (session.status, verification.result) == ("processed", "failed")
    risk_before = session.risk_score
    assert risk_before > 0

    with pytest.raises(ValidationFailed):
        services.verification_resolve(actor=system(org), verification_id=verification.id, result="passed", note=" ")
    services.verification_resolve(
        actor=system(org),
        verification_id=verification.id,
        result="passed",
        note="The customer changed banks; the new account is confirmed",
    )
    verification.refresh_from_db()
    session.refresh_from_db()
    assert (verification.status, verification.result) == ("done", "passed")
    assert verification.status_codes  # what the check reported stays
    assert verification.data["overrides"][0]["previous_result"] == "failed"
    assert session.risk_score == 0 < risk_before
    assert session.final_decision == "approved"  # the recommendation follows
    event = Event.objects.get(object_id=verification.id, action="verification.override")
    assert (event.data["previous_result"], event.data["risk_score_before"]) == ("failed", risk_before)
    pack = evidence_pack_export(actor=system(org), session_id=session.id)
    assert pack["verifications"][0]["overrides"][0]["note"].startswith("The customer changed banks")
