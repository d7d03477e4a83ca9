"""Applicant pages. Each view parses the request, calls onboarding.services.portal and renders."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.uploads import size_text
from onboarding.services import portal
from portal import fields as f
from portal.access import applicant_link
from portal.labels import CONSENT_TEXT, STATES, step_title
from portal.security import client_address
from portal.step_context import portal_url, step_context


def _base_context(request, steps):
    applicant = request.applicant
    settled = sum(1 for s in steps if s.is_settled)
    return {
        "applicant": applicant,
        "session": applicant.session,
        "organization": applicant.session.organization,
        "steps": [_step_row(request, s) for s in steps],
        "settled_count": settled,
        "step_count": len(steps),
        "languages": [(code, name) for code, name in settings.LANGUAGES
                      if code in applicant.session.workflow_version.setting("locales")],
        "overview_url": portal_url(request, "overview"),
        "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
        "max_upload_mb": settings.MAX_UPLOAD_BYTES // 2**20,
    }


def _step_row(request, step):
    # Open steps link to their page, and so does a signed step: its page returns the signed PDF.
    linked = step.is_open or (step.type == "signature" and step.state in (portal.CHECKING, portal.DONE))
    return {"state": step, "title": step_title(step.step), "state_text": STATES[step.state],
            "url": portal_url(request, "step", step_id=step.id) if linked else "",
            "received": [d.original_name for d in step.documents if d.original_name]}


@applicant_link
@require_http_methods(["GET"])
def overview(request):
    applicant = request.applicant
    steps = portal.applicant_steps(applicant)
    context = _base_context(request, steps)
    if portal.is_blocked(applicant, steps):
        blocked = next((s for s in steps if s.state == portal.BLOCKED), None)
        context.update(blocked_step=step_title(blocked.step) if blocked else "")
        return render(request, "portal/blocked.html", context)
    context.update(
        can_finish=portal.can_finish(steps),
        accepting=applicant.session.status in portal.ACCEPTING,
        corrections=applicant.session.status == "awaiting_client_correction",
        next_step=next((s for s in steps if s.is_open), None),
    )
    return render(request, "portal/overview.html", context)


@applicant_link
@require_http_methods(["GET", "POST"])
def step_page(request, step_id):
    step = portal.applicant_step(request.applicant, step_id)
    if step is None:
        return redirect(portal_url(request, "overview"))
    errors, extra = {}, {}
    if request.method == "POST":
        if not step.is_open:
            errors = {"step": [_("This step cannot be changed now.")]}
        else:
            try:
                outcome = HANDLERS[step.type](request, step)
            except ValidationFailed as exc:
                errors = exc.errors
            except InvalidTransition:
                errors = {"step": [_("This step cannot be changed now.")]}
            else:
                if isinstance(outcome, dict):
                    extra = outcome  # stays on the page (e.g. a new link to hand over)
                else:
                    messages.success(request, _("Thank you, “%(step)s” was sent.") % {"step": step_title(step.step)})
                    return redirect(_next_url(request, step))
        step = portal.applicant_step(request.applicant, step_id)  # uploads may have changed it
    context = _base_context(request, portal.applicant_steps(request.applicant))
    context.update(step_context(request, step, errors), **extra)
    return render(request, "portal/step.html", context, status=400 if errors else 200)


def _next_url(request, step):
    later = [s for s in portal.applicant_steps(request.applicant) if s.is_open and s.id != step.id]
    following = [s for s in later if s.number > step.number] or later
    return portal_url(request, "step", step_id=following[0].id) if following else portal_url(request, "overview")


@applicant_link
@require_POST
def step_skip(request, step_id):
    step = portal.applicant_step(request.applicant, step_id)
    try:
        portal.step_skip(actor=request.actor, step=step)
    except (ValidationFailed, InvalidTransition):
        messages.error(request, _("This step cannot be skipped."))
        return redirect(portal_url(request, "step", step_id=step_id))
    messages.success(request, _("Step skipped."))
    return redirect(_next_url(request, step))


@applicant_link
@require_http_methods(["GET"])
def step_pdf(request, step_id):
    """The filled PDF a signature step asks the applicant to sign."""
    step = portal.applicant_step(request.applicant, step_id)
    if step is None or step.type != "signature":
        return redirect(portal_url(request, "overview"))
    try:
        content = portal.signature_preview(actor=request.actor, step=step)
    except (ValidationFailed, InvalidTransition):
        messages.error(request, _("The document to sign is not available. Please contact the company that sent "
                                  "you this link."))
        return redirect(portal_url(request, "step", step_id=step_id))
    return _pdf_response(content, "document.pdf")


@applicant_link
@require_http_methods(["GET"])
def signed_pdf(request, step_id):
    """The signed PDF, returned to the applicant once they have signed."""
    step = portal.applicant_step(request.applicant, step_id)
    document = portal.signed_document(step) if step else None
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
        target = portal.applicant_finish(actor=request.actor, applicant=request.applicant)
    except (ValidationFailed, InvalidTransition):
        messages.error(request, _("Some required steps are not done yet."))
        return redirect(portal_url(request, "overview"))
    return redirect(target) if target else redirect(portal_url(request, "thanks"))


@applicant_link
@require_http_methods(["GET"])
def thanks(request):
    context = _base_context(request, portal.applicant_steps(request.applicant))
    return render(request, "portal/thanks.html", context)


# Step handlers: parse the POST, call the service; a dict result re-renders the page with it.


def _uploaded(request, step, kind, names):
    """Store each file sent; a refused one is reported without losing the others."""
    errors = {}
    for name, side in names:
        upload = request.FILES.get(name)
        if upload is None:
            continue
        if upload.size > settings.MAX_UPLOAD_BYTES:
            errors[name] = [_("The file is larger than %(size)s.") % {"size": size_text(settings.MAX_UPLOAD_BYTES)}]
            continue
        try:
            portal.document_upload(actor=request.actor, step=step, content=upload.read(), filename=upload.name,
                                   kind=kind, side=side)
        except ValidationFailed as exc:
            errors[name] = [_(message) for messages_ in exc.errors.values() for message in messages_]
    if errors:
        raise ValidationFailed(errors)
    return portal.applicant_step(request.applicant, step.id)


def handle_form(request, step):
    fields = step.config.get("fields") or []
    portal.form_submit(actor=request.actor, step=step, values=f.form_values(request.POST, fields))


def handle_identity(request, step):
    kind = request.POST.get("kind", "")
    if kind not in portal.document_choices(step):
        raise ValidationFailed({"kind": [_("Choose the kind of document.")]})
    step = _uploaded(request, step, kind, [("file_front", "front"), ("file_back", "back")])
    portal.documents_submit(actor=request.actor, step=step, kind=kind)


def handle_single_document(request, step):
    kind = request.POST.get("kind", "") if portal.document_choices(step) else portal.default_kind(step)
    if portal.document_choices(step) and kind not in portal.document_choices(step):
        raise ValidationFailed({"kind": [_("Choose the kind of document.")]})
    step = _uploaded(request, step, kind, [("file", "")])
    portal.documents_submit(actor=request.actor, step=step, kind=kind)


def handle_bank(request, step):
    step = _uploaded(request, step, "bank_details", [("file", "")])
    portal.bank_submit(actor=request.actor, step=step, iban=request.POST.get("iban", ""),
                       bic=request.POST.get("bic", ""))


def handle_company(request, step):
    step = _uploaded(request, step, "company_certificate", [("file", "")])
    portal.company_submit(actor=request.actor, step=step,
                          registration_number=request.POST.get("registration_number", ""),
                          country_code=request.POST.get("country_code", ""))


def handle_signature(request, step):
    try:
        portal.signature_sign(actor=request.actor, step=step, consent="consent" in request.POST,
                              consent_text=str(CONSENT_TEXT), ip=client_address(request),
                              user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except ValidationFailed as exc:
        if "consent" in exc.errors:
            raise
        raise ValidationFailed({"document": [_("The document to sign is not available. Please contact the "
                                               "company that sent you this link.")]}) from exc


def handle_parties(request, step):
    action = request.POST.get("action")
    if action == "add":
        values = {key: request.POST.get(key, "") for key in ("first_name", "last_name", "email", "role")}
        link = portal.related_party_add(actor=request.actor, step=step, values=values)
        return {"new_link": link}
    if action == "link":
        link = portal.related_party_link(actor=request.actor, step=step, session_id=request.POST.get("party", ""))
        return {"new_link": link}
    portal.related_parties_submit(actor=request.actor, step=step)
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
