"""The list reads: search, counts and reason codes give the same answers on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding import selectors, services
from onboarding.models import Session
from onboarding.services.common import check_results_rebuild, session_counts_rebuild
from onboarding.services.daily_counts import daily_counts_rebuild
from tests.factories import make_session, make_workflow, system


@pytest.fixture
def greta(org, workflow):
    return make_session(
        org,
        workflow,
        name="Greta Lindqvist",
        reference_id="CUS-0042",
        applicants=[
            {"label": "Greta", "email": "g.lind@north.example"},
            {"label": "Tomas Okafor", "email": "tomas@okafor.example"},
        ],
    )


def search(org, q):
    return list(selectors.filter_sessions(selectors.sessions_for(system(org)), {"q": q}))


@pytest.mark.parametrize("q", ["lindq", "GRETA", "cus-004", "NORTH.EX", "okaf", "  Tomas Oka "])
def test_search_finds_a_session_by_part_of_its_name_reference_or_an_applicant_in_any_case(org, workflow, greta, q):
    make_session(org, workflow, name="Someone else", reference_id="CUS-0099")
    assert search(org, q) == [greta]


@pytest.mark.parametrize("probe", [2, 1000])
def test_a_search_lists_newest_first_and_counts_every_match_however_many(org, other_org, workflow, monkeypatch, probe):
    # Past SEARCH_PROBE matches, a listing tests the newest sessions one by one (on PostgreSQL).
    monkeypatch.setattr(selectors, "SEARCH_PROBE", probe)
    found = [make_session(org, workflow, name=f"Greta {n}") for n in range(2)]
    found.append(make_session(org, workflow, name="Other", applicants=[{"label": "Greta", "email": "o@example.org"}]))
    make_session(org, workflow, name="Someone else", reference_id="CUS-1")
    make_session(other_org, make_workflow(other_org), name="Greta elsewhere")
    sessions = selectors.sessions_for(system(org))
    listed = selectors.filter_sessions(sessions, {"q": "greta"}, listing=True).order_by("-created_at")
    assert list(listed) == found[::-1]
    assert selectors.session_counts(selectors.filter_sessions(sessions, {"q": "greta"}))["total"] == 3


def test_inbox_counts_stop_at_the_cap_however_the_sessions_are_found(org, workflow, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_PROBE", 3)
    for n in range(3):
        make_session(org, workflow, name=f"Client {n}", applicants=[{"label": "Greta", "email": f"g{n}@example.org"}])
    sessions = selectors.sessions_for(system(org))
    capped, _ = selectors.inbox_read(sessions, {"q": "greta"})
    assert (capped["total"], capped["capped"], capped["inbox_counts"]["incomplete"]) == (3, True, None)
    exact, _ = selectors.inbox_read(sessions, {"q": "client 1"})
    assert (exact["total"], exact["capped"], exact["inbox_counts"]["incomplete"]) == (1, False, 1)


def test_search_stays_in_the_organization_and_the_filters(org, other_org, workflow, greta):
    make_session(other_org, make_workflow(other_org), name="Greta Lindqvist", applicants=[{"email": "g@north.example"}])
    assert search(org, "north") == [greta]
    drafts = selectors.filter_sessions(selectors.sessions_for(system(org)), {"q": "greta", "status": "active"})
    assert list(drafts) == []


def test_counts_per_status_and_inbox_with_the_risk_average_in_one_query(
    org, workflow, greta, django_assert_num_queries
):
    other = make_session(org, workflow, name="Scored")
    Session.objects.filter(id=other.id).update(risk_score=40)
    Session.objects.filter(id=greta.id).update(risk_score=45)
    make_session(org, workflow, name="Unscored")
    with django_assert_num_queries(1):
        counts = selectors.session_counts(selectors.sessions_for(system(org)))
    assert counts["total"] == 3 and counts["status_counts"]["draft"] == 3
    assert counts["inbox_counts"]["incomplete"] == 3 and counts["inbox_counts"]["pending"] == 0
    assert (counts["avg_risk_score"], counts["sessions_with_risk_score"]) == (42.5, 2)


def test_reason_codes_are_the_most_frequent_first_then_by_code(org, workflow, greta):
    verifications = list(greta.verifications.order_by("step_id"))
    codes = [["name_mismatch", "underage"], ["underage"], ["iban_invalid", "underage", "name_mismatch"]]
    for verification, reasons in zip(verifications, codes):
        type(verification).objects.filter(id=verification.id).update(status_codes=reasons)
    daily_counts_rebuild(org.id)
    assert selectors.overview_reason_codes(system(org), timezone.localdate(), limit=2) == [
        ("underage", 3),
        ("name_mismatch", 2),
    ]


def test_stored_counts_equal_a_recount_after_creations_and_transitions(org, other_org, workflow, greta):
    actor = system(org)
    active, cancelled, expired = (make_session(org, workflow, name=name) for name in ("A", "C", "E"))
    sandbox = make_session(org, make_workflow(org, environment="sandbox"), name="S")
    make_session(other_org, make_workflow(other_org), name="Elsewhere")
    for session in (active, cancelled, expired, sandbox):
        services.links_generate(actor=actor, session_id=session.id)
    services.session_cancel(actor=actor, session_id=cancelled.id, reason="duplicate")
    Session.objects.filter(id=expired.id).update(expires_at=timezone.now() - timedelta(days=1))
    services.sessions_expire()
    for environment in ("", "live", "sandbox"):
        sessions = selectors.sessions_for(actor)
        if environment:
            sessions = sessions.filter(environment=environment)
        top_level = selectors.filter_sessions(sessions, {})
        stored = selectors.session_counts(top_level, risk=False, stored=(actor, environment))
        assert stored == selectors.session_counts(top_level, risk=False)
    counts = selectors.session_counts(selectors.filter_sessions(selectors.sessions_for(actor), {}), stored=(actor, ""))
    assert counts["status_counts"] | {"draft": 0} == dict.fromkeys(counts["status_counts"], 0) | {
        "active": 2,
        "cancelled": 1,
        "expired": 1,
    }
    assert counts["status_counts"]["draft"] == 1


def test_a_rebuild_counts_rows_written_outside_the_services(org, workflow, greta):
    Session.objects.bulk_create(
        [Session(organization=org, workflow=workflow, workflow_version=greta.workflow_version, name="Loaded")]
    )
    session_counts_rebuild(org.id)
    top_level = selectors.filter_sessions(selectors.sessions_for(system(org)), {})
    stored = selectors.session_counts(top_level, stored=(system(org), ""))
    assert stored == selectors.session_counts(top_level) and stored["total"] == 2


def test_a_rebuild_counts_check_results_written_outside_the_services(org, other_org, workflow, greta):
    # A bulk load sets results on the rows: two applicants' identity steps, one passed, one failed.
    identities = list(greta.verifications.filter(type="identity_document").order_by("created_at"))
    for verification, result in zip(identities, ["passed", "failed"]):
        type(verification).objects.filter(pk=verification.pk).update(result=result)
    others = make_session(other_org, make_workflow(other_org))
    others.verifications.update(result="passed")
    check_results_rebuild(org.id)
    greta.refresh_from_db()
    assert greta.check_results == {"identity_document": {"failed": 1, "passed": 1}}
    summary = selectors.session_summary(selectors.filter_sessions(selectors.sessions_for(system(org)), {"q": "greta"}))
    assert summary["validation_counts"] == {"identity_document": {"failed": 1, "passed": 1}}
    others.refresh_from_db()
    assert others.check_results == {}  # another organization's rows are left to its own rebuild
    greta.verifications.update(result="")  # results cleared outside the services
    check_results_rebuild(org.id)
    greta.refresh_from_db()
    assert greta.check_results == {}
