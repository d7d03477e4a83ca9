"""A session through its whole life with real checks: submit, process, decide, correct, resolve, attach."""

import io

import pytest
from PIL import Image

from onboarding import services
from onboarding import webhooks as webhooks_module
from onboarding.actors import Actor
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import Event, OutboxMessage, Session
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db


def form_session(org, settings=None, steps=None):
    workflow = make_workflow(org, steps=steps or FORM_ONLY_STEPS, settings=settings or {})
    session = make_session(org, workflow)
    services.links_generate(actor=system(org), session_id=session.id)
    return Session.objects.get(id=session.id)


def submit_form(session, email="anna@example.com"):
    verification = session.verifications.get(step_id="details")
    applicant = verification.applicant
    return services.verification_submit(
        actor=Actor.for_applicant(applicant), verification_id=verification.id, data={"email": email}
    )


def test_submitting_the_last_step_processes_the_session(org, run_on_commit):
    webhooks_module.endpoint_create(actor=system(org), url="http://127.0.0.1:9/hook")  # events are written for it
    session = form_session(org)
    submit_form(session)
    session.refresh_from_db()
    assert session.status == "processed"
    assert session.final_decision == "approved"
    assert session.risk_score == 0
    verification = session.verifications.get()
    assert (verification.status, verification.result) == ("done", "passed")
    assert verification.data["extracted_from_document"] == {"email": "anna@example.com"}
    assert session.applicants.get().status == "processed"
    results = session.processing_results
    assert {"extraction_results", "final_decision", "risk_score", "processed_at", "processing_time_ms"} <= set(results)
    webhooks = set(OutboxMessage.objects.filter(organization=org).values_list("event_type", flat=True))
    assert {"session.created", "session.status_changed", "verification.completed", "session.processed"} <= webhooks


def test_a_failed_check_sends_the_session_to_manual_review(org, run_on_commit):
    session = form_session(org)
    submit_form(session, email="not an email")
    session.refresh_from_db()
    assert session.status == "processed"
    assert session.final_decision == "manual_review"
    assert session.verifications.get().status_codes == ["form_invalid"]


def test_auto_decide_approves_without_a_reviewer(org, run_on_commit):
    session = form_session(org, settings={"auto_decide": True})
    submit_form(session)
    session.refresh_from_db()
    assert session.status == "approved"
    assert session.events.filter(action="session.approve", actor_type="system").exists()


def test_auto_process_off_waits_for_a_process_call(org, run_on_commit):
    session = form_session(org, settings={"auto_process": False})
    submit_form(session)
    session.refresh_from_db()
    assert session.status == "completed"
    services.session_process(actor=system(org), session_id=session.id)
    session.refresh_from_db()
    assert session.status == "processed"


def test_reviewer_decides_and_reopens_with_a_note(org, run_on_commit):
    session = form_session(org)
    submit_form(session)
    actor = system(org)
    services.session_decide(
        actor=actor, session_id=session.id, status="rejected", reasons=["fraud_suspected"], note="document tampered"
    )
    session.refresh_from_db()
    assert (session.status, session.final_decision, session.decision_reasons) == (
        "rejected",
        "rejected",
        ["fraud_suspected"],
    )
    with pytest.raises(InvalidTransition, match="rejected"):
        services.session_decide(actor=actor, session_id=session.id, status="approved")
    with pytest.raises(ValidationFailed):
        services.session_decide(actor=actor, session_id=session.id, status="manual_review")
    services.session_decide(actor=actor, session_id=session.id, status="manual_review", note="new evidence")
    services.session_decide(actor=actor, session_id=session.id, status="approved", note="ok after call")
    session.refresh_from_db()
    assert session.status == "approved"
    assert list(session.events.filter(object_type="session").values_list("action", flat=True))[-3:] == [
        "session.reject",
        "session.reopen",
        "session.approve",
    ]


def test_correction_round_trip(org, run_on_commit):
    session = form_session(org)
    submit_form(session, email="typo@example")
    actor = system(org)
    services.session_decide(actor=actor, session_id=session.id, status="approved")
    services.session_request_corrections(
        actor=actor,
        session_id=session.id,
        comment="internal: typo",
        corrections=[{"step_id": "details", "field_ids": ["email"], "message": "Please check your email address."}],
    )
    session.refresh_from_db()
    assert session.status == "awaiting_client_correction"
    assert session.final_decision == ""  # a correction request clears the decision
    verification = session.verifications.get()
    assert verification.status == "needs_correction"
    assert session.corrections.get().status == "open"
    submit_form(session, email="anna@example.com")
    session.refresh_from_db()
    assert session.corrections.get().status == "resolved"
    assert session.status == "processed"
    assert session.final_decision == "approved"


def test_corrections_need_a_known_step_and_a_message(org, run_on_commit):
    session = form_session(org)
    submit_form(session)
    with pytest.raises(ValidationFailed) as error:
        services.session_request_corrections(
            actor=system(org), session_id=session.id, corrections=[{"step_id": "nope", "message": ""}]
        )
    assert set(error.value.errors) == {"corrections[0].step_id", "corrections[0].message"}
    session.refresh_from_db()
    assert session.status == "processed"


def test_attaching_a_verification_reopens_a_processed_session(org, run_on_commit):
    session = form_session(org)
    submit_form(session)
    applicant = session.applicants.get()
    verification = services.verification_attach(actor=system(org), applicant_id=applicant.id, type="selfie")
    assert verification.status == "awaiting_data"
    applicant.refresh_from_db()
    session.refresh_from_db()
    assert (applicant.status, session.status) == ("notified", "active")


def test_manual_resolution_keeps_the_note_and_moves_on(org, run_on_commit):
    session = form_session(org)
    verification = session.verifications.get()
    with pytest.raises(ValidationFailed):
        services.verification_resolve(actor=system(org), verification_id=verification.id, result="passed", note="")
    services.verification_resolve(
        actor=system(org), verification_id=verification.id, result="passed", note="Verified by video call"
    )
    verification.refresh_from_db()
    session.refresh_from_db()
    assert (verification.status, verification.result, verification.resolution_note) == (
        "done",
        "passed",
        "Verified by video call",
    )
    assert session.status == "processed"
    assert Event.objects.get(object_id=verification.id, action="verification.resolve").note == "Verified by video call"


def _blank_png():
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, format="PNG")
    return out.getvalue()


def test_unreadable_documents_cost_attempts_until_blocked(org, run_on_commit):
    session = form_session(org, settings={"max_attempts": 2}, steps=[{"id": "address", "type": "proof_of_address"}])
    actor = system(org)
    verification = session.verifications.get()
    for attempt in (1, 2):
        services.document_add(actor=actor, verification_id=verification.id, content=_blank_png())
        services.verification_submit(actor=actor, verification_id=verification.id)
        verification.refresh_from_db()
        assert verification.attempts == attempt
        assert verification.previous_attempt["reason_codes"] == ["document_unreadable"]
    assert verification.status == "blocked"
    assert verification.applicant.status == "blocked"
    assert verification.documents.filter(superseded=True).count() == 2
    session.refresh_from_db()
    assert session.status == "active"


def test_optional_steps_can_be_skipped(org, run_on_commit):
    steps = FORM_ONLY_STEPS + [{"id": "selfie", "type": "selfie", "required": False}]
    session = form_session(org, steps=steps)
    selfie = session.verifications.get(step_id="selfie")
    services.verification_skip(actor=system(org), verification_id=selfie.id)
    details = session.verifications.get(step_id="details")
    with pytest.raises(ValidationFailed):
        services.verification_skip(actor=system(org), verification_id=details.id)
    submit_form(session)
    session.refresh_from_db()
    assert session.status == "processed"
