"""Inboxes: live counts, filters, search, sort, pagination, assignment, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.forms import PAGE_SIZE
from onboarding import selectors, services
from onboarding.models import INBOXES, Event, Session
from onboarding.services.common import session_counts_rebuild
from tests.dashboard.builders import blocked_session
from tests.factories import MembershipFactory, make_session, make_workflow, system


@pytest.fixture
def sessions(org, review_workflow):
    """Four sessions across inboxes: two drafts (one tagged), one active, one expired."""
    actor = system(org)
    draft = make_session(org, review_workflow, name="Bea Draft", reference_id="ref-draft")
    other = make_session(org, make_workflow(org, name="Business"), name="Carl Other", reference_id="ref-other")
    active = make_session(
        org,
        review_workflow,
        name="Dora Active",
        reference_id="ref-active",
        applicants=[{"label": "Dora", "email": "dora@example.org"}],
    )
    services.links_generate(actor=actor, session_id=active.id)
    expired = make_session(org, review_workflow, name="Emil Expired")
    Session.objects.filter(id=expired.id).update(expires_at=timezone.now() - timedelta(days=1))
    services.sessions_expire()
    return {"draft": draft, "other": other, "active": active, "expired": expired}


def names(response):
    return {s.name for s in response.context["page"].object_list}


def test_counts_per_inbox_are_shown_on_each_tab(reviewer_client, sessions, review_session):
    response = reviewer_client.get(reverse("dashboard:inbox"))
    tabs = {key or "all": count for key, _, count in response.context["tabs"]}
    assert tabs["all"] == 5
    assert tabs["incomplete"] == 3  # two drafts and the expired one
    assert tabs["pending"] == 1
    assert tabs["manual_review"] == 1
    assert tabs["approved"] == 0


def test_inbox_lists_only_its_sessions(reviewer_client, sessions, review_session):
    response = reviewer_client.get(reverse("dashboard:inbox"), {"inbox": "manual_review"})
    assert names(response) == {"Anna Eriksson"}
    response = reviewer_client.get(reverse("dashboard:inbox"), {"inbox": "incomplete"})
    assert names(response) == {"Bea Draft", "Carl Other", "Emil Expired"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "ref-act"}, {"Dora Active"}),
        ({"q": "dora@example"}, {"Dora Active"}),
        ({"q": "Emil"}, {"Emil Expired"}),
    ],
)
def test_search_by_name_reference_or_email(reviewer_client, sessions, query, expected):
    assert names(reviewer_client.get(reverse("dashboard:inbox"), query)) == expected


def test_filter_by_workflow_risk_and_date(reviewer_client, sessions, review_session, review_workflow):
    response = reviewer_client.get(reverse("dashboard:inbox"), {"workflow": str(sessions["other"].workflow_id)})
    assert names(response) == {"Carl Other"}
    Session.objects.filter(id=review_session.id).update(risk_score=45)
    response = reviewer_client.get(reverse("dashboard:inbox"), {"risk_min": 40, "risk_max": 50})
    assert names(response) == {"Anna Eriksson"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert names(reviewer_client.get(reverse("dashboard:inbox"), {"created_from": tomorrow})) == set()
    today = timezone.localdate().isoformat()
    assert len(names(reviewer_client.get(reverse("dashboard:inbox"), {"created_to": today}))) == 5


def test_filter_by_assignee_and_tag(reviewer_client, reviewer, org, sessions):
    services.session_update(actor=system(org), session_id=sessions["draft"].id, assigned_to=reviewer.pk)
    assert names(reviewer_client.get(reverse("dashboard:inbox"), {"assignee": "me"})) == {"Bea Draft"}
    assert "Bea Draft" not in names(reviewer_client.get(reverse("dashboard:inbox"), {"assignee": "none"}))
    Session.objects.filter(id=sessions["other"].id).update(custom_tags=["vip"])
    assert names(reviewer_client.get(reverse("dashboard:inbox"), {"tag": "vip"})) == {"Carl Other"}


def test_sort_by_priority(reviewer_client, org, sessions):
    services.session_update(actor=system(org), session_id=sessions["expired"].id, priority=50)
    response = reviewer_client.get(reverse("dashboard:inbox"), {"sort": "-priority"})
    assert response.context["page"].object_list[0].name == "Emil Expired"


def test_invalid_filter_is_reported_not_fatal(reviewer_client, sessions):
    response = reviewer_client.get(reverse("dashboard:inbox"), {"risk_min": "lots"})
    assert response.status_code == 200
    assert "Some filters were ignored" in response.content.decode()


def test_assign_ticked_sessions_to_me_and_to_a_colleague(reviewer_client, reviewer, org, sessions):
    colleague = MembershipFactory(organization=org).user
    ids = [str(sessions["draft"].id), str(sessions["active"].id)]
    reviewer_client.post(reverse("dashboard:bulk_assign"), {"session": ids, "assignee": "me"})
    assert set(Session.objects.filter(assigned_to=reviewer).values_list("name", flat=True)) == {
        "Bea Draft",
        "Dora Active",
    }
    reviewer_client.post(
        reverse("dashboard:bulk_assign"), {"session": ids[:1], "assignee": colleague.pk, "priority": "10"}
    )
    draft = Session.objects.get(id=ids[0])
    assert (draft.assigned_to, draft.priority) == (colleague, 10)
    assert Event.objects.filter(session=draft, action="session.updated").count() == 2


def test_assigning_to_a_stranger_changes_nothing(reviewer_client, sessions):
    stranger = MembershipFactory().user
    ids = [str(sessions["draft"].id), str(sessions["active"].id)]
    response = reviewer_client.post(
        reverse("dashboard:bulk_assign"), {"session": ids, "assignee": stranger.pk}, follow=True
    )
    assert "Not a member of this organization" in response.content.decode()
    assert not Session.objects.filter(assigned_to__isnull=False).exists()


def test_viewer_cannot_assign(client, member, sessions):
    client.force_login(member("viewer"))
    response = client.post(reverse("dashboard:bulk_assign"), {"session": [str(sessions["draft"].id)], "assignee": "me"})
    assert response.status_code == 403


def test_pagination(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow, name="Copy")
    Session.objects.bulk_create(
        [
            Session(
                organization=org, workflow=session.workflow, workflow_version=session.workflow_version, name=f"Copy {i}"
            )
            for i in range(PAGE_SIZE)
        ]
    )
    session_counts_rebuild(org.id)  # the rows above bypassed the services that keep the counts
    first = reviewer_client.get(reverse("dashboard:inbox"))
    assert len(first.context["page"].object_list) == PAGE_SIZE
    second = reviewer_client.get(reverse("dashboard:inbox"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def _add_sessions(org, workflow, count):
    for index in range(count):
        session = make_session(
            org, workflow, name=f"Bulk {index}", applicants=[{"label": "A"}, {"label": "B", "type": "legal_person"}]
        )
        services.links_generate(actor=system(org), session_id=session.id)
    Session.objects.filter(organization=org).update(risk_score=F("priority") + 40)


def test_inbox_runs_the_same_number_of_queries_for_few_and_many_sessions(
    reviewer_client, org, review_workflow, django_assert_max_num_queries
):
    _add_sessions(org, review_workflow, 2)
    with CaptureQueriesContext(connection) as few:
        reviewer_client.get(reverse("dashboard:inbox"), {"q": "Bulk"})
    _add_sessions(org, review_workflow, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = reviewer_client.get(reverse("dashboard:inbox"), {"q": "Bulk"})
    assert len(response.context["page"].object_list) == 14


def test_counts_endpoint_follows_the_filters(reviewer_client, sessions, review_session):
    counts = reviewer_client.get(reverse("dashboard:inbox_counts")).json()
    assert (counts["all"], counts["incomplete"], counts["manual_review"]) == (5, 3, 1)
    assert reviewer_client.get(reverse("dashboard:inbox_counts"), {"q": "Emil"}).json()["incomplete"] == 1


def test_tabs_are_named_by_the_work_and_blocked_applicants_are_marked(
    reviewer_client, org, processed_session, run_on_commit
):
    blocked, _ = blocked_session(org)
    response = reviewer_client.get(reverse("dashboard:inbox"))
    tabs = {key: (str(label), count) for key, label, count in response.context["tabs"]}
    assert set(tabs) == {"", *INBOXES}
    assert tabs["completed"] == ("To review", 1)  # processed, waiting for a person
    assert tabs["pending"] == ("With the applicant or checks", 1)
    html = response.content.decode()
    assert "Recommended: Approved" in html and "Processed / approved" not in html
    assert response.context["blocked"] == 1 and 'id="blocked-count" data-count="blocked">1</span>' in html
    assert '<span class="tag blocked">blocked</span>' in html
    assert names(reviewer_client.get(reverse("dashboard:inbox"), {"blocked": "on"})) == {blocked.name}


def test_the_live_refresh_counts_what_the_page_counts_blocked_applicants_included(
    reviewer_client, org, processed_session, run_on_commit
):
    blocked_session(org)
    for query in ({}, {"blocked": "on"}, {"q": "nobody by that name"}):
        page = reviewer_client.get(reverse("dashboard:inbox"), query).context
        polled = reviewer_client.get(reverse("dashboard:inbox_counts"), query).json()
        assert polled == {**{key or "all": count for key, _, count in page["tabs"]}, "blocked": page["blocked"]}
    assert reviewer_client.get(reverse("dashboard:inbox_counts")).json()["blocked"] == 1


def _gretas(org, workflow, count, **kwargs):
    return [make_session(org, workflow, name=f"Greta {index}", **kwargs) for index in range(count)]


def test_a_search_matching_more_than_the_cap_shows_it_capped_and_no_inbox_count(
    reviewer_client, org, review_workflow, monkeypatch, run_on_commit
):
    monkeypatch.setattr(selectors, "SEARCH_PROBE", 3)
    gretas = _gretas(org, review_workflow, 4)
    blocked, _ = blocked_session(org)
    Session.objects.filter(id=blocked.id).update(name="Greta Blocked")
    make_session(org, review_workflow, name="Someone else")
    response = reviewer_client.get(reverse("dashboard:inbox"), {"q": "greta"})
    tabs = {key or "all": count for key, _, count in response.context["tabs"]}
    assert tabs == {"all": "3+", **dict.fromkeys(INBOXES, "")}
    assert response.context["blocked"] == 1  # still counted, from its applicant
    html = response.content.decode()
    assert 'data-count="all">3+</span>' in html and 'data-count="pending"></span>' in html
    assert "3 or more sessions match: the newest are listed first." in html
    assert "5 sessions" not in html
    assert names(response) == {"Greta Blocked", *(g.name for g in gretas)}
    polled = reviewer_client.get(reverse("dashboard:inbox_counts"), {"q": "greta"}).json()
    assert polled == {**tabs, "blocked": 1}
    services.links_generate(actor=system(org), session_id=gretas[0].id)
    pending = reviewer_client.get(reverse("dashboard:inbox"), {"q": "greta", "inbox": "pending"})
    assert pending.context["tabs"][0][2] == "3+" and names(pending) == {gretas[0].name, "Greta Blocked"}


def test_below_the_cap_a_search_is_counted_exactly_in_each_inbox(reviewer_client, org, review_workflow, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_PROBE", 3)
    _gretas(org, review_workflow, 2)
    make_session(org, review_workflow, name="Other", applicants=[{"label": "A", "email": "greta@example.org"}])
    make_session(org, review_workflow, name="Someone else")
    response = reviewer_client.get(reverse("dashboard:inbox"), {"q": "greta"})
    tabs = {key or "all": count for key, _, count in response.context["tabs"]}
    assert (tabs["all"], tabs["incomplete"], tabs["pending"]) == (3, 3, 0)
    html = response.content.decode()
    assert "3 sessions" in html and "or more sessions match" not in html


def test_matches_of_another_organization_or_environment_never_reach_the_cap(
    reviewer_client, org, other_org, review_workflow, monkeypatch
):
    monkeypatch.setattr(selectors, "SEARCH_PROBE", 3)
    [mine] = _gretas(org, review_workflow, 1)
    _gretas(other_org, make_workflow(other_org), 4, applicants=[{"label": "Greta", "email": "greta@example.org"}])
    sandbox = _gretas(org, review_workflow, 4, applicants=[{"label": "Greta", "email": "greta@example.org"}])
    Session.objects.filter(id__in=[s.id for s in sandbox]).update(environment="sandbox")
    response = reviewer_client.get(reverse("dashboard:inbox"), {"q": "greta", "environment": "live"})
    tabs = {key or "all": count for key, _, count in response.context["tabs"]}
    assert (tabs["all"], tabs["incomplete"]) == (1, 1)
    assert names(response) == {mine.name}
    everywhere = reviewer_client.get(reverse("dashboard:inbox"), {"q": "greta"})
    assert everywhere.context["tabs"][0][2] == "3+"
    assert names(everywhere) == {mine.name, *(s.name for s in sandbox)}
