"""Overview charts drawn from aggregate queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onboarding import selectors, services
from onboarding.models import DailyReasonCount, DailySessionCount, DailyVerificationCount, Session
from onboarding.services.daily_counts import daily_counts_rebuild, daily_counts_refresh
from tests.factories import make_session, make_workflow, system


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
    daily_counts_rebuild(org.id)
    codes = selectors.overview_reason_codes(system(org), timezone.localdate())
    assert codes == [("name_mismatch", 2), ("iban_mismatch", 1)]


def test_overview_runs_constant_queries(reviewer_client, org, review_workflow, django_assert_max_num_queries):
    daily_counts_refresh(org.id)
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


def daily_counts(organization):
    """Every daily count row of the organization, comparable whatever their ids."""
    rows = []
    for model in (DailySessionCount, DailyVerificationCount, DailyReasonCount):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows += [(model.__name__, *row) for row in model.objects.filter(organization=organization).values_list(*fields)]
    return sorted(rows, key=repr)


def test_kept_counts_equal_a_recount_after_each_change(
    reviewer_client, org, other_org, review_workflow, processed_session
):
    actor = system(org)
    elsewhere = make_session(other_org, make_workflow(other_org), name="Elsewhere")
    services.links_generate(actor=system(other_org), session_id=elsewhere.id)
    daily_counts_refresh(other_org.id)
    other_counts = daily_counts(other_org)
    # A session created twelve days ago: its changes recount that day, not today.
    old = make_session(org, review_workflow, name="Old")
    Session.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=12))
    daily_counts_rebuild(org.id)
    verification = processed_session.verifications.get(step_id="bank")
    changes = [
        lambda: services.links_generate(actor=actor, session_id=old.id),
        lambda: services.applicant_open(actor=actor, applicant_id=old.applicants.get().id),
        lambda: services.verification_resolve(
            actor=actor, verification_id=verification.id, result="failed", note="IBAN belongs to someone else"
        ),
        lambda: services.session_decide(
            actor=actor, session_id=processed_session.id, status="rejected", reasons=["iban_mismatch"]
        ),
        lambda: services.session_cancel(actor=actor, session_id=old.id, reason="duplicate"),
        lambda: make_session(org, review_workflow, name="New"),
    ]
    top_level = selectors.filter_sessions(selectors.sessions_for(actor), {})
    for change in changes:
        change()
        daily_counts_refresh(org.id)
        kept = daily_counts(org)
        daily_counts_rebuild(org.id)
        assert kept == daily_counts(org), change
        assert selectors.session_counts(top_level, stored=(actor, "")) == selectors.session_counts(top_level)
    assert daily_counts(other_org) == other_counts
    funnel = reviewer_client.get(reverse("dashboard:overview")).context["funnel"]
    assert (funnel["created"], funnel["decided"]) == (3, 1) and funnel["opened"] >= 1


def test_the_overview_counts_only_the_organizations_sessions(reviewer_client, org, other_org, review_workflow):
    make_session(org, review_workflow, name="Ours")
    theirs = make_workflow(other_org)
    for _ in range(3):
        make_session(other_org, theirs)
    daily_counts_refresh(other_org.id)
    response = reviewer_client.get(reverse("dashboard:overview"))
    assert response.context["funnel"]["created"] == 1
    assert response.context["summary"]["total"] == 1
