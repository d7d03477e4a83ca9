"""What a step page shows: its controls (with values and errors), the reviewer's
messages, the reasons of a retake, and what each step type adds."""

from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.services import portal
from portal import fields as f
from portal.labels import CONSENT_TEXT, DOCUMENT_KINDS, ROLES, reason_text, step_title


def portal_url(request, name, **kwargs):
    return reverse(f"portal:{name}", kwargs={"token": request.token, **kwargs})


def _current(step, kind=None, side=""):
    return next((d for d in step.documents if d.side == side and (kind is None or d.kind == kind)), None)


def _kind_choices(step):
    return [(kind, DOCUMENT_KINDS.get(kind, kind)) for kind in portal.document_choices(step)]


def step_context(request, step, errors):
    post = request.POST if request.method == "POST" else {}
    submitted = step.verification.data.get("submitted") or {}
    chosen_kind = post.get("kind") or submitted.get("document_kind") or next(
        (d.kind for d in step.documents), "") or (portal.document_choices(step) or [""])[0]
    controls, extra = [], {}
    if step.type == "form":
        fields = step.config.get("fields") or []
        values = f.form_values(post, fields) if post else {**request.applicant.form_data, **submitted}
        controls = f.form_controls(fields, values, errors, step.correction_fields)
    elif step.type == "identity_document":
        extra["kind_control"] = f.control("kind", _("Type of document"), kind="radio", value=chosen_kind,
                                          errors=errors.get("kind"), choices=_kind_choices(step), required=True)
        controls = [
            f.file_control("file_front", _("Front side"), errors=errors.get("file_front"), photo=True,
                           capture="environment",
                           current=_current(step, chosen_kind, "front")),
            f.file_control("file_back", _("Back side"), errors=errors.get("file_back"), photo=True,
                           capture="environment",
                           hint=_("Not needed for a passport."), current=_current(step, chosen_kind, "back")),
        ]
    elif step.type == "selfie":
        controls = [f.file_control("file", _("Photo of your face"), errors=errors.get("file"), photo=True,
                                   capture="user", hint=_("Look straight at the camera, in good light, without glasses."),
                                   current=_current(step))]
    elif step.type in ("proof_of_address", "document_analysis"):
        if portal.document_choices(step):
            extra["kind_control"] = f.control("kind", _("Type of document"), kind="select", value=chosen_kind,
                                              errors=errors.get("kind"), choices=_kind_choices(step), required=True)
        label = DOCUMENT_KINDS.get(portal.default_kind(step)) or _("Document")
        controls = [f.file_control("file", label, errors=errors.get("file"), current=_current(step),
                                   hint=_("A photo or a PDF of the whole document."))]
    elif step.type == "bank_account":
        typed = submitted.get("bank_account") or {}
        if step.config.get("allow_typed_iban", True):
            controls += [
                f.control("iban", _("IBAN"), value=post.get("iban", typed.get("iban", "")), errors=errors.get("iban"),
                          hint=_("For example FR76 3000 6000 0112 3456 7890 189.")),
                f.control("bic", _("BIC (optional)"), value=post.get("bic", typed.get("bic", "")),
                          errors=errors.get("bic")),
            ]
        controls.append(f.file_control("file", _("Bank details document (RIB)"), errors=errors.get("file"),
                                       current=_current(step), hint=_("A statement or letter from your bank showing the IBAN.")))
    elif step.type == "company_registry":
        company = request.applicant.company
        country = post.get("country_code") or submitted.get("country_code") or company.get("country_code") or (
            step.config.get("countries") or [""])[0]
        controls = [
            f.control("registration_number", _("Registration number"),
                      value=post.get("registration_number") or submitted.get("registration_number")
                      or company.get("registration_number", ""),
                      errors=errors.get("registration_number"), required=True,
                      hint=_("SIREN or SIRET in France, company number in the UK, Handelsregister number in Germany.")),
            f.control("country_code", _("Country of registration"), kind="country", value=country,
                      errors=errors.get("country_code"), required=True, choices=f.country_choices()),
            f.file_control("file", _("Registration certificate"), errors=errors.get("file"), current=_current(step)),
        ]
    elif step.type == "signature":
        controls = [f.control("consent", str(CONSENT_TEXT), kind="checkbox", value="consent" in post,
                              errors=errors.get("consent"), required=True)]
        extra["document_url"] = portal_url(request, "step_pdf", step_id=step.id)
        if portal.signed_document(step):
            extra["signed_url"] = portal_url(request, "signed_pdf", step_id=step.id)
    elif step.type == "related_parties":
        controls = [
            f.control("first_name", _("First name"), value=post.get("first_name", ""), errors=errors.get("first_name"),
                      required=True, autocomplete="off"),
            f.control("last_name", _("Last name"), value=post.get("last_name", ""), errors=errors.get("last_name"),
                      required=True, autocomplete="off"),
            f.control("email", _("Email"), kind="email", value=post.get("email", ""), errors=errors.get("email"),
                      required=True, autocomplete="off"),
            f.control("role", _("Role"), kind="select", value=post.get("role", ""), errors=errors.get("role"),
                      required=True, choices=[(r, ROLES.get(r, r)) for r in portal.party_roles(step)]),
        ]
        extra["parties"] = [{"session": p, "role": ROLES.get(p.metadata["related_party"]["role"], ""),
                             "applicant": p.applicants.first()} for p in portal.related_parties(step)]
        extra["parties_error"] = errors.get("parties")
    all_controls = [*controls, *([extra["kind_control"]] if "kind_control" in extra else [])]
    return {
        "step": step,
        "title": step_title(step.step),
        "controls": controls,
        "errors": errors,
        "error_summary": _error_summary(errors, all_controls),
        "reasons": [reason_text(code) for code in step.previous_reasons],
        "is_upload": step.type in ("identity_document", "selfie", "proof_of_address", "document_analysis",
                                   "bank_account", "company_registry"),
        "skip_url": portal_url(request, "step_skip", step_id=step.id),
        "photo_only": step.type in ("identity_document", "selfie"),
        "corrections": [{"message": c.message, "documents": [DOCUMENT_KINDS.get(k, k) for k in c.document_types]}
                        for c in step.corrections],
        **extra,
    }


def _error_summary(errors, controls):
    """Every error once, linked to its control when it has one (screen readers jump to it)."""
    by_name = {}
    for c in controls:
        by_name[c["name"]] = c
        for part in c.get("parts", []):
            by_name[part["name"]] = part
    summary = []
    for key, messages_ in errors.items():
        target = by_name.get(key)
        for message in messages_:
            summary.append({"href": f"#{target['id']}" if target else "", "label": target["label"] if target else "",
                            "message": message})
    return summary
