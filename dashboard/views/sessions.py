"""The session page and the reviewer's actions on it. Each action is a POST calling one service."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.access import can_decide, dashboard_view, is_admin
from dashboard.documents import document_view
from dashboard.forms import (
    AssignForm,
    DecisionForm,
    ExtendForm,
    FalsePositiveForm,
    NoteForm,
    ResolveForm,
    UnblockForm,
    corrections_from_post,
)
from dashboard.presenters import outcome, step_views, timeline, watchlist_hits
from dashboard.views.common import error_text, form_errors, members_of, perform
from onboarding import services
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.evidence_pdf import render_evidence_pdf
from onboarding.labels import result_label
from onboarding.models import Role, VerificationResult
from onboarding.selectors import next_for_review, session_allowed_actions, session_detail_queryset, session_events
from onboarding.services.evidence import evidence_pack_export
from onboarding.services.screening import watchlist_mark_false_positive


def _session(request, session_id):
    session = session_detail_queryset(request.actor).filter(id=session_id).first()
    if session is None:
        raise Http404("Session not found.")
    return session


def _verification(request, session_id, verification_id):
    # The verification must belong to this session (and so to this organization).
    verification = _session(request, session_id).verifications.filter(id=verification_id).first()
    if verification is None:
        raise Http404("Verification not found.")
    return verification


@dashboard_view()
def session_detail(request, session_id):
    session = _session(request, session_id)
    applicants = [(applicant, step_views(session, applicant, document_view)) for applicant in session.applicants.all()]
    watchlist, hits = watchlist_hits(session)
    events = timeline(session, session_events(session).order_by("-sequence"))
    members = list(members_of(request.organization))
    results = session.processing_results or {}
    actions = session_allowed_actions(session)
    # One correction choice per step, whichever applicants have it.
    correction_steps = list({view.verification.step_id: view for _, views in applicants for view in views}.values())
    return render(
        request,
        "dashboard/session.html",
        {
            "session": session,
            "applicants": applicants,
            "watchlist": watchlist,
            "watchlist_hits": hits,
            "open_hits": sum(1 for hit in hits if not hit["false_positive"]),
            "face_match": results.get("face_match_result"),
            "outcome": outcome(session),
            "result_choices": VerificationResult.values,
            "cross_validation": results.get("cross_validation"),
            "events": events,
            "next_session": next_for_review(request.actor, request.user, session.id),
            "corrections": session.corrections.all(),
            "correction_steps": correction_steps,
            "subsessions": session.subsessions.only("id", "name", "status", "reference_id").order_by("created_at"),
            "can_decide": can_decide(request),
            "is_admin": is_admin(request),
            "decision_form": DecisionForm(),
            "assign_form": AssignForm(
                members=members, initial={"assignee": str(session.assigned_to_id or ""), "priority": session.priority}
            ),
            "note_form": NoteForm(),
            "extend_form": ExtendForm(),
            "can": {
                "approve": "approve" in actions,
                "manual_review": "send_to_manual_review" in actions,
                "reopen": "reopen" in actions,
                "correct": "request_corrections" in actions,
                "process": "process" in actions,
                "links": "generate_links" in actions,
                "extend": "extend" in actions,
                "cancel": "cancel" in actions,
            },
        },
    )


def _back_to(session_id):
    return redirect("dashboard:session", session_id)


def _act(request, session_id, form, call, done, invalid=""):
    """A reviewer's action on a session: the posted form checked (`invalid`, or its errors, when
    it is not), `call(cleaned_data)` run as a service call and `done` (a message, or one made from
    the cleaned data and what the service returned) reported; back to the session's page."""
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
    else:
        data = form.cleaned_data
        perform(request, lambda: call(data), done if isinstance(done, str) else lambda result: done(data, result))
    return _back_to(session_id)


@dashboard_view(role=Role.REVIEWER)
@require_POST
def decide(request, session_id):
    """Approve, reject, send to manual review, or reopen a decided session (the service requires its note)."""
    return _act(
        request,
        session_id,
        DecisionForm(request.POST),
        lambda data: services.session_decide(
            actor=request.actor,
            session_id=session_id,
            status=data["status"],
            note=data["note"],
            reasons=data["reasons"],
        ),
        lambda data, _session: {
            "approved": _("Session approved."),
            "rejected": _("Session rejected."),
            "manual_review": _("Session is in manual review."),
        }[data["status"]],
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def process(request, session_id):
    """Run the checks of a completed session (for workflows that do not process automatically)."""
    perform(
        request,
        lambda: services.session_process(actor=request.actor, session_id=session_id),
        _("Checks started; results appear here when they are done."),
    )
    return _back_to(session_id)


@dashboard_view(role=Role.REVIEWER)
@require_POST
def request_corrections(request, session_id):
    corrections = corrections_from_post(request.POST)
    perform(
        request,
        lambda: services.session_request_corrections(
            actor=request.actor,
            session_id=session_id,
            corrections=corrections,
            comment=request.POST.get("comment", "").strip(),
        ),
        _("Corrections requested; the applicant’s link opens the chosen steps again."),
    )
    return _back_to(session_id)


@dashboard_view(role=Role.REVIEWER)
@require_POST
def resolve(request, session_id):
    return _act(
        request,
        session_id,
        ResolveForm(request.POST),
        lambda data: services.verification_resolve(
            actor=request.actor,
            verification_id=_verification(request, session_id, data["verification_id"]).id,
            result=data["result"],
            note=data["note"],
        ),
        lambda data, verification: (
            _("Step %(step)s: result set to %(result)s.")
            % {"step": verification.step_id, "result": result_label(data["result"])}
        ),
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def unblock(request, session_id):
    """Grant a blocked step more attempts."""
    return _act(
        request,
        session_id,
        UnblockForm(request.POST),
        lambda data: services.verification_unblock(
            actor=request.actor,
            verification_id=_verification(request, session_id, data["verification_id"]).id,
            note=data["note"],
        ),
        lambda data, verification: _("The applicant can send “%(step)s” again.") % {"step": verification.step_id},
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def assign(request, session_id):
    return _act(
        request,
        session_id,
        AssignForm(request.POST, members=members_of(request.organization)),
        lambda data: services.session_update(
            actor=request.actor,
            session_id=session_id,
            assigned_to=(request.user.pk if request.POST.get("to_me") else data["assignee"]) or None,
            priority=data["priority"],
        ),
        _("Assignment saved."),
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def add_note(request, session_id):
    return _act(
        request,
        session_id,
        NoteForm(request.POST),
        lambda data: services.session_add_note(actor=request.actor, session_id=session_id, note=data["note"]),
        _("Note added."),
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def extend(request, session_id):
    return _act(
        request,
        session_id,
        ExtendForm(request.POST),
        lambda data: services.session_extend(
            actor=request.actor, session_id=session_id, extend_days=data["extend_days"], comment=data["comment"]
        ),
        lambda data, _session: _("Session extended by %(days)d days.") % {"days": data["extend_days"]},
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def cancel(request, session_id):
    """Call the case off (the API's POST /sessions/{id}/cancel): links die, data stays, nothing follows."""
    return _act(
        request,
        session_id,
        NoteForm(request.POST),
        lambda data: services.session_cancel(actor=request.actor, session_id=session_id, reason=data["note"]),
        _("Session cancelled; its links no longer open."),
        invalid=_("Say why the session is cancelled."),
    )


@dashboard_view(role=Role.REVIEWER)
@require_POST
def regenerate_links(request, session_id):
    """New links for every applicant, emailed to them when asked; the plain URLs exist only in this response."""
    generate = services.links_send if request.POST.get("send") else services.links_generate
    try:
        links = generate(actor=request.actor, session_id=session_id)
    except (ValidationFailed, InvalidTransition) as exc:
        messages.error(request, error_text(exc.errors) if isinstance(exc, ValidationFailed) else str(exc))
        return _back_to(session_id)
    response = render(request, "dashboard/links.html", {"session": _session(request, session_id), "links": links})
    response["Cache-Control"] = "no-store"
    return response


@dashboard_view(role=Role.REVIEWER)
@require_POST
def mark_false_positive(request, session_id):
    return _act(
        request,
        session_id,
        FalsePositiveForm(request.POST),
        lambda data: watchlist_mark_false_positive(
            actor=request.actor,
            session_id=session_id,
            match_index=data["match_index"],
            entity_id=data["entity_id"],
            note=data["note"],
        ),
        _("Watchlist hit marked as a false positive."),
    )


@dashboard_view(role=Role.ADMIN)
@require_POST
def erase(request, session_id):
    """Erase the session's personal data and files (a data subject's request); the audit skeleton stays."""
    return _act(
        request,
        session_id,
        NoteForm(request.POST),
        lambda data: services.session_erase(actor=request.actor, session_id=session_id, reason=data["note"]),
        _("Personal data erased."),
        invalid=_("Say why the data is erased."),
    )


@dashboard_view()
@require_POST
def evidence_pack(request, session_id):
    as_pdf = request.POST.get("format") == "pdf"
    pack = evidence_pack_export(actor=request.actor, session_id=session_id, format="pdf" if as_pdf else "json")
    if as_pdf:
        response = HttpResponse(render_evidence_pdf(pack), content_type="application/pdf")
    else:
        response = HttpResponse(json.dumps(pack, indent=2, default=str), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="evidence-{session_id}.{"pdf" if as_pdf else "json"}"'
    response["Cache-Control"] = "no-store"
    return response
