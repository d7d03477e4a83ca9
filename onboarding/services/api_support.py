"""What the API needs beyond the shared services: the storage behind Idempotency-Key
(one record per key and Idempotency-Key, 24 hours, its response encrypted), and the few operations
that compose services in one request or that only the API offers
(subsessions)."""

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onboarding.audit import record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import IdempotencyRecord, Session, SessionStatus
from onboarding.services.common import get_scoped
from onboarding.services.links import links_generate
from onboarding.services.review import session_decide
from onboarding.services.sessions import session_create, session_update
from onboarding.services.verifications import document_add
from onboarding.steps import RELATED_PARTY_ROLES

# A decided or erased parent takes no new related party.
CLOSED_FOR_PARTIES = (SessionStatus.APPROVED, SessionStatus.REJECTED, SessionStatus.EXPIRED)

IDEMPOTENCY_TTL = timedelta(hours=24)


class Claim(Enum):
    NEW = "new"  # first time: run the request, then store its response
    REPLAY = "replay"  # same request seen before: answer with the stored response
    MISMATCH = "mismatch"  # same key, other request
    IN_PROGRESS = "in_progress"  # same request, still running elsewhere


def idempotency_claim(*, api_key, key, fingerprint, now=None):
    """(record, Claim). A NEW record is committed at once so a concurrent duplicate sees it."""
    now = now or timezone.now()
    IdempotencyRecord.objects.filter(api_key=api_key, key=key, created_at__lt=now - IDEMPOTENCY_TTL).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(api_key=api_key, key=key, request_hash=fingerprint,
                                                      created_at=now)
        return record, Claim.NEW
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    if record is None:  # released by its owner between our insert and our read
        return idempotency_claim(api_key=api_key, key=key, fingerprint=fingerprint, now=now)
    if record.request_hash != fingerprint:
        return record, Claim.MISMATCH
    if record.response_status is None:
        return record, Claim.IN_PROGRESS
    return record, Claim.REPLAY


def _sealer():
    """Fernet keys derived from SECRET_KEY and its fallbacks, so a rotated key still opens recent replays."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([
        Fernet(base64.urlsafe_b64encode(salted_hmac("threshold.idempotency", "replay", secret=key,
                                                    algorithm="sha256").digest()))
        for key in keys
    ])


class ReplayUnreadable(Exception):
    """The stored response was sealed under a secret key that is no longer configured."""


def idempotency_store(record, status, body):
    sealed = _sealer().encrypt(json.dumps(body).encode()).decode()
    IdempotencyRecord.objects.filter(id=record.id).update(response_status=status, sealed_response=sealed)


def idempotency_response(record):
    """The stored response body of a REPLAY record."""
    try:
        return json.loads(_sealer().decrypt(record.sealed_response.encode()))
    except InvalidToken:
        raise ReplayUnreadable() from None


def idempotency_release(record):
    """Forget a claim whose request failed on the server, so the client may retry it."""
    IdempotencyRecord.objects.filter(id=record.id, response_status__isnull=True).delete()


def idempotency_purge(now=None):
    """Delete records past their 24 hours; returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    return deleted


# --- Compositions of services the API offers in one request ---------------------------------

@dataclass(frozen=True)
class Upload:
    step_id: str
    content: bytes
    filename: str = ""
    kind: str = ""
    side: str = ""


@transaction.atomic
def session_create_with_documents(*, actor, documents=(), links=False, **fields):
    """session_create, then each upload attached to the first applicant's verification of its step.

    Returns (session, links): with `links`, every applicant's link is generated at once
    (None otherwise). All or nothing: a refused file leaves no session behind.
    metadata.subject_id (the integrator's own subject) is the session's reference_id
    unless one is given.
    """
    subject_id = (fields.get("metadata") or {}).get("subject_id")
    if subject_id and not fields.get("reference_id"):
        fields["reference_id"] = str(subject_id)[:200]
    session = session_create(actor=actor, **fields)
    generated = links_generate(actor=actor, session_id=session.id) if links else None
    verifications = {}
    for verification in session.verifications.order_by("created_at"):
        verifications.setdefault(verification.step_id, verification)
    for index, upload in enumerate(documents):
        verification = verifications.get(upload.step_id)
        if verification is None:
            raise ValidationFailed({f"input.documents[{index}].step_id": ["No step of this id takes documents."]})
        try:
            document_add(actor=actor, verification_id=verification.id, content=upload.content,
                         filename=upload.filename, kind=upload.kind, side=upload.side)
        except ValidationFailed as exc:
            raise ValidationFailed({f"input.documents[{index}]": [m for ms in exc.errors.values() for m in ms]}) \
                from None
    return session, generated


@transaction.atomic
def session_change(*, actor, session_id, status=None, notes="", reasons=(), **bookkeeping):
    """PATCH /sessions/{id}: a decision and bookkeeping (assignee, priority, metadata) together or not at all."""
    if bookkeeping:
        session_update(actor=actor, session_id=session_id, **bookkeeping)
    if status is not None:
        session_decide(actor=actor, session_id=session_id, status=status, note=notes, reasons=reasons)


def related_parties_workflow_id(session):
    """The workflow a session's related parties go through: the related_parties step's, else the session's own."""
    for step in session.workflow_version.steps:
        if step["type"] == "related_parties" and step["config"].get("workflow_id"):
            return step["config"]["workflow_id"]
    return session.workflow_id


def subsession_create(*, actor, session_id, role="", workflow_id=None, **fields):
    """A related party (UBO, director, legal representative) as a subsession of `session_id`."""
    if role and role not in RELATED_PARTY_ROLES:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(RELATED_PARTY_ROLES)}."]})
    parent = get_scoped(Session, actor, session_id)
    if parent.parent_id:
        raise ValidationFailed({"session_id": ["A subsession cannot have subsessions."]})
    if parent.status in CLOSED_FOR_PARTIES:
        raise InvalidTransition.for_object(parent, "add_subsession")
    metadata = {**(fields.pop("metadata", None) or {}), **({"role": role} if role else {})}
    return session_create(actor=actor, workflow_id=workflow_id or related_parties_workflow_id(parent),
                          parent_id=parent.id, environment=parent.environment, metadata=metadata, **fields)


@transaction.atomic
def subsession_delete(*, actor, session_id, subsession_id):
    """Remove a related party whose applicants have not submitted anything yet; the audit trail keeps the record."""
    subsession = get_scoped(Session, actor, subsession_id, lock=True, parent_id=session_id)
    if subsession.status not in (SessionStatus.DRAFT, SessionStatus.ACTIVE, SessionStatus.EXPIRED):
        raise InvalidTransition.for_object(subsession, "delete_subsession")
    files = list(subsession.documents.values_list("file", flat=True))
    record_event(actor=actor, action="session.subsession_deleted", obj=subsession, session=subsession.parent,
                 data={"subsession_id": str(subsession.id)})
    subsession.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
