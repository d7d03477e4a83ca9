"""What a step page shows: its controls (with values and errors), the reviewer's
messages, the reasons of a retake, and what each step type adds. One builder per
step type; each returns (controls, extra context)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.previews import MAX_PREVIEW_PAGES, pdf_page_count
from onboarding.services.documents import required_sides
from portal import fields as f
from portal import steps as portal_steps
from portal.labels import CONSENT_TEXT, DOCUMENT_KINDS, ROLES, reason_text, standing_text, step_title

PHOTO_STEPS = ("identity_document", "selfie")


def portal_url(request, name, **kwargs):
    return reverse(f"portal:{name}", kwargs={"slot": request.link_slot, **kwargs})


@dataclass
class Page:
    """What a builder reads: the request, the step, the errors, what was posted and what was sent before."""

    request: object
    step: portal_steps.StepState
    errors: dict
    # What a refused post held (files aside), shown back; after a success the form starts empty.
    post: dict

    @property
    def submitted(self):
        return self.step.verification.data.get("submitted") or {}

    def value(self, name, default=""):
        """What was just posted, else what was sent before, else the default."""
        return self.post.get(name) or self.submitted.get(name) or default

    def chosen_kind(self):
        choices = portal_steps.document_choices(self.step)
        earlier = next((d.kind for d in self.step.documents), "")
        return self.post.get("kind") or self.submitted.get("document_kind") or earlier or (choices or [""])[0]

    def current(self, kind=None, side=""):
        """The document already received for this side (and kind); none from before a reviewer asked
        for a new one, since that one no longer counts."""
        asked_at = max((c.created_at for c in self.step.corrections), default=None)
        return next(
            (
                d
                for d in self.step.documents
                if d.side == side
                and (kind is None or d.kind == kind)
                and (asked_at is None or d.created_at >= asked_at)
            ),
            None,
        )

    def kind_control(self, kind):
        choices = [(k, DOCUMENT_KINDS.get(k, k)) for k in portal_steps.document_choices(self.step)]
        return f.control(
            "kind",
            _("Type of document"),
            kind=kind,
            value=self.chosen_kind(),
            errors=self.errors.get("kind"),
            choices=choices,
            required=True,
        )

    def file(self, name, label, **kwargs):
        return f.file_control(name, label, errors=self.errors.get(name), **kwargs)


def _form(page):
    fields = page.step.config.get("fields") or []
    values = f.form_values(page.post, fields) if page.post else {**page.request.applicant.form_data, **page.submitted}
    return f.form_controls(fields, values, page.errors, page.step.correction_fields), {}


def _identity(page):
    kind = page.chosen_kind()
    controls = [
        page.file(
            "file_front", _("Front side"), photo=True, capture="environment", current=page.current(kind, "front")
        ),
    ]
    # No back side to ask for when every document the step accepts is single-sided (a passport).
    if any("back" in required_sides(page.step.step, k) for k in portal_steps.document_choices(page.step)):
        controls.append(
            page.file(
                "file_back",
                _("Back side"),
                photo=True,
                capture="environment",
                hint=_("Not needed for a passport."),
                current=page.current(kind, "back"),
            )
        )
    return controls, {"kind_control": page.kind_control("radio")}


def _selfie(page):
    return [
        page.file(
            "file",
            _("Photo of your face"),
            photo=True,
            capture="user",
            current=page.current(),
            hint=_("Look straight at the camera, in good light, without glasses."),
        )
    ], {}


def _single_document(page):
    extra = {"kind_control": page.kind_control("select")} if portal_steps.document_choices(page.step) else {}
    label = DOCUMENT_KINDS.get(portal_steps.default_kind(page.step)) or _("Document")
    return [page.file("file", label, current=page.current(), hint=_("A photo or a PDF of the whole document."))], extra


def _bank(page):
    typed = page.submitted.get("bank_account") or {}
    config = page.step.config
    typed_allowed = config["allow_typed_iban"]
    # Either the IBAN or the document is enough unless the workflow asks for the document too.
    document_required = not typed_allowed or config.get("require_document", False)
    controls = []
    if typed_allowed:
        controls += [
            f.control(
                "iban",
                _("IBAN"),
                value=page.post.get("iban", typed.get("iban", "")),
                errors=page.errors.get("iban"),
                alternative=not document_required,
                hint=_("For example FR76 3000 6000 0112 3456 7890 189."),
            ),
            f.control("bic", _("BIC"), value=page.post.get("bic", typed.get("bic", "")), errors=page.errors.get("bic")),
        ]
    controls.append(
        page.file(
            "file",
            _("Bank details document (RIB)"),
            current=page.current(),
            hint=_("A statement or letter from your bank showing the IBAN."),
        )
    )
    return controls, {"document_required": document_required, "typed_allowed": typed_allowed}


def _company(page):
    company = page.request.applicant.company
    countries = page.step.config.get("countries") or [""]
    return [
        f.control(
            "registration_number",
            _("Registration number"),
            required=True,
            value=page.value("registration_number", company.get("registration_number", "")),
            errors=page.errors.get("registration_number"),
            hint=_("SIREN or SIRET in France, company number in the UK, Handelsregister number in Germany."),
        ),
        f.control(
            "country_code",
            _("Country of registration"),
            kind="country",
            required=True,
            value=page.value("country_code", company.get("country_code") or countries[0]),
            errors=page.errors.get("country_code"),
            choices=f.country_choices(),
        ),
        page.file("file", _("Registration certificate"), current=page.current()),
    ], {}


def _signature(page):
    step, request = page.step, page.request
    controls = [
        f.control(
            "consent",
            str(CONSENT_TEXT),
            kind="checkbox",
            value="consent" in page.post,
            errors=page.errors.get("consent"),
            required=True,
        )
    ]
    extra = {
        "document_url": portal_url(request, "step_pdf", step_id=step.id),
        "pages": [
            portal_url(request, "step_pdf_page", step_id=step.id, page=number)
            for number in range(1, _pages_to_sign(request, step) + 1)
        ],
    }
    if portal_steps.signed_document(step):
        extra["signed_url"] = portal_url(request, "signed_pdf", step_id=step.id)
    return controls, extra


def _pages_to_sign(request, step):
    """How many pages of the PDF to sign are shown as images on the step (none once it is sent)."""
    if not step.is_open:
        return 0
    try:
        content = portal_steps.signature_preview(actor=request.actor, step=step)
    except (ValidationFailed, InvalidTransition):
        return 0  # the step says the document is not available when the applicant tries to sign
    return min(pdf_page_count(content), MAX_PREVIEW_PAGES)


def _related_parties(page):
    def person(name, label, kind="text", choices=None):
        return f.control(
            name,
            label,
            kind=kind,
            value=page.post.get(name, ""),
            errors=page.errors.get(name),
            required=True,
            autocomplete="off",
            choices=choices,
        )

    controls = [
        person("first_name", _("First name")),
        person("last_name", _("Last name")),
        person("email", _("Email"), kind="email"),
        person(
            "role",
            _("Role"),
            kind="select",
            choices=[(r, ROLES.get(r, r)) for r in portal_steps.party_roles(page.step)],
        ),
    ]
    parties = [
        {"session": p, "role": ROLES.get(p.metadata["related_party"]["role"], ""), "applicant": p.applicants.first()}
        for p in portal_steps.related_parties(page.step)
    ]
    return controls, {"parties": parties, "parties_error": page.errors.get("parties")}


BUILDERS = {
    "form": _form,
    "identity_document": _identity,
    "selfie": _selfie,
    "proof_of_address": _single_document,
    "document_analysis": _single_document,
    "bank_account": _bank,
    "company_registry": _company,
    "signature": _signature,
    "related_parties": _related_parties,
}


def step_context(request, step, errors, posted):
    controls, extra = BUILDERS[step.type](Page(request, step, errors, posted))
    summary_controls = [*controls, *([extra["kind_control"]] if "kind_control" in extra else [])]
    return {
        "step": step,
        "title": step_title(step.step),
        "controls": controls,
        "errors": errors,
        "error_summary": _error_summary(errors, summary_controls),
        "reasons": [reason_text(code) for code in step.standing.reason_codes],
        "state_text": standing_text(step.standing.state, step.type),
        "skip_url": portal_url(request, "step_skip", step_id=step.id),
        "photo_only": step.type in PHOTO_STEPS,
        "corrections": [
            {"message": c.message, "documents": [DOCUMENT_KINDS.get(k, k) for k in c.document_types]}
            for c in step.corrections
        ],
        **extra,
    }


def _error_summary(errors, controls):
    """Every error once, linked to its control when it has one (screen readers jump to it)."""
    by_name = {}
    for control in controls:
        by_name[control["name"]] = control
        for part in control.get("parts", []):
            by_name[part["name"]] = part
    summary = []
    for key, messages in errors.items():
        target = by_name.get(key)
        for message in messages:
            summary.append(
                {
                    "href": f"#{target['id']}" if target else "",
                    "label": target["label"] if target else "",
                    "message": message,
                }
            )
    return summary
