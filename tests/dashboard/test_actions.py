"""Reviewer actions on the session page: each calls a service and leaves an audit event."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from onboarding import services
from onboarding.models import CorrectionRequest, Event, Session
from onboarding.services.links import hash_token
from tests.dashboard.builders import REVIEW_STEPS, submit_all
from tests.factories import MembershipFactory, make_session, make_workflow, system


def post(client, name, session, data=None):
    return client.post(reverse(f"dashboard:{name}", args=[session.id]), data or {}, follow=True)


def events(session, action):
    return Event.objects.filter(session=session, action=action)


def test_approve(reviewer_client, reviewer, review_session):
    response = post(reviewer_client, "decide", review_session, {"status": "approved", "note": "All good"})
    assert "Session approved." in response.content.decode()
    review_session.refresh_from_db()
    assert (review_session.status, review_session.final_decision) == ("approved", "approved")
    event = events(review_session, "session.approve").get()
    assert (event.actor_label, event.note) == (reviewer.username, "All good")


def test_reject_with_reason_labels(reviewer_client, review_session):
    post(
        reviewer_client,
        "decide",
        review_session,
        {"status": "rejected", "reasons": ["watchlist_confirmed", "fraud_suspected"]},
    )
    review_session.refresh_from_db()
    assert review_session.status == "rejected"
    assert review_session.decision_reasons == ["watchlist_confirmed", "fraud_suspected"]
    assert events(review_session, "session.reject").get().data == {
        "reasons": ["watchlist_confirmed", "fraud_suspected"]
    }


def test_unknown_reason_label_is_refused(reviewer_client, review_session):
    response = post(reviewer_client, "decide", review_session, {"status": "rejected", "reasons": ["because"]})
    assert "not one of the available choices" in response.content.decode()
    review_session.refresh_from_db()
    assert review_session.status == "manual_review"


def test_send_a_processed_session_to_manual_review(reviewer_client, processed_session):
    post(reviewer_client, "decide", processed_session, {"status": "manual_review", "note": "Look closer"})
    processed_session.refresh_from_db()
    assert processed_session.status == "manual_review"
    assert events(processed_session, "session.send_to_manual_review").exists()


def test_reopen_needs_a_note(reviewer_client, review_session):
    post(reviewer_client, "decide", review_session, {"status": "approved"})
    response = post(reviewer_client, "decide", review_session, {"status": "manual_review"})
    assert "Reopening a decided session requires a note" in response.content.decode()
    review_session.refresh_from_db()
    assert review_session.status == "approved"
    post(reviewer_client, "decide", review_session, {"status": "manual_review", "note": "Customer complaint"})
    review_session.refresh_from_db()
    assert review_session.status == "manual_review"
    assert events(review_session, "session.reopen").get().note == "Customer complaint"


def test_deciding_in_the_wrong_status_names_the_status(reviewer_client, org, review_workflow):
    draft = make_session(org, review_workflow)
    response = post(reviewer_client, "decide", draft, {"status": "approved"})
    assert "Cannot approve: the session is draft." in response.content.decode()


def test_request_corrections_with_steps_fields_document_types_and_messages(reviewer_client, review_session):
    response = post(
        reviewer_client,
        "corrections",
        review_session,
        {
            "step": ["details", "bank"],
            "field:details": ["email"],
            "doctype:bank": ["rib"],
            "message": "Please check your email and upload your RIB.",
            "comment": "Internal: email bounced",
        },
    )
    assert "Corrections requested" in response.content.decode()
    review_session.refresh_from_db()
    assert review_session.status == "awaiting_client_correction"
    corrections = {c.step_id: c for c in CorrectionRequest.objects.filter(session=review_session)}
    assert corrections["details"].field_ids == ["email"]
    assert corrections["bank"].document_types == ["rib"]
    assert corrections["bank"].message == "Please check your email and upload your RIB."
    event = events(review_session, "session.request_corrections").get()
    assert event.note == "Internal: email bounced"
    assert set(review_session.verifications.values_list("status", flat=True)) == {"needs_correction"}


def test_corrections_need_a_step_and_a_message(reviewer_client, review_session):
    response = post(reviewer_client, "corrections", review_session, {"message": "x"})
    assert "Name at least one step" in response.content.decode()
    response = post(reviewer_client, "corrections", review_session, {"step": ["bank"], "message": ""})
    assert "Write a message for the applicant" in response.content.decode()
    review_session.refresh_from_db()
    assert review_session.status == "manual_review"


def test_resolve_a_verification_by_hand_needs_a_note(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow)
    services.links_generate(actor=system(org), session_id=session.id)
    verification = session.verifications.get(step_id="bank")
    response = post(reviewer_client, "resolve", session, {"verification_id": verification.id, "result": "passed"})
    assert "note" in response.content.decode()
    verification.refresh_from_db()
    assert verification.status == "awaiting_data"
    post(
        reviewer_client,
        "resolve",
        session,
        {"verification_id": verification.id, "result": "passed", "note": "Checked the account by phone"},
    )
    verification.refresh_from_db()
    assert (verification.status, verification.result) == ("done", "passed")
    assert events(session, "verification.resolve").get().note == "Checked the account by phone"


def test_resolving_a_verification_of_another_session_is_not_found(
    reviewer_client, org, review_workflow, review_session
):
    other = make_session(org, review_workflow)
    foreign = other.verifications.first()
    response = reviewer_client.post(
        reverse("dashboard:resolve", args=[review_session.id]),
        {"verification_id": foreign.id, "result": "passed", "note": "x"},
    )
    assert response.status_code == 404


def test_assign_to_me_to_a_colleague_and_set_priority(reviewer_client, reviewer, org, review_session):
    post(reviewer_client, "assign", review_session, {"assignee": "", "priority": 5, "to_me": "1"})
    review_session.refresh_from_db()
    assert (review_session.assigned_to, review_session.priority) == (reviewer, 5)
    colleague = MembershipFactory(organization=org).user
    post(reviewer_client, "assign", review_session, {"assignee": colleague.pk, "priority": 0})
    review_session.refresh_from_db()
    assert review_session.assigned_to == colleague
    assert events(review_session, "session.updated").count() == 2


def test_add_a_note(reviewer_client, review_session):
    post(reviewer_client, "note", review_session, {"note": "Waiting for a call back"})
    assert events(review_session, "session.note").get().note == "Waiting for a call back"


def test_extend_an_open_session(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow)
    before = session.expires_at
    response = post(reviewer_client, "extend", session, {"extend_days": 10, "comment": "On holiday"})
    assert "extended by 10 days" in response.content.decode()
    session.refresh_from_db()
    assert (session.expires_at - before).days == 10
    assert events(session, "session.extended").get().note == "On holiday"


def test_regenerate_links_shows_the_new_links_once(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow)
    response = reviewer_client.post(reverse("dashboard:links", args=[session.id]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    (link,) = response.context["links"]
    assert link.url in response.content.decode()
    applicant = session.applicants.get()
    assert applicant.link_token_hash == hash_token(link.token)
    assert events(session, "applicant.link_generated").count() == 1
    # The session page never shows a link again.
    assert link.token not in reviewer_client.get(reverse("dashboard:session", args=[session.id])).content.decode()


def test_links_of_a_decided_session_cannot_be_regenerated(reviewer_client, review_session):
    response = post(reviewer_client, "links", review_session)
    assert "Cannot generate links: the session is manual_review." in response.content.decode()


def test_cancel_an_open_session_with_a_reason(reviewer_client, reviewer, org, review_workflow):
    session = make_session(org, review_workflow)
    [link] = services.links_generate(actor=system(org), session_id=session.id)
    page = reviewer_client.get(reverse("dashboard:session", args=[session.id])).content.decode()
    assert reverse("dashboard:cancel", args=[session.id]) in page and "Confirm cancellation" in page
    response = post(reviewer_client, "cancel", session, {"note": "Customer withdrew the application"})
    assert "Session cancelled" in response.content.decode()
    assert reverse("dashboard:cancel", args=[session.id]) not in response.content.decode()  # nothing left to cancel
    session.refresh_from_db()
    assert session.status == "cancelled"
    event = events(session, "session.cancel").get()
    assert (event.actor_label, event.note) == (reviewer.username, "Customer withdrew the application")
    assert Client().get(f"/s/{link.token}/").status_code == 404  # the link died with the case


def test_cancel_needs_a_reason(reviewer_client, org, review_workflow):
    session = make_session(org, review_workflow)
    response = post(reviewer_client, "cancel", session, {"note": "  "})
    assert "Say why the session is cancelled." in response.content.decode()
    assert Session.objects.get(id=session.id).status == session.status


def test_a_session_in_review_cannot_be_cancelled(reviewer_client, review_session):
    page = reviewer_client.get(reverse("dashboard:session", args=[review_session.id])).content.decode()
    assert reverse("dashboard:cancel", args=[review_session.id]) not in page
    response = post(reviewer_client, "cancel", review_session, {"note": "Too late"})
    assert "the session is manual_review" in response.content.decode()
    assert Session.objects.get(id=review_session.id).status == "manual_review"


def test_mark_a_watchlist_hit_as_false_positive(reviewer_client, reviewer, review_session):
    response = post(
        reviewer_client,
        "false_positive",
        review_session,
        {"match_index": 0, "entity_id": "Q-1234", "note": "Different birth place"},
    )
    assert "false positive" in response.content.decode()
    review_session.refresh_from_db()
    watchlist = review_session.processing_results["external_validations"]["watchlist"]
    assert watchlist["matches"][0]["false_positive"]["note"] == "Different birth place"
    assert watchlist["matches"][0]["false_positive"]["by"] == reviewer.username
    assert watchlist["confirmed_match_count"] == 0 and watchlist["is_match"] is False
    event = events(review_session, "watchlist.false_positive").get()
    assert event.data["entity_id"] == "Q-1234"


def test_false_positive_for_a_stale_hit_is_not_found(reviewer_client, review_session):
    response = reviewer_client.post(
        reverse("dashboard:false_positive", args=[review_session.id]),
        {"match_index": 0, "entity_id": "Q-other", "note": "x"},
    )
    assert response.status_code == 404


def test_download_the_evidence_pack(reviewer_client, reviewer, review_session):
    post(reviewer_client, "decide", review_session, {"status": "approved", "note": "Fine"})
    response = reviewer_client.post(reverse("dashboard:evidence", args=[review_session.id]))
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{review_session.id}.json"'
    pack = json.loads(response.content)
    assert pack["session"]["id"] == str(review_session.id)
    assert pack["decision"]["status"] == "approved"
    assert pack["decision"]["decided_by"]["label"] == reviewer.username
    assert {v["step_id"] for v in pack["verifications"]} == {"details", "bank"}
    assert pack["workflow"]["version"] == 1
    assert pack["processing_results"]["external_validations"]["watchlist"]["match_count"] == 1
    actions = [e["action"] for e in pack["events"]]
    assert "session.approve" in actions and actions[-1] == "session.evidence_exported"
    assert all(len(e["hash"]) == 64 for e in pack["events"])


def test_download_the_evidence_pack_as_pdf(reviewer_client, review_session):
    response = reviewer_client.post(reverse("dashboard:evidence", args=[review_session.id]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert str(review_session.id) in text and "Audit trail" in text and "session.send_to_manual_review" in text
    assert events(review_session, "session.evidence_exported").get().data == {"format": "pdf"}


@pytest.mark.parametrize(
    "name, data",
    [
        ("decide", {"status": "approved"}),
        ("corrections", {"step": ["bank"], "message": "x"}),
        ("assign", {"priority": 1}),
        ("note", {"note": "x"}),
        ("extend", {"extend_days": 1}),
        ("links", {}),
        ("cancel", {"note": "x"}),
        ("false_positive", {"match_index": 0, "entity_id": "Q-1234", "note": "x"}),
    ],
)
def test_viewer_cannot_act(client, member, review_session, name, data):
    client.force_login(member("viewer"))
    response = client.post(reverse(f"dashboard:{name}", args=[review_session.id]), data)
    assert response.status_code == 403
    assert Session.objects.get(id=review_session.id).updated_at == review_session.updated_at


def test_actions_need_post(reviewer_client, review_session):
    assert reviewer_client.get(reverse("dashboard:decide", args=[review_session.id])).status_code == 405


def test_actions_need_the_csrf_token(reviewer, review_session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(reverse("dashboard:decide", args=[review_session.id]), {"status": "approved"})
    assert response.status_code == 403


def test_run_checks_of_a_completed_session(reviewer_client, org, django_capture_on_commit_callbacks):
    workflow = make_workflow(org, steps=REVIEW_STEPS, settings={"auto_process": False})
    session = make_session(org, workflow)
    services.links_generate(actor=system(org), session_id=session.id)
    with django_capture_on_commit_callbacks(execute=True):
        submit_all(session)
    session.refresh_from_db()
    assert session.status == "completed"
    assert "Run checks now" in reviewer_client.get(reverse("dashboard:session", args=[session.id])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post(reviewer_client, "process", session)
    session.refresh_from_db()
    assert session.status == "processed"
    assert events(session, "session.start_processing").get().actor_type == "user"


def test_admin_erases_personal_data_with_a_reason(client, member, review_session):
    client.force_login(member("reviewer"))
    assert client.post(reverse("dashboard:erase", args=[review_session.id]), {"note": "GDPR"}).status_code == 403
    client.force_login(member("admin"))
    post(client, "erase", review_session, {"note": "Data subject request #12"})
    review_session.refresh_from_db()
    assert review_session.data_anonymized and review_session.name == ""
    assert review_session.applicants.get().identity == {}
    assert events(review_session, "session.erased").get().note == "Data subject request #12"
