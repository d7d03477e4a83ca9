"""The applicant's steps as the portal shows them (open, checking, done, locked...),
and what the applicant sent on a page turned into the domain's services, with
errors named after the page's fields and in the applicant's language (SPEC §5).

The rules themselves live in onboarding.services (documents, related parties,
verifications); views parse requests and render.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db.models import Q
from django.utils.translation import gettext as _

from onboarding import signing
from onboarding.checks.bank import validate_iban
from onboarding.checks.form import validate_form_fields
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import (
    SESSION_OPEN_TO_APPLICANT,
    VERIFICATION_OPEN_FOR_DATA,
    ApplicantStatus,
    ApplicantType,
    CorrectionRequest,
    SessionStatus,
    Verification,
    VerificationStatus,
)
from onboarding.services import documents
from onboarding.services import related_parties as related_parties_service
from onboarding.services.links import applicant_mark_finished, links_generate
from onboarding.services.sessions import applicant_update
from onboarding.services.verifications import submit_locked, verification_skip, verification_submit
from onboarding.standing import CLOSED, StepStanding, applicant_standing, step_standing
from onboarding.steps import step_config

V = VerificationStatus

OPEN, CHECKING, DONE, SKIPPED, BLOCKED, LOCKED = "open", "checking", "done", "skipped", "blocked", "locked"


@dataclass
class StepState:
    """One step as the applicant sees it now."""

    step: dict
    verification: Verification
    state: str
    number: int
    corrections: list = field(default_factory=list)
    attempts_left: int | None = None
    # What the applicant reads about the step (onboarding.standing).
    standing: StepStanding | None = None

    @property
    def id(self):
        return self.step["id"]

    @property
    def type(self):
        return self.step["type"]

    @property
    def title(self):
        return self.step.get("title") or self.type

    @property
    def config(self):
        return step_config(self.step)

    @property
    def required(self):
        return self.verification.required

    @property
    def is_open(self):
        return self.state == OPEN

    @property
    def is_settled(self):
        return self.state in (CHECKING, DONE, SKIPPED)

    @property
    def retake(self):
        """The last attempt's document was unusable: the applicant must send it again."""
        return self.state == OPEN and self.verification.attempts > 0

    @property
    def correction_fields(self):
        return sorted({f for c in self.corrections for f in c.field_ids})

    @property
    def documents(self):
        return [d for d in self.verification.documents.all() if not d.superseded]


def applicant_steps(applicant):
    """The applicant's steps in workflow order, each with what the applicant may do on it now."""
    session = applicant.session
    version = session.workflow_version
    order = {step["id"]: index for index, step in enumerate(version.steps)}
    verifications = sorted(
        applicant.verifications.prefetch_related("documents"),
        key=lambda v: (order.get(v.step_id, len(order)), v.created_at),
    )
    corrections = list(
        CorrectionRequest.objects.filter(
            Q(applicant__isnull=True) | Q(applicant=applicant), session=session, status="open"
        )
    )
    max_attempts = version.setting("max_attempts")
    states = []
    for number, verification in enumerate(verifications, start=1):
        step_corrections = [c for c in corrections if c.step_id == verification.step_id]
        state = _state(session, applicant, verification, step_corrections)
        states.append(
            StepState(
                step=documents.step_of(verification, version),
                verification=verification,
                state=state,
                number=number,
                corrections=step_corrections,
                attempts_left=max(max_attempts - verification.attempts, 0),
                standing=step_standing(session, applicant, verification, step_corrections, max_attempts),
            )
        )
    return states


def case_standing(applicant, steps):
    """The applicant's whole case, from the steps applicant_steps read."""
    return applicant_standing(applicant, [s.verification for s in steps], [c for s in steps for c in s.corrections])


def _state(session, applicant, verification, corrections):
    status = verification.status
    if status == V.BLOCKED:
        return BLOCKED
    if status == V.SKIPPED:
        return SKIPPED
    if status in (V.SUBMITTED, V.PROCESSING):
        return CHECKING
    if status == V.DONE:
        return DONE
    if session.status not in SESSION_OPEN_TO_APPLICANT or applicant.status == ApplicantStatus.BLOCKED:
        return LOCKED
    if session.status == SessionStatus.AWAITING_CLIENT_CORRECTION:
        # Only the steps the reviewer named open again (a retake of one of them included).
        return OPEN if status == V.NEEDS_CORRECTION or corrections else LOCKED
    return OPEN


def applicant_step(applicant, step_id):
    """The applicant's step `step_id`, or None."""
    return next((s for s in applicant_steps(applicant) if s.id == step_id), None)


def require_open(step):
    """Refuse any change to a step the applicant cannot work on now."""
    if step is None or not step.is_open:
        status = step.verification.status if step else "unknown"
        raise InvalidTransition("step", status, "submit")


# Form steps ---------------------------------------------------------------------------------------


def form_submit(*, actor, step, values):
    """Check the typed values against the step's fields; submit the cleaned ones."""
    require_open(step)
    cleaned, errors = validate_form_fields(step.config.get("fields"), values)
    if errors:
        raise ValidationFailed(errors)
    return verification_submit(actor=actor, verification_id=step.verification.id, data=cleaned)


# Documents ----------------------------------------------------------------------------------------


def document_choices(step):
    """The kinds of document the applicant may choose from on this step, or [] when there is no choice."""
    return documents.accepted_kinds(step.step)


def default_kind(step):
    return documents.default_kind(step.step)


def documents_send(*, actor, step, files, kind, submit=True):
    """Attach the files sent together (side, content, filename) and submit the step when every side
    is in, in one transaction; errors name the page's file fields (a refused file keeps its reason)."""
    require_open(step)
    try:
        return documents.documents_send(
            actor=actor, verification_id=step.verification.id, files=files, kind=kind, submit=submit
        )
    except ValidationFailed as exc:
        sent = {side or "document" for side, _content, _name in files}
        refused = {key: messages for key, messages in exc.errors.items() if key in sent}
        missing = {key: messages for key, messages in exc.errors.items() if key not in sent}
        errors = _document_errors(step, missing)
        errors.update(_refused_files(step, refused))
        raise ValidationFailed(errors) from None


def _file_field(step, side):
    return {"front": "file_front", "back": "file_back"}.get(side, "file")


def _document_errors(step, errors):
    first_file = "file_front" if step.type == "identity_document" else "file"
    fields = {"front": "file_front", "back": "file_back", "document": "file", "documents": first_file}
    messages = {
        "documents": _("Send a new document, as the reviewer asked."),
        "kind": _("Choose the kind of document."),
    }
    return {fields.get(key, key): [messages.get(key, _("Add this file to continue."))] for key in errors}


def _refused_files(step, refused):
    """Files refused by their check, named after the page's file fields."""
    return {_file_field(step, side): [_(m) for m in messages] for side, messages in refused.items()}


@contextmanager
def _sending(actor, step, files, kind):
    """documents_sending for a data step's optional file: a refused file refuses the whole post."""
    with documents.documents_sending(actor=actor, verification_id=step.verification.id, files=files, kind=kind) as sent:
        if sent.refused:
            raise ValidationFailed(_refused_files(step, sent.refused))
        yield sent


def bank_send(*, actor, step, files, iban="", bic=""):
    """A typed IBAN is checked at once; without one, the bank details document (sent now or
    before) is submitted. Files sent and submission commit together, or nothing is kept."""
    require_open(step)
    config = step.config
    account = None
    if iban.strip() and config["allow_typed_iban"]:
        valid, _reason = validate_iban(iban)
        if valid is None:
            raise ValidationFailed({"iban": [_("This IBAN is not valid: check the letters and digits.")]})
        account = {"iban": str(valid.compact)}
        if bic.strip():
            account["bic"] = bic.strip().upper()
    with _sending(actor, step, files, "bank_details") as sent:
        if account is None:
            if not sent.current:
                raise ValidationFailed({"iban": [_("Type your IBAN or add a bank details document.")]})
            missing = documents.submit_sent(actor, sent)
            if missing:
                raise ValidationFailed(_document_errors(step, missing))
            return sent.verification
        if config.get("require_document") and not sent.current:
            raise ValidationFailed({"file": [_("Add your bank details document to continue.")]})
        if not sent.applicant.bank_account.get("iban"):
            # Nothing was known: the account the applicant gives becomes the one checked.
            applicant_update(actor=actor, applicant_id=sent.applicant.id, data={"bank_account": account})
        return submit_locked(actor, sent.session, sent.verification, {"bank_account": account})


def company_send(*, actor, step, files, registration_number, country_code):
    """The registration number and country, with the certificate if one is sent: submitted
    together, or nothing is kept."""
    require_open(step)
    values = {"registration_number": registration_number, "country_code": country_code}
    fields = [
        {"id": "registration_number", "type": "text", "required": True, "max_length": 40},
        {"id": "country_code", "type": "country", "required": True},
    ]
    cleaned, errors = validate_form_fields(fields, values)
    countries = step.config.get("countries")
    if "country_code" in cleaned and countries and cleaned["country_code"] not in countries:
        errors["country_code"] = [_("Companies from this country are not accepted here.")]
    if step.config.get("require_certificate") and not (files or step.documents):
        errors["file"] = [_("Add the company's registration certificate.")]
    if errors:
        raise ValidationFailed(errors)
    with _sending(actor, step, files, "company_certificate") as sent:
        return submit_locked(actor, sent.session, sent.verification, cleaned)


def signature_sign(*, actor, step, consent, consent_text, ip="", user_agent=""):
    """The applicant explicitly agreed: the step's filled PDF is signed and the step submitted."""
    require_open(step)
    if not consent:
        raise ValidationFailed({"consent": [_("Tick the box to give your consent.")]})
    return signing.signature_sign(
        actor=actor, verification_id=step.verification.id, consent_text=consent_text, ip=ip, user_agent=user_agent
    )


def signature_preview(*, actor, step):
    """The filled PDF the applicant is asked to sign."""
    return signing.signature_preview(actor=actor, verification_id=step.verification.id)


def signed_document(step):
    return next((d for d in reversed(step.documents) if d.kind == signing.SIGNED_PDF), None)


# Related parties ----------------------------------------------------------------------------------

PARTY_FIELDS = [
    {"id": "first_name", "type": "name", "required": True},
    {"id": "last_name", "type": "name", "required": True},
    {"id": "email", "type": "email", "required": True},
]


def party_roles(step):
    return related_parties_service.party_roles(step.step)


def related_parties(step):
    """The subsessions this step created, oldest first."""
    return related_parties_service.related_parties(step.verification)


def related_party_add(*, actor, step, values):
    """Add a person: they get a subsession on the step's workflow and their own link (returned)."""
    require_open(step)
    fields = [*PARTY_FIELDS, {"id": "role", "type": "select", "required": True, "choices": party_roles(step)}]
    cleaned, errors = validate_form_fields(fields, values)
    if errors:
        raise ValidationFailed(errors)
    limit = related_parties_service.party_limit(step.step)
    if len(related_parties(step)) >= limit:
        raise ValidationFailed({"parties": [_("You can add at most %(limit)d people.") % {"limit": limit}]})
    parent = step.verification.session
    name = f"{cleaned['first_name']} {cleaned['last_name']}"
    return related_parties_service.related_party_invite(
        actor=actor,
        session_id=parent.id,
        role=cleaned["role"],
        verification_id=step.verification.id,
        name=name,
        locale=parent.locale,
        applicants=[
            {
                "type": ApplicantType.NATURAL_PERSON,
                "label": name,
                "email": cleaned["email"],
                "identity": {"first_name": cleaned["first_name"], "last_name": cleaned["last_name"]},
            }
        ],
    )


def related_party_link(*, actor, step, session_id):
    """A new link for a person this step added; their previous link stops working."""
    party = next((s for s in related_parties(step) if str(s.id) == str(session_id)), None)
    if party is None:
        raise ValidationFailed({"parties": [_("This person is not on your list.")]})
    [link] = links_generate(actor=actor, session_id=party.id)
    return link


def related_parties_submit(*, actor, step):
    require_open(step)
    if not related_parties(step):
        raise ValidationFailed({"parties": [_("Add at least one person.")]})
    return related_parties_service.related_parties_submit(actor=actor, verification_id=step.verification.id)


# Skipping and finishing ---------------------------------------------------------------------------


def step_skip(*, actor, step):
    require_open(step)
    if step.required:
        raise ValidationFailed({"step": [_("This step is required.")]})
    return verification_skip(actor=actor, verification_id=step.verification.id)


def applicant_finish(*, actor, applicant):
    """The applicant is done: optional steps left untouched are skipped, and Finish is not offered again.

    Returns the address to send them to: the session's redirect_url with
    `state` and `session_id` appended, or None for the thank-you page.
    Finishing twice (Back, a second tap) sends them there again and changes nothing.
    """
    steps = applicant_steps(applicant)
    case = case_standing(applicant, steps)
    if case.state in CLOSED:
        raise InvalidTransition("applicant", case.state, "finish")
    if applicant.finished_at is None:
        if not case.can_finish:
            raise ValidationFailed({"steps": [_("Some required steps are not done yet.")]})
        for step in steps:
            if step.is_open and not step.required and step.verification.status in VERIFICATION_OPEN_FOR_DATA:
                verification_skip(actor=actor, verification_id=step.verification.id)
        applicant_mark_finished(actor=actor, applicant_id=applicant.id)
    return finish_url(applicant.session)


def finish_url(session):
    if not session.redirect_url:
        return None
    parts = urlsplit(session.redirect_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("state", "session_id")]
    if session.state:
        query.append(("state", session.state))
    query.append(("session_id", str(session.id)))
    return urlunsplit(parts._replace(query=urlencode(query)))
