"""Applicant pages. Each view parses the request, calls portal.steps (and through it the services) and renders."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onboarding import standing
from onboarding.errors import InvalidTransition, StorageUnavailable, ValidationFailed
from onboarding.previews import MAX_PREVIEW_PAGES, pdf_page_png
from onboarding.uploads import size_text
from portal import fields as f
from portal import steps as portal_steps
from portal.access import applicant_link
from portal.labels import CONSENT_TEXT, standing_text, step_title
from portal.security import client_address
from portal.step_context import portal_url, step_context

# A contract page fills a phone screen at twice its CSS width, and stays sharp on a desktop.
CONTRACT_PAGE_WIDTH, CONTRACT_PAGE_HEIGHT = 1000, 1600


def _base_context(request, steps):
    applicant = request.applicant
    settled = sum(1 for s in steps if s.is_settled)
    return {
        "applicant": applicant,
        "session": applicant.session,
        "organization": applicant.session.organization,
        "case": portal_steps.case_standing(applicant, steps),
        "steps": [_step_row(request, s) for s in steps],
        "settled_count": settled,
        "step_count": len(steps),
        "languages": [
            (code, name)
            for code, name in settings.LANGUAGES
            if code in applicant.session.workflow_version.setting("locales")
        ],
        "overview_url": portal_url(request, "overview"),
        "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
        "max_upload_mb": settings.MAX_UPLOAD_BYTES // 2**20,
    }


def _step_row(request, step):
    # Open steps link to their page, and so does a signed step: its page returns the signed PDF.
    linked = step.is_open or (step.type == "signature" and portal_steps.signed_document(step) is not None)
    return {
        "state": step,
        "title": step_title(step.step),
        "standing": step.standing.state,
        "state_text": standing_text(step.standing.state, step.type),
        "url": portal_url(request, "step", step_id=step.id) if linked else "",
        "received": [d.original_name for d in step.documents if d.original_name],
    }


@applicant_link
@require_http_methods(["GET"])
def overview(request):
    applicant = request.applicant
    steps = portal_steps.applicant_steps(applicant)
    context = _base_context(request, steps)
    if context["case"].state == standing.BLOCKED:
        blocked = next((s for s in steps if s.standing.state == standing.BLOCKED), None)
        context.update(blocked_step=step_title(blocked.step) if blocked else "")
        return render(request, "portal/blocked.html", context)
    context.update(next_step=next((s for s in steps if s.is_open), None))
    return render(request, "portal/overview.html", context)


@applicant_link
@require_http_methods(["GET", "POST"])
def step_page(request, step_id):
    step = portal_steps.applicant_step(request.applicant, step_id)
    if step is None:
        return redirect(portal_url(request, "overview"))
    if request.method == "POST":
        return _step_post(request, step)
    # A refused post redirected here (so Back never asks to send the form again): show what it said.
    refused = request.session.pop(_refused_key(request, step_id), None) or {}
    context = _base_context(request, portal_steps.applicant_steps(request.applicant))
    context.update(step_context(request, step, refused.get("errors", {}), refused.get("values", {})))
    return render(request, "portal/step.html", context)


def _step_post(request, step):
    if not step.is_open:
        return _refused(request, step, {"step": [_("This step cannot be changed now.")]})
    try:
        outcome = HANDLERS[step.type](request, step)
    except ValidationFailed as exc:
        return _refused(request, step, exc.errors)
    except InvalidTransition:
        return _refused(request, step, {"step": [_("This step cannot be changed now.")]})
    except StorageUnavailable:
        return _refused(
            request,
            step,
            {
                "step": [
                    _(
                        "Your file could not be saved just now and nothing was kept. Please send it again in a few minutes."
                    )
                ]
            },
        )
    if isinstance(outcome, dict):
        # Stays on the page: a new link to hand over is shown once and never stored.
        context = _base_context(request, portal_steps.applicant_steps(request.applicant))
        context.update(
            step_context(request, portal_steps.applicant_step(request.applicant, step.id), {}, {}), **outcome
        )
        return render(request, "portal/step.html", context)
    return _after_sending(request, step)


def _after_sending(request, step):
    """Say what became of what was sent: its check may already have run (and found it unusable)."""
    steps = portal_steps.applicant_steps(request.applicant)
    sent = next(s for s in steps if s.id == step.id)
    if sent.standing.state == standing.NEEDS_NEW_DOCUMENT:
        return redirect(portal_url(request, "step", step_id=step.id))  # the page says why and what is left
    if sent.standing.state == standing.BLOCKED:
        return redirect(portal_url(request, "overview"))
    messages.success(request, _("Thank you, “%(step)s” was received.") % {"step": step_title(step.step)})
    return redirect(_next_url(request, step, steps))


def _refused_key(request, step_id):
    return f"portal-refused:{request.applicant.id}:{step_id}"


def _refused(request, step, errors):
    """Keep the errors and what was typed (never files) for the page this redirects to."""
    values = {key: request.POST.get(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    request.session[_refused_key(request, step.id)] = {
        "errors": {key: [str(m) for m in messages_] for key, messages_ in errors.items()},
        "values": values,
    }
    return redirect(portal_url(request, "step", step_id=step.id))


def _next_url(request, step, steps=None):
    steps = steps if steps is not None else portal_steps.applicant_steps(request.applicant)
    later = [s for s in steps if s.is_open and s.id != step.id]
    following = [s for s in later if s.number > step.number] or later
    return portal_url(request, "step", step_id=following[0].id) if following else portal_url(request, "overview")


@applicant_link
@require_POST
def step_skip(request, step_id):
    step = portal_steps.applicant_step(request.applicant, step_id)
    try:
        portal_steps.step_skip(actor=request.actor, step=step)
    except (ValidationFailed, InvalidTransition):
        messages.error(request, _("This step cannot be skipped."))
        return redirect(portal_url(request, "step", step_id=step_id))
    messages.success(request, _("Step skipped."))
    return redirect(_next_url(request, step))


@applicant_link
@require_http_methods(["GET"])
def step_pdf(request, step_id):
    """The filled PDF a signature step asks the applicant to sign."""
    step = portal_steps.applicant_step(request.applicant, step_id)
    if step is None or step.type != "signature":
        return redirect(portal_url(request, "overview"))
    try:
        content = portal_steps.signature_preview(actor=request.actor, step=step)
    except (ValidationFailed, InvalidTransition):
        messages.error(
            request, _("The document to sign is not available. Please contact the company that sent you this link.")
        )
        return redirect(portal_url(request, "step", step_id=step_id))
    return _pdf_response(content, "document.pdf")


@applicant_link
@require_http_methods(["GET"])
def step_pdf_page(request, step_id, page):
    """One page of the PDF to sign as an image, so it is read on the step itself before consenting."""
    step = portal_steps.applicant_step(request.applicant, step_id)
    if step is None or step.type != "signature" or not 1 <= page <= MAX_PREVIEW_PAGES:
        return HttpResponseNotFound()
    try:
        content = portal_steps.signature_preview(actor=request.actor, step=step)
        image = pdf_page_png(content, page, CONTRACT_PAGE_WIDTH, CONTRACT_PAGE_HEIGHT)
    except (ValidationFailed, InvalidTransition, IndexError):
        return HttpResponseNotFound()
    return HttpResponse(image, content_type="image/png")


@applicant_link
@require_http_methods(["GET"])
def signed_pdf(request, step_id):
    """The signed PDF, returned to the applicant once they have signed."""
    step = portal_steps.applicant_step(request.applicant, step_id)
    document = portal_steps.signed_document(step) if step else None
    if document is None:
        return redirect(portal_url(request, "overview"))
    with document.file.open("rb") as handle:
        return _pdf_response(handle.read(), "signed.pdf")


def _pdf_response(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@applicant_link
@require_POST
def finish(request):
    try:
        target = portal_steps.applicant_finish(actor=request.actor, applicant=request.applicant)
    except InvalidTransition:
        return redirect(portal_url(request, "overview"))  # the case is closed: its page says how it ended
    except ValidationFailed:
        messages.error(request, _("Some required steps are not done yet."))
        return redirect(portal_url(request, "overview"))
    return redirect(target) if target else redirect(portal_url(request, "thanks"))


@applicant_link
@require_http_methods(["GET"])
def thanks(request):
    context = _base_context(request, portal_steps.applicant_steps(request.applicant))
    return render(request, "portal/thanks.html", context)


# Step handlers: parse the POST, call the service; a dict result re-renders the page with it.


def handle_form(request, step):
    fields = step.config.get("fields") or []
    portal_steps.form_submit(actor=request.actor, step=step, values=f.form_values(request.POST, fields))


def _files(request, names):
    """The files sent ((side, bytes, filename)) and, by field, those over the size limit (refused unread)."""
    files, too_large = [], {}
    for name, side in names:
        upload = request.FILES.get(name)
        if upload is None:
            continue
        if upload.size > settings.MAX_UPLOAD_BYTES:
            too_large[name] = [_("The file is larger than %(size)s.") % {"size": size_text(settings.MAX_UPLOAD_BYTES)}]
            continue
        files.append((side, upload.read(), upload.name))
    return files, too_large


def _sent(request, step, kind, names):
    """The files sent and submitted together in one transaction; one over the size limit keeps
    the step from being submitted (the others are still kept)."""
    files, too_large = _files(request, names)
    errors = {}
    try:
        portal_steps.documents_send(actor=request.actor, step=step, files=files, kind=kind, submit=not too_large)
    except ValidationFailed as exc:
        errors = exc.errors
    if errors or too_large:
        raise ValidationFailed({**errors, **too_large})


def handle_identity(request, step):
    kind = request.POST.get("kind", "")
    if kind not in portal_steps.document_choices(step):
        raise ValidationFailed({"kind": [_("Choose the kind of document.")]})
    _sent(request, step, kind, [("file_front", "front"), ("file_back", "back")])


def handle_single_document(request, step):
    kind = request.POST.get("kind", "") if portal_steps.document_choices(step) else portal_steps.default_kind(step)
    if portal_steps.document_choices(step) and kind not in portal_steps.document_choices(step):
        raise ValidationFailed({"kind": [_("Choose the kind of document.")]})
    _sent(request, step, kind, [("file", "")])


def _sent_with_data(request, step, send, *names):
    """A data step's post: its fields (`names`) and its one optional file, sent together; a file
    over the size limit refuses the whole post."""
    files, too_large = _files(request, [("file", "")])
    if too_large:
        raise ValidationFailed(too_large)
    send(actor=request.actor, step=step, files=files, **{name: request.POST.get(name, "") for name in names})


def handle_bank(request, step):
    _sent_with_data(request, step, portal_steps.bank_send, "iban", "bic")


def handle_company(request, step):
    _sent_with_data(request, step, portal_steps.company_send, "registration_number", "country_code")


def handle_signature(request, step):
    try:
        portal_steps.signature_sign(
            actor=request.actor,
            step=step,
            consent="consent" in request.POST,
            consent_text=str(CONSENT_TEXT),
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ValidationFailed as exc:
        if "consent" in exc.errors:
            raise
        raise ValidationFailed(
            {
                "document": [
                    _("The document to sign is not available. Please contact the company that sent you this link.")
                ]
            }
        ) from exc


def handle_parties(request, step):
    action = request.POST.get("action")
    if action == "add":
        values = {key: request.POST.get(key, "") for key in ("first_name", "last_name", "email", "role")}
        link = portal_steps.related_party_add(actor=request.actor, step=step, values=values)
        return {"new_link": link}
    if action == "link":
        link = portal_steps.related_party_link(actor=request.actor, step=step, session_id=request.POST.get("party", ""))
        return {"new_link": link}
    portal_steps.related_parties_submit(actor=request.actor, step=step)
    return None


HANDLERS = {
    "form": handle_form,
    "identity_document": handle_identity,
    "selfie": handle_single_document,
    "proof_of_address": handle_single_document,
    "document_analysis": handle_single_document,
    "bank_account": handle_bank,
    "company_registry": handle_company,
    "signature": handle_signature,
    "related_parties": handle_parties,
}
