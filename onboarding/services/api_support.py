"""What the API needs beyond the shared services: the storage behind Idempotency-Key
(one record per key and Idempotency-Key, 24 hours, its response encrypted), and the few operations
that compose services in one request."""

import base64
import json
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import Enum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onboarding.audit import appended_together
from onboarding.errors import ValidationFailed
from onboarding.models import IdempotencyRecord
from onboarding.services.documents import documents_attach, storage_entry_for
from onboarding.services.given_input import given_input_submit
from onboarding.services.links import links_generate
from onboarding.services.review import session_decide
from onboarding.services.sessions import created_verifications, session_create, session_update
from onboarding.storage import stored_then_committed
from onboarding.uploads import prepare_upload

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
            record = IdempotencyRecord.objects.create(
                api_key=api_key, key=key, request_hash=fingerprint, created_at=now
            )
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
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac("threshold.idempotency", "replay", secret=key, algorithm="sha256").digest()
                )
            )
            for key in keys
        ]
    )


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


def idempotency_forget_sessions(organization_id, session_ids):
    """Stored replies about erased sessions now answer with the session's id only (they held
    its personal data as it was). Records live 24 hours: a handful per organization to open."""
    wanted = {str(i) for i in session_ids}
    for record in IdempotencyRecord.objects.filter(
        api_key__organization_id=organization_id, response_status__isnull=False
    ):
        try:
            body = idempotency_response(record)
        except ReplayUnreadable:
            continue
        if isinstance(body, dict) and str(body.get("id")) in wanted:
            idempotency_store(record, record.response_status, {"id": body["id"], "data_anonymized": True})


def idempotency_purge(now=None):
    """Delete records past their 24 hours; returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    return deleted


# --- Compositions of services the API offers in one request ---------------------------------


@dataclass(frozen=True)
class Upload:
    step_id: str
    content: bytes  # or the PreparedFile made of it before the transaction
    filename: str = ""
    kind: str = ""
    side: str = ""


def session_create_with_documents(*, actor, documents=(), links=False, **fields):
    """session_create, then each upload attached to the first applicant's verification of its step,
    and every step the given data completes submitted (services.given_input).

    Returns (session, links, pending): with `links`, every applicant's link is generated at once
    (None otherwise); `pending` lists the steps given only part of their input. All or nothing:
    a refused file leaves no session behind, and no file stored. Files are checked, re-encoded
    and stored before the transaction starts.
    metadata.subject_id (the integrator's own subject) is the session's reference_id
    unless one is given.
    """
    prepared = []
    for index, upload in enumerate(documents):
        try:
            prepared.append(replace(upload, content=prepare_upload(upload.content)))
        except ValidationFailed as exc:
            raise ValidationFailed(
                {f"input.documents[{index}]": [m for ms in exc.errors.values() for m in ms]}
            ) from None
    subject_id = (fields.get("metadata") or {}).get("subject_id")
    if subject_id and not fields.get("reference_id"):
        fields["reference_id"] = str(subject_id)[:200]
    if not composed(prepared, links, fields):
        return session_create(actor=actor, **fields), None, []  # one transaction, no savepoint
    if not prepared and not links:
        # Data alone: its submissions move the session's objects on before their rows are written,
        # so each row is inserted once, as it ends up, and never updated. One append to the audit
        # chain for all the events (the session created, its steps submitted, the session activated).
        pending = []
        with transaction.atomic(durable=True), appended_together():
            session = session_create(
                actor=actor,
                moved_on=lambda new: pending.extend(given_input_submit(actor=actor, session=new)),
                **fields,
            )
        return session, None, pending
    # The session's id is chosen first so its files are stored, under its name, before the transaction.
    session_id = uuid.uuid4()
    entries = [storage_entry_for(actor.organization_id, session_id, upload.content) for upload in prepared]
    # One transaction, and one append to the audit chain for all its events.
    with stored_then_committed(entries) as names, appended_together():
        session = session_create(actor=actor, session_id=session_id, **fields)
        verifications, with_files = {}, set()
        for verification in created_verifications(session):
            verifications.setdefault(verification.step_id, verification)
        for index, (upload, name) in enumerate(zip(prepared, names)):
            verification = verifications.get(upload.step_id)
            if verification is None:
                raise ValidationFailed({f"input.documents[{index}].step_id": ["No step of this id takes documents."]})
            with_files.add(verification.id)
            try:
                documents_attach(
                    actor=actor,
                    verification_id=verification.id,
                    files=[(upload.side, upload.content, upload.filename, name)],
                    kind=upload.kind,
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    {f"input.documents[{index}]": [m for ms in exc.errors.values() for m in ms]}
                ) from None
        pending = given_input_submit(actor=actor, session=session, with_files=with_files)
        # Last: links_generate works on rows it reads itself, which leaves the session's own objects
        # (moved on by the submissions) as they are.
        generated = links_generate(actor=actor, session_id=session.id) if links else None
        return session, generated, pending


def composed(documents, links, fields):
    """Whether a creation does more than session_create: files to attach, links to make, or form
    data given that may complete a step (documents alone complete the others)."""
    given_forms = [(fields.get("input") or {}).get("form")] + [
        person.get("form") for person in fields.get("applicants") or [] if isinstance(person, dict)
    ]
    return bool(documents or links or any(given_forms))


@transaction.atomic(durable=True)
def session_change(*, actor, session_id, status=None, notes="", reasons=(), **bookkeeping):
    """PATCH /sessions/{id}: a decision and bookkeeping (assignee, priority, metadata) together or not at all."""
    if bookkeeping:
        session_update(actor=actor, session_id=session_id, **bookkeeping)
    if status is not None:
        session_decide(actor=actor, session_id=session_id, status=status, note=notes, reasons=reasons)
