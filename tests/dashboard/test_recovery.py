"""A reviewer recovers stuck cases from the session page: more attempts for a blocked applicant,
a blocked step resolved by hand, a done check's result overridden; and the page tells the
automatic outcome (a recommendation) apart from a person's decision."""

import re

from django.urls import reverse

from onboarding import services
from onboarding.models import Event
from tests.dashboard.builders import blocked_session, session_in_manual_review
from tests.factories import system


def page(client, session):
    response = client.get(reverse("dashboard:session", args=[session.id]))
    assert response.status_code == 200
    return response.content.decode()


def post(client, name, session, data):
    return client.post(reverse(f"dashboard:{name}", args=[session.id]), data, follow=True).content.decode()


def step_html(html, step_id):
    return re.search(rf'<section class="step" id="step-[^"]+-{step_id}".*?</section>', html, re.S).group(0)


def test_a_processed_session_shows_a_recommendation_not_a_decision(reviewer_client, processed_session):
    html = page(reviewer_client, processed_session)
    assert re.search(r'<dt>Recommendation</dt><dd id="recommendation"[^>]*>Approved</dd>', html)
    assert "Final decision" not in html
    services.session_decide(
        actor=system(processed_session.organization), session_id=processed_session.id, status="approved"
    )
    html = page(reviewer_client, processed_session)
    assert re.search(r'<dt>Decision</dt><dd id="decision"[^>]*>Approved</dd>', html)
    assert 'id="recommendation"' not in html


def test_blocked_step_gets_more_attempts_from_the_page(reviewer_client, org, run_on_commit):
    session, verification = blocked_session(org)
    html = step_html(page(reviewer_client, session), "bank")
    assert "Grant more attempts" in html
    assert "IBAN: valid" not in html  # no check ever read an IBAN here
    html = post(reviewer_client, "unblock", session, {"verification_id": verification.id, "note": "New card"})
    assert "can send “bank” again" in html
    verification.refresh_from_db()
    assert (verification.status, verification.applicant.status) == ("awaiting_data", "in_progress")
    assert "Grant more attempts" not in step_html(page(reviewer_client, session), "bank")


def test_resolving_a_blocked_step_by_hand_lets_the_session_be_decided(reviewer_client, org, run_on_commit):
    session, verification = blocked_session(org)
    post(
        reviewer_client,
        "resolve",
        session,
        {"verification_id": verification.id, "result": "passed", "note": "IBAN confirmed on a paper statement"},
    )
    session.refresh_from_db()
    assert session.status == "processed"
    html = page(reviewer_client, session)
    assert "Confirm approval" in html
    step = step_html(html, "bank")
    assert "IBAN: valid" not in step and "MRZ check digits" not in step  # only what a check established
    assert "Resolved by hand: IBAN confirmed on a paper statement" in step


def test_override_a_failed_check_after_processing(reviewer_client, reviewer, org, run_on_commit):
    session = session_in_manual_review(org)
    verification = session.verifications.get(step_id="bank")
    assert verification.result == "failed"
    html = step_html(page(reviewer_client, session), "bank")
    assert "Override result…" in html
    html = post(reviewer_client, "resolve", session, {"verification_id": verification.id, "result": "passed"})
    assert "note: This field is required." in html
    html = post(
        reviewer_client,
        "resolve",
        session,
        {"verification_id": verification.id, "result": "passed", "note": "Customer moved banks, new RIB checked"},
    )
    assert "Step bank: result set to passed." in html
    step = step_html(html, "bank")
    assert "check said: failed" in step
    assert f"{reviewer.username} changed the result from failed to passed:" in step
    assert "IBAN does not match" in step  # the check's findings stay visible
    event = Event.objects.get(object_id=verification.id, action="verification.override")
    timeline = html[html.index("Audit trail") :]
    assert "Check result overridden</strong> · Bank account · passed" in timeline
    assert f"Reviewer: {reviewer.username}" in timeline and event.note in timeline


def test_audit_trail_names_the_step_and_the_applicant(reviewer_client, org, run_on_commit):
    session = session_in_manual_review(org)
    timeline = page(reviewer_client, session).split("Audit trail", 1)[1]
    assert "Step submitted</strong> · Bank account" in timeline
    assert "Recommendation computed" in timeline
    assert '<code class="code secondary">session.processing_results</code>' in timeline
