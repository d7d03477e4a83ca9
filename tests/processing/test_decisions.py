"""What processing decides: watchlist hits, sandbox outcomes, re-validation, crashed workers."""

import pytest
from django.db import OperationalError

from onboarding import services, tasks
from onboarding.actors import Actor
from onboarding.errors import NotFound
from onboarding.models import Session, Verification
from onboarding.services.screening import session_revalidate, watchlist_mark_false_positive
from onboarding.watchlist import WatchlistRecord, load_records
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db

ANNA_LISTED = WatchlistRecord(
    entity_id="eu-42",
    name="Anna Maria ERIKSSON",
    birth_dates=["1974-08-12"],
    countries=["se"],
    lists=["EU Financial Sanctions"],
)


def form_session(org, settings=None, **kwargs):
    workflow = make_workflow(
        org, steps=FORM_ONLY_STEPS, settings=settings or {}, environment=kwargs.get("environment", "live")
    )
    session = make_session(org, workflow, **kwargs)
    services.links_generate(actor=system(org), session_id=session.id)
    return Session.objects.get(id=session.id)


def submit(session):
    verification = session.verifications.get(step_id="details")
    services.verification_submit(
        actor=Actor.for_applicant(verification.applicant),
        verification_id=verification.id,
        data={"email": "anna@example.com"},
    )
    session.refresh_from_db()
    return session


def listed(org, *records):
    load_records(org, records or [ANNA_LISTED], "eu", "2026-11-20")


def test_watchlist_hit_sends_to_review_even_with_auto_decide(org, run_on_commit):
    listed(org)
    session = submit(form_session(org, settings={"auto_decide": True}))
    watchlist = session.processing_results["external_validations"]["watchlist"]
    assert watchlist["is_match"] is True and watchlist["match_count"] == 1
    match = watchlist["matches"][0]
    assert (match["entity_id"], match["lists"], match["dataset"]) == ("eu-42", ["EU Financial Sanctions"], "eu")
    assert match["score"] >= 0.9 and match["applicant_id"] == str(session.applicants.get().id)
    assert watchlist["screened"][0]["name"] == "Anna Maria Eriksson"
    assert session.risk_score >= 70
    assert session.status == "manual_review"


def test_namesake_with_another_birth_date_is_no_match(org, run_on_commit):
    listed(
        org, WatchlistRecord(entity_id="x", name="Anna Maria Eriksson", birth_dates=["1990-01-01"], countries=["ru"])
    )
    session = submit(form_session(org))
    assert session.processing_results["external_validations"]["watchlist"]["is_match"] is False
    assert session.final_decision == "approved"


def test_watchlist_validation_off_screens_nobody(org, run_on_commit):
    listed(org)
    session = submit(form_session(org, settings={"validations": {"watchlist": False}}))
    assert "external_validations" not in session.processing_results
    assert session.final_decision == "approved"


@pytest.mark.parametrize("outcome", ["rejected", "manual_review", "flagged"])
def test_sandbox_session_simulates_the_requested_outcome(org, run_on_commit, outcome):
    session = submit(form_session(org, environment="sandbox", metadata={"simulate_outcome": outcome}))
    assert session.processing_results["final_decision"] == outcome == session.final_decision
    # the pipeline still ran for real
    assert session.processing_results["extraction_results"][0]["result"] == "passed"


def test_live_session_ignores_simulated_outcome(org, run_on_commit):
    session = submit(form_session(org, metadata={"simulate_outcome": "rejected"}))
    assert session.final_decision == "approved"


def test_revalidate_screens_again_against_a_new_list(org, run_on_commit):
    session = submit(form_session(org))
    assert session.processing_results["external_validations"]["watchlist"]["is_match"] is False
    listed(org)
    session = session_revalidate(actor=system(org), session_id=session.id)
    results = session.processing_results
    assert results["external_validations"]["watchlist"]["is_match"] is True
    assert results["risk_score"] == session.risk_score >= 70
    assert results["final_decision"] == "manual_review"
    assert session.status == "processed"  # a reviewer decides what to do with it
    assert session.events.filter(action="session.revalidated").exists()


def test_a_hit_marked_false_positive_stays_dismissed_after_revalidation(org, run_on_commit):
    listed(org)
    session = submit(form_session(org))
    results = session.processing_results
    mark = {"by": "reviewer", "at": "2026-11-23T10:00:00+00:00", "note": "born elsewhere"}
    results["external_validations"]["watchlist"]["matches"][0]["false_positive"] = mark
    Session.objects.filter(id=session.id).update(processing_results=results)
    session = session_revalidate(actor=system(org), session_id=session.id)
    watchlist = session.processing_results["external_validations"]["watchlist"]
    assert watchlist["is_match"] is False
    assert (watchlist["match_count"], watchlist["confirmed_match_count"]) == (1, 0)
    assert watchlist["matches"][0]["false_positive"] == mark


def test_dismissing_the_only_hit_lowers_the_risk_score(org, run_on_commit):
    listed(org)
    session = submit(form_session(org))
    assert session.risk_score >= 70 and session.processing_results["final_decision"] == "manual_review"
    watchlist_mark_false_positive(
        actor=system(org), session_id=session.id, match_index=0, entity_id="eu-42", note="born elsewhere"
    )
    session.refresh_from_db()
    assert session.risk_score < 30 and session.risk_level == "low"
    assert session.processing_results["risk_score"] == session.risk_score
    assert session.processing_results["final_decision"] == "approved"
    assert session.processing_results["external_validations"]["watchlist"]["is_match"] is False


def test_revalidate_is_scoped_to_the_tenant(org, other_org, run_on_commit):
    session = submit(form_session(org))
    with pytest.raises(NotFound):
        session_revalidate(actor=system(other_org), session_id=session.id)


def test_check_left_processing_by_a_killed_worker_is_taken_up_again(org, django_capture_on_commit_callbacks):
    session = form_session(org)
    verification = session.verifications.get(step_id="details")
    verification.data = {"submitted": {"email": "anna@example.com"}}
    verification.save()
    # What a worker killed mid-check leaves behind: the claim made, nothing recorded.
    Verification.objects.filter(id=verification.id).update(status="processing")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_verification.delay(str(verification.id))  # the broker redelivers the unacked task
    session.refresh_from_db()
    verification.refresh_from_db()
    assert (verification.status, verification.result) == ("done", "passed")
    assert session.status == "processed" and session.final_decision == "approved"


def test_running_a_check_task_twice_changes_nothing(org, run_on_commit):
    session = submit(form_session(org))
    verification = session.verifications.get()
    events = session.events.count()
    tasks.check_verification.delay(str(verification.id))
    tasks.process_session.delay(str(session.id))
    session.refresh_from_db()
    assert session.events.count() == events and session.status == "processed"


def test_tasks_ack_late_retry_with_backoff_and_prefetch_one():
    from config.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    for task in (tasks.check_verification, tasks.process_session):
        assert task.retry_backoff and task.max_retries
        assert {OSError, ConnectionError, OperationalError} <= set(task.autoretry_for)
