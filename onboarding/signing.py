"""Signing (SPEC §2 `signature`, §4 `POST /signing-sessions`): a PDF is filled from
the applicant's data, flattened, and PAdES-signed with the organization's
certificate once the applicant has given explicit consent.

A signing session is an ordinary session on the organization's "Signature"
workflow (one signature step, created on first use); its PDF and fields are
kept on the verification, so the portal, the checks and the review see the
same objects as for any other step.
"""

import re
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone

from onboarding import services, signing_certificate, signing_pdf
from onboarding.audit import record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import SESSION_OPEN_TO_APPLICANT, VERIFICATION_OPEN_FOR_DATA, Verification, Workflow
from onboarding.services.documents import documents_attach, documents_sending, storage_entry_for
from onboarding.services.verifications import submit_locked
from onboarding.services.workflows import published_version
from onboarding.signing_variables import context_for, resolve, validate_fill_fields
from onboarding.storage import stored_then_committed
from onboarding.tenancy import get_scoped
from onboarding.uploads import PDF_TYPE, prepare_upload

SIGNATURE_WORKFLOW_NAME = "Signature"
SIGNATURE_STEP = {"id": "signature", "type": "signature", "title": "Sign the document"}
PDF_TO_SIGN, SIGNED_PDF = "pdf_to_sign", "signed_pdf"
SIGNING_REASON = "Signed with the signer's explicit consent"
FETCH_TIMEOUT_SECONDS = 10
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def signature_workflow(actor):
    """The organization's signing workflow, created (published) on first use."""
    candidates = Workflow.objects.filter(
        organization_id=actor.organization_id, name=SIGNATURE_WORKFLOW_NAME, deleted_at__isnull=True
    ).order_by("created_at")
    for workflow in candidates:
        version = published_version(workflow)
        if version and [step["type"] for step in version.steps] == ["signature"]:
            return workflow
    return services.workflow_create(
        actor=actor,
        name=SIGNATURE_WORKFLOW_NAME,
        steps=[SIGNATURE_STEP],
        publish=True,
        description="Signing sessions: one document, signed by one person.",
        # A valid signature with consent settles the request without a reviewer.
        settings={"auto_decide": True, "validations": {"watchlist": False, "face_match": False}},
    )


def validate_sign_fields(sign_fields, path="sign_fields"):
    if not isinstance(sign_fields, list) or any(
        not isinstance(item, dict)
        or set(item) - {"field_id", "actor_id"}
        or not all(isinstance(item.get(k), str) and item.get(k) for k in ("field_id", "actor_id"))
        for item in sign_fields
    ):
        raise ValidationFailed({path: ["Must be a list of objects with a field_id and an actor_id."]})
    return sign_fields


def fetch_document(url):
    """Download a PDF from a host on SIGNING_DOCUMENT_URL_ALLOWLIST (size-limited, no redirects)."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    allowlist = [h.lower() for h in settings.SIGNING_DOCUMENT_URL_ALLOWLIST]
    schemes = ("https",) if settings.PRODUCTION else ("https", "http")
    if (
        parts.scheme not in schemes
        or not host
        or not any(host == entry or (entry.startswith("*.") and host.endswith(entry[1:])) for entry in allowlist)
    ):
        raise ValidationFailed({"document_url": ["This host is not on the allowlist for documents to sign."]})
    limit = settings.MAX_UPLOAD_BYTES
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT_SECONDS, allow_redirects=False, stream=True) as response:
            if response.status_code != 200:
                raise ValidationFailed(
                    {"document_url": [f"The document could not be fetched (HTTP {response.status_code})."]}
                )
            content = b""
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > limit:
                    raise ValidationFailed({"document_url": [f"The document is larger than {limit} bytes."]})
    except requests.RequestException:
        raise ValidationFailed({"document_url": ["The document could not be fetched."]}) from None
    return content


def _pdf(content, field):
    """The PDF checked as any upload is (a PreparedFile)."""
    prepared = prepare_upload(content)
    if prepared.mime_type != PDF_TYPE:
        raise ValidationFailed({field: ["The document to sign must be a PDF."]})
    return prepared


def _check_contact(email, phone_number):
    errors = {}
    try:
        validate_email(email or "")
    except DjangoValidationError:
        errors["email"] = ["Must be a valid email address."]
    if phone_number and not E164.match(phone_number):
        errors["phone_number"] = ["Must be an E.164 phone number, e.g. +33612345678."]
    if errors:
        raise ValidationFailed(errors)


def signing_session_create(
    *,
    actor,
    email,
    phone_number="",
    redirect_url="",
    state="",
    document=None,
    document_url="",
    sign_fields=None,
    fill_fields=None,
    identity=None,
    address=None,
    name="",
    reference_id="",
    locale="en",
):
    """Open a signing session for one signer; returns (session, link) with the signer's link.

    Every sign field names the same actor (the signer); fill field variables
    must be known, and the PDF must hold every named field.
    """
    _check_contact(email, phone_number)
    sign_fields = validate_sign_fields(sign_fields or [])
    fill_fields = validate_fill_fields(fill_fields or [])
    signers = {item["actor_id"] for item in sign_fields}
    if len(signers) > 1:
        raise ValidationFailed({"sign_fields": ["A signing session has one signer: use the same actor_id."]})
    if bool(document) == bool(document_url):
        raise ValidationFailed({"document": ["Send either a document or a document_url."]})
    field = "document" if document else "document_url"
    prepared = _pdf(document if document else fetch_document(document_url), field)
    signing_pdf.check_fields(
        prepared.content, [i["field_id"] for i in sign_fields], [i["field_id"] for i in fill_fields]
    )
    workflow = signature_workflow(actor)
    # The session's id is chosen first so the PDF is stored, under its name, before the transaction.
    session_id = uuid.uuid4()
    with stored_then_committed([storage_entry_for(actor.organization_id, session_id, prepared)]) as [name]:
        try:
            session = services.session_create(
                actor=actor,
                session_id=session_id,
                workflow_id=workflow.id,
                name=name,
                reference_id=reference_id,
                locale=locale,
                redirect_url=redirect_url,
                state=state,
                applicants=[
                    {
                        "type": "natural_person",
                        "email": email,
                        "phone_number": phone_number,
                        "reference_id": next(iter(signers), ""),
                        "identity": identity,
                        "address": address,
                    }
                ],
            )
        except ValidationFailed as error:
            if "redirect_url" not in error.errors:
                raise
            raise ValidationFailed(
                {
                    **error.errors,
                    "redirect_url": [
                        f"This URL is not on the redirect allowlist of the {SIGNATURE_WORKFLOW_NAME!r} workflow "
                        "(its redirect_allowlist setting)."
                    ],
                }
            ) from None
        verification = session.verifications.select_for_update().get()
        verification.data = {
            **verification.data,
            "signature_request": {
                "sign_fields": sign_fields,
                "fill_fields": fill_fields,
                "document_url": document_url or "",
            },
        }
        verification.save(update_fields=["data", "updated_at"])
        link = services.links_generate(actor=actor, session_id=session.id)[0]
        documents_attach(
            actor=actor, verification_id=verification.id, files=[("", prepared, "document.pdf", name)], kind=PDF_TO_SIGN
        )
    session.refresh_from_db()
    return session, link


def signing_request(verification):
    """sign_fields / fill_fields / document_url: the session's own, else the workflow step's config."""
    own = verification.data.get("signature_request")
    if own:
        return own
    step = verification.session.workflow_version.step(verification.step_id) or {}
    config = step.get("config", {})
    return {
        "sign_fields": config.get("sign_fields", []),
        "fill_fields": config.get("fill_fields", []),
        "document_url": config.get("document_url", ""),
    }


def _signature_verification(actor, verification_id):
    verification = get_scoped(Verification, actor, verification_id)
    if verification.type != "signature":
        raise ValidationFailed({"verification_id": ["This verification is not a signature step."]})
    return verification


def _source_pdf(actor, verification, request):
    document = verification.documents.filter(kind=PDF_TO_SIGN, superseded=False).order_by("-created_at").first()
    if document is not None:
        with document.file.open("rb") as handle:
            return handle.read()
    if request.get("document_url"):
        prepared = _pdf(fetch_document(request["document_url"]), "document_url")
        services.document_add(
            actor=actor, verification_id=verification.id, content=prepared, filename="document.pdf", kind=PDF_TO_SIGN
        )
        return prepared.content
    raise ValidationFailed({"document": ["There is no PDF to sign for this step."]})


def _fields_of(request, applicant):
    """The signature fields this applicant signs: those naming them, else (a single signer) all of them."""
    names = {str(applicant.id), applicant.reference_id, applicant.label} - {""}
    fields = request.get("sign_fields", [])
    own = [f["field_id"] for f in fields if f["actor_id"] in names]
    return own or [f["field_id"] for f in fields]


def _prepared(actor, verification, now):
    """(source PDF, filled and flattened PDF, request) for one signature verification."""
    request = signing_request(verification)
    source = _source_pdf(actor, verification, request)
    fill = request.get("fill_fields", [])
    signing_pdf.check_fields(
        source, [f["field_id"] for f in request.get("sign_fields", [])], [f["field_id"] for f in fill]
    )
    context = context_for(verification.applicant, verification.session, now.date())
    values = {f["field_id"]: resolve(f["value"], context) for f in fill}
    return source, signing_pdf.fill_and_flatten(source, values), request


def signature_preview(*, actor, verification_id):
    """The filled, flattened PDF the signer is asked to sign (not yet signed)."""
    verification = _signature_verification(actor, verification_id)
    return _prepared(actor, verification, timezone.now())[1]


def signer_name(applicant):
    identity = applicant.identity or {}
    full = " ".join(p for p in (identity.get("first_name"), identity.get("last_name")) if p)
    return full or (applicant.company or {}).get("company_name") or applicant.email or "the signer"


def signature_sign(*, actor, verification_id, consent_text, ip="", user_agent=""):
    """Sign the step's PDF for its applicant and submit the step; returns the signed Document.

    The evidence (consent text, time, IP, user agent, hashes before and after)
    is submitted with the step and so kept in the verification's data.
    """
    if not isinstance(consent_text, str) or not consent_text.strip():
        raise ValidationFailed({"consent": ["Explicit consent is required to sign."]})
    verification = _signature_verification(actor, verification_id)
    if verification.session.status not in SESSION_OPEN_TO_APPLICANT:
        raise InvalidTransition.for_object(verification.session, "sign")
    if verification.status not in VERIFICATION_OPEN_FOR_DATA:
        raise InvalidTransition.for_object(verification, "sign")
    now = timezone.now()
    source, filled, request = _prepared(actor, verification, now)
    applicant = verification.applicant
    fields = signing_pdf.form_fields(source)
    boxes = signing_pdf.signature_boxes(fields, _fields_of(request, applicant))
    timestamp_url = settings.TIMESTAMP_URL or ""
    signed = signing_pdf.sign(
        filled,
        boxes,
        signing_certificate.signer(),
        signer_name=signer_name(applicant),
        reason=SIGNING_REASON,
        timestamp_url=timestamp_url,
    )
    certificate = signing_certificate.certificate()
    evidence = {
        "consent_text": consent_text.strip()[:2000],
        "consented_at": now.isoformat(),
        "ip": (ip or "")[:45],
        "user_agent": (user_agent or "")[:500],
        "source_sha256": signing_pdf.sha256(source),
        "filled_sha256": signing_pdf.sha256(filled),
        "signed_sha256": signing_pdf.sha256(signed),
        "signature_fields": [name for name, _, _ in boxes],
        "certificate_subject": certificate.subject.human_friendly,
        "certificate_sha256": certificate.sha256.hex(),
        "timestamped": bool(timestamp_url),
    }
    files = [("", signed, "signed.pdf")]
    with documents_sending(actor=actor, verification_id=verification.id, files=files, kind=SIGNED_PDF) as sent:
        # Document and submission commit together: a signature raced by another is refused whole.
        if sent.refused:
            raise ValidationFailed(sent.refused)
        [document] = sent.documents
        submit_locked(
            actor,
            sent.session,
            sent.verification,
            {"signature_evidence": {**evidence, "document_id": str(document.id)}},
        )
        # The audit chain outlives erasure, so it keeps the hashes and never the IP or user agent.
        record_event(
            actor=actor,
            action="signature.signed",
            obj=sent.verification,
            session=sent.session,
            data={
                key: evidence[key]
                for key in ("source_sha256", "filled_sha256", "signed_sha256", "certificate_sha256", "timestamped")
            },
        )
    return document
