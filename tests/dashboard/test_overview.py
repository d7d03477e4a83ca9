"""Overview charts drawn from aggregate queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onboarding import selectors, services
from onboarding.models import Session
from tests.factories import make_session, system


def test_funnel_decisions_and_reason_codes(reviewer_client, org, review_session, review_workflow):
    services.session_decide(
        actor=system(org), session_id=review_session.id, status="rejected", reasons=["watchlist_confirmed"]
    )
    make_session(org, review_workflow, name="Just created")
    # Decided an hour ago, two hours after creation: both inside today's bar whatever the hour the suite runs.
    decided_at = timezone.now() - timedelta(hours=1)
    Session.objects.filter(id=review_session.id).update(
        created_at=decided_at - timedelta(hours=2), decided_at=decided_at
    )
    response = reviewer_client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    funnel = response.context["funnel"]
    assert (funnel["created"], funnel["submitted"], funnel["decided"]) == (2, 1, 1)
    assert [bar.label for bar in response.context["funnel_chart"].bars] == [
        "Created",
        "Link opened",
        "Submitted",
        "Decided",
    ]
    times = {bar.label: bar.value for bar in response.context["time_chart"].bars}
    assert times == {"1–4 h": 1}
    per_day = response.context["per_day_chart"]
    assert [bar.css for bar in per_day.bars] == ["rejected"]
    html = response.content.decode()
    assert html.count("<svg") >= 3 and "Decided" in html


def test_reason_codes_are_counted_over_verifications(org, review_session):
    review_session.verifications.filter(step_id="bank").update(status_codes=["iban_mismatch", "name_mismatch"])
    review_session.verifications.filter(step_id="details").update(status_codes=["name_mismatch"])
    codes = selectors.overview_reason_codes(selectors.sessions_for(system(org)))
    assert codes == [("name_mismatch", 2), ("iban_mismatch", 1)]


def test_overview_runs_constant_queries(reviewer_client, org, review_workflow, django_assert_max_num_queries):
    make_session(org, review_workflow)
    with CaptureQueriesContext(connection) as few:
        reviewer_client.get(reverse("dashboard:overview"))
    for _ in range(5):
        make_session(org, review_workflow)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(reverse("dashboard:overview"), {"days": "7"})


def test_sessions_outside_the_period_are_left_out(reviewer_client, org, review_workflow):
    old = make_session(org, review_workflow)
    Session.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=40))
    response = reviewer_client.get(reverse("dashboard:overview"), {"days": "30"})
    assert response.context["funnel"]["created"] == 0


def test_a_two_minute_decision_reads_in_minutes_and_reasons_read_as_words(reviewer_client, org, review_session):
    services.session_decide(actor=system(org), session_id=review_session.id, status="approved")
    Session.objects.filter(id=review_session.id).update(decided_at=review_session.created_at + timedelta(minutes=2))
    review_session.verifications.filter(step_id="bank").update(status_codes=["iban_mismatch"])
    html = reviewer_client.get(reverse("dashboard:overview")).content.decode()
    assert "<dd>2 minutes</dd>" in html and "0.0 h" not in html
    assert "IBAN does not match (iban_mismatch)" in html
