"""Documents: which kinds a step accepts, which sides each kind needs, adding a file
(it replaces the earlier file of the same side, or of another kind) and submitting
a document step once every side is in. The portal and the API both go through here.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from onboarding.audit import record_event
from onboarding.errors import NotFound, ValidationFailed
from onboarding.models import CorrectionRequest, Document, Verification, document_storage_name
from onboarding.services.verifications import ensure_accepting, lock_chain, submit_locked, verification_submit
from onboarding.steps import DOCUMENT_STEP_TYPES, SINGLE_SIDED_KINDS, STEP_TYPES
from onboarding.storage import delete_files_on_commit, stored_then_committed
from onboarding.tenancy import get_scoped
from onboarding.uploads import PreparedFile, prepare_upload


def step_of(verification, version=None):
    """The verification's step in its workflow version (one attached by type may have none)."""
    version = version or verification.session.workflow_version
    return version.step(verification.step_id) or {
        "id": verification.step_id,
        "type": verification.type,
        "title": "",
        "config": {},
    }


def accepted_kinds(step):
    """The kinds of document a step lets the applicant choose from, or [] when there is no choice."""
    kinds = STEP_TYPES[step["type"]].document_kinds
    return ((step.get("config") or {}).get("document_types") or list(kinds)) if kinds else []


def default_kind(step):
    """The kind a document of this step has when the step offers no choice."""
    return (step.get("config") or {}).get("document_type") or STEP_TYPES[step["type"]].default_kind


def required_sides(step, kind):
    """The sides a document of this kind needs on this step ("" for a document without sides)."""
    sides = list(STEP_TYPES[step["type"]].sides)
    if kind in SINGLE_SIDED_KINDS or (step.get("config") or {}).get("require_back") is False:
        return sides[:1]
    return sides


def missing_sides(step, documents, kind):
    """The sides still missing among `documents` (the step's current ones) for a document of `kind`.

    A file sent without a side stands for the front: a passport has nothing else.
    """
    sides = required_sides(step, kind)
    have = {d.side or sides[0] for d in documents if d.kind == kind}
    return [side for side in sides if side not in have]


def current_documents(verification):
    return list(verification.documents.filter(superseded=False).order_by("created_at"))


def _check_kind(step, kind):
    kinds = accepted_kinds(step)
    # A file sent without a kind is read as whatever it turns out to be; a kind given must be one the step takes.
    if kind and kinds and kind not in kinds:
        raise ValidationFailed({"kind": [f"Choose the kind of document: {', '.join(kinds)}."]})


def document_add(*, actor, verification_id, content, filename="", kind="", side="", submit=False):
    """Check, store and attach one uploaded file (bytes, or a PreparedFile) to a verification; with
    `submit`, the step is submitted in the same transaction once every side is in (ValidationFailed
    names what is missing, the file being kept).

    Extraction runs when the step is submitted (verification_submit), on all
    of the step's files together (an ID card's front and back are read as one).
    """
    # Scope, kind and quota first, so another tenant's id or a link past its quota costs no work.
    verification = _document_step(actor, verification_id)
    _check_kind(step_of(verification), kind)
    _check_quota(verification)
    prepared = content if isinstance(content, PreparedFile) else prepare_upload(content)
    with _sending(actor, verification, [(side, prepared, filename)], kind) as sent:
        missing = submit_sent(actor, sent, kind, None) if submit else {}
    if missing:
        raise ValidationFailed(missing)
    return sent.documents[0]


def documents_send(*, actor, verification_id, files, kind="", data=None, submit=True):
    """The files sent together for a document step, attached, and the step submitted once every
    side its kind needs is in, in one transaction whatever the number of files; returns the
    documents attached.

    `files` lists (side, content, filename). A refused file is reported under its side ("document"
    for a step without sides) without losing the others, and the step is then not submitted.
    ValidationFailed, raised once the accepted files are committed, names what was refused or is
    still missing (as documents_submit does). With submit=False the files are only attached."""
    with documents_sending(actor=actor, verification_id=verification_id, files=files, kind=kind) as sent:
        errors = dict(sent.refused)
        if submit and not errors:
            errors.update(submit_sent(actor, sent, kind, data))
    if errors:
        raise ValidationFailed(errors)
    return sent.documents


@dataclass
class Sent:
    """Files a request sent, attached to their step in its transaction (whose chain is locked)."""

    session: object
    applicant: object
    verification: Verification
    documents: list  # those attached, in the order sent
    current: list  # the step's current documents, the last attached last
    refused: dict = field(default_factory=dict)  # side (or "document"): why its file was refused unstored


@contextmanager
def documents_sending(*, actor, verification_id, files, kind=""):
    """Attach the files a request sent ((side, bytes or PreparedFile, filename)) and run the block
    in the same transaction, with the step's chain locked; yields a Sent. Files are checked and
    re-encoded, then stored, before the transaction opens; they are deleted again unless it commits.
    A file refused by its check is left out (Sent.refused) and the others still sent."""
    verification = _document_step(actor, verification_id)
    _check_kind(step_of(verification), kind)
    _check_quota(verification, adding=len(files))
    refused, prepared = {}, []
    for side, content, filename in files:
        try:
            file = content if isinstance(content, PreparedFile) else prepare_upload(content)
        except ValidationFailed as exc:
            refused[side or "document"] = [message for messages in exc.errors.values() for message in messages]
            continue
        prepared.append((side, file, filename))
    with _sending(actor, verification, prepared, kind) as sent:
        sent.refused = refused
        yield sent


@contextmanager
def _sending(actor, scoped, prepared, kind):
    """Store checked files ((side, PreparedFile, filename)) for the step `scoped` (as _document_step
    read it), attach them in the request's transaction and run the block in it."""
    with stored_then_committed([storage_entry(scoped, file) for _side, file, _name in prepared]) as names:
        sent = _attach_all(actor, scoped, [(*file, name) for file, name in zip(prepared, names)], kind)
        yield sent
        # A step sent files is started; a submission in the block already marked it.
        _mark_started(sent.verification)


def documents_attach(*, actor, verification_id, files, kind=""):
    """Record files already stored for a step ((side, PreparedFile, filename, storage name)), in the
    transaction of the caller's stored_then_committed block; returns a Sent (its chain locked)."""
    verification = _document_step(actor, verification_id)
    _check_kind(step_of(verification), kind)
    sent = _attach_all(actor, verification, files, kind)
    _mark_started(sent.verification)
    return sent


def _attach_all(actor, scoped, files, kind):
    session, applicant, verification = lock_chain(actor, scoped.id, scoped=scoped)
    ensure_accepting(session, verification, "upload_document")
    _check_quota(verification, adding=len(files))
    documents, current = [], None
    for side, prepared, filename, name in files:
        current = _attach(actor, session, applicant, verification, prepared, name, filename, kind, side)
        documents.append(current[-1])
    current = current_documents(verification) if current is None else current
    return Sent(session, applicant, verification, documents, current)


def submit_sent(actor, sent, kind="", data=None):
    """Submit the step files were sent for, in the block of documents_sending; returns what keeps
    it from being submitted (nothing when it was)."""
    step = step_of(sent.verification, sent.session.workflow_version)
    kind = kind or (sent.current[-1].kind if sent.current else default_kind(step))
    missing = _missing_for_submission(sent.verification, step, sent.current, kind)
    if missing:
        return missing
    # The submission marks the step started and saves it.
    submit_locked(actor, sent.session, sent.verification, {**(data or {}), "document_kind": kind})
    return {}


def _document_step(actor, verification_id):
    verification = get_scoped(Verification, actor, verification_id, related=["session__workflow_version"])
    if verification.type not in DOCUMENT_STEP_TYPES:
        # A file on a form would fail the step before the applicant typed anything.
        raise ValidationFailed(
            {"file": [f"The step {verification.step_id!r} ({verification.type}) takes no documents."]}
        )
    return verification


def storage_entry(verification, prepared):
    return storage_entry_for(verification.organization_id, verification.session_id, prepared)


def storage_entry_for(organization_id, session_id, prepared):
    """(storage name, bytes) of a checked file of a session, as stored_then_committed takes them."""
    return document_storage_name(organization_id, session_id, prepared.extension), prepared.content


def _check_quota(verification, adding=1):
    """Uploads per step and per session (settings), every file ever sent counting, replaced or not:
    one link cannot fill the storage. Checked again under the session's lock when attaching."""
    counts = Document.objects.filter(session_id=verification.session_id).aggregate(
        step=Count("id", filter=Q(verification_id=verification.id)), session=Count("id")
    )
    for count, limit, message in (
        (
            counts["step"],
            settings.MAX_UPLOADS_PER_STEP,
            _(
                "This step has received the most files allowed (%(limit)d). "
                "Contact the company that sent you this link."
            ),
        ),
        (
            counts["session"],
            settings.MAX_UPLOADS_PER_SESSION,
            _(
                "This case has received the most files allowed (%(limit)d). "
                "Contact the company that sent you this link."
            ),
        ),
    ):
        if count + adding > limit:
            raise ValidationFailed({"file": [message % {"limit": limit}]})


def _attach(actor, session, applicant, verification, prepared, name, filename, kind, side):
    """Record a stored file on a verification whose chain the caller locked (and marks it started:
    _mark_started). Returns the step's current documents, this one last."""
    document = Document.objects.create(
        organization_id=session.organization_id,
        session=session,
        applicant=applicant,
        verification=verification,
        file=name,
        kind=kind[:60],
        side=side[:10],
        original_name=_safe_name(filename),
        mime_type=prepared.mime_type,
        size=prepared.size,
        sha256=prepared.sha256,
        page_count=prepared.page_count,
    )
    record_event(
        actor=actor,
        action="document.uploaded",
        obj=document,
        session=session,
        data={
            "verification_id": str(verification.id),
            "kind": document.kind,
            "side": document.side,
            "sha256": document.sha256,
            "mime_type": document.mime_type,
        },
    )
    return [*_supersede_replaced(actor, document), document]


def _mark_started(verification):
    if verification.started_at is None:
        verification.mark_started()
        verification.save(update_fields=["started_at", "updated_at"])


def _supersede_replaced(actor, document):
    """A step keeps one current file per side: a new one replaces the same side, or a file of another kind.
    Returns the earlier files still current."""
    earlier = Document.objects.filter(verification_id=document.verification_id, superseded=False).exclude(
        id=document.id
    )
    kept = []
    for old in earlier.order_by("created_at"):
        if old.side == document.side or old.kind != document.kind:
            # A replaced file was never checked: its object goes; its hash stays in the audit trail.
            stored, old.superseded, old.file = old.file.name, True, ""
            old.save(update_fields=["superseded", "file", "updated_at"])
            record_event(
                actor=actor,
                action="document.replaced",
                obj=old,
                session=document.session,
                data={"replaced_by": str(document.id), "sha256": old.sha256},
            )
            delete_files_on_commit([stored])
        else:
            kept.append(old)
    return kept


def _safe_name(filename):
    """A display-only name: printable characters, no path, bounded length."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in "\u202e\u202d\u200e\u200f")
    return name[:255]


def documents_submit(*, actor, verification_id, kind="", data=None):
    """Submit a document step once every side its kind needs is in (both sides when the kind is unknown).

    Errors name what is missing: `front`, `back`, `document` (a step without
    sides), or `documents` when a reviewer asked for a new file and none came since.
    """
    verification = get_scoped(Verification, actor, verification_id)
    step = step_of(verification)
    documents = current_documents(verification)
    kind = kind or (documents[-1].kind if documents else default_kind(step))
    _check_kind(step, kind)
    missing = _missing_for_submission(verification, step, documents, kind)
    if missing:
        raise ValidationFailed(missing)
    return verification_submit(
        actor=actor, verification_id=verification.id, data={**(data or {}), "document_kind": kind}
    )


def _missing_for_submission(verification, step, documents, kind):
    """What a document step still lacks to be submitted with `documents` (its current ones), by name."""
    if not _new_since_correction(verification, documents):
        return {"documents": ["Send a new document, as the reviewer asked."]}
    return {
        side or "document": [f"The {side} side of the document is missing." if side else "Add the document first."]
        for side in missing_sides(step, documents, kind)
    }


def _new_since_correction(verification, documents):
    """A document step reopened by a reviewer is resubmitted only with a document sent since."""
    asked = (
        CorrectionRequest.objects.filter(
            Q(applicant__isnull=True) | Q(applicant_id=verification.applicant_id),
            session_id=verification.session_id,
            step_id=verification.step_id,
            status="open",
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return asked is None or any(d.created_at >= asked for d in documents)


def get_document(*, actor, session_id, document_id):
    try:
        return get_scoped(Document, actor, document_id, session_id=session_id)
    except NotFound:
        raise NotFound("Document not found.") from None
