"""Appending to and verifying the per-organization hash chain of events.

Each link is an HMAC under AUDIT_CHAIN_KEY, a key kept outside the database: someone who
can write to the database but does not hold the key cannot recompute the chain after an
edit. The chain is verified periodically (a broken one is logged as an error and marked on
the dashboard for admins) and on demand (`manage.py verify_audit`).
"""

import logging

from django.db import transaction
from django.utils import timezone

from onboarding.models import AuditHead, Event, Organization, chain_hmac

GENESIS = "0" * 64
ALGORITHM = "HMAC-SHA256"
logger = logging.getLogger(__name__)


def record_event(*, actor, action, obj=None, session=None, from_status="", to_status="", note="", data=None):
    """Append one event. Must run inside the transaction of the change it records, after that
    change's rows are written: the chain's head stays locked until the transaction ends, so
    concurrent appends of an organization queue only for the rest of it (never for file work,
    which is done before any transaction: onboarding.storage)."""
    assert transaction.get_connection().in_atomic_block, "events are written with the change they record"
    head = locked_head(actor.organization_id)
    event = Event(
        organization_id=actor.organization_id,
        sequence=head.sequence + 1,
        session=session,
        session_ref=session.id if session else None,
        object_type=type(obj).__name__.lower() if obj is not None else "organization",
        object_id=getattr(obj, "pk", None) if obj is not None else None,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=actor.label,
        note=note or "",
        note_digest=chain_hmac(note) if note else "",
        data=data or {},
        prev_hash=head.hash or GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    AuditHead.objects.filter(organization_id=actor.organization_id).update(sequence=event.sequence, hash=event.hash)
    return event


def locked_head(organization_id):
    """The organization's chain head, locked (its row made on the first event: two first events
    at once insert it once, the second waiting for the first to commit)."""
    lock_organization(organization_id)
    head = AuditHead.objects.select_for_update().filter(organization_id=organization_id).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(organization_id=organization_id)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(organization_id=organization_id)
    return head


def lock_organization(organization_id):
    """Take the organization's write turn: the first lock of every change that appends events
    and locks rows it did not create (one lock order per organization: organization, session,
    applicant, verification, chain head), so no two of its changes wait on each other in a
    cycle; taken again by each append, where it is already held.

    FOR NO KEY UPDATE, not FOR UPDATE: a change that only adds rows of the organization (a
    webhook delivery, a workspace) share-locks it as it commits, where Django's foreign keys are
    checked; it must not queue behind an appending change, which may be waiting for its rows."""
    list(Organization.objects.select_for_update(no_key=True).filter(id=organization_id).values_list("id", flat=True))


def current_head(organization):
    """(sequence, hash) of the organization's newest event; (0, GENESIS) before the first."""
    head = AuditHead.objects.filter(organization_id=organization.id).first()
    return (head.sequence, head.hash or GENESIS) if head else (0, GENESIS)


def verify_chain(organization):
    """(True, None) when intact, else (False, sequence of the first broken link)."""
    head_sequence, head_hash = current_head(organization)
    previous, expected_sequence = GENESIS, 1
    for event in Event.objects.filter(organization=organization).order_by("sequence").iterator():
        if event.sequence != expected_sequence or event.prev_hash != previous or event.compute_hash() != event.hash:
            return False, expected_sequence
        # A note is either the one its digest covers, or blank (erased with its session's personal data).
        if event.note and chain_hmac(event.note) != event.note_digest:
            return False, expected_sequence
        previous, expected_sequence = event.hash, expected_sequence + 1
    if expected_sequence - 1 != head_sequence or previous != head_hash:
        return False, expected_sequence
    return True, None


def head_signature(organization_id, sequence, head_hash):
    return chain_hmac(f"{organization_id}:{sequence}:{head_hash or GENESIS}")


def chain_head(organization):
    """The chain's head and its signature, as an evidence pack carries them: whoever holds the
    audit key can check them offline, and a later pack's chain must extend this one."""
    sequence, head = current_head(organization)
    return {
        "organization_id": str(organization.id),
        "head_sequence": sequence,
        "head_hash": head,
        "head_signature": head_signature(organization.id, sequence, head),
        "algorithm": ALGORITHM,
    }


def audit_verify(organization):
    """verify_chain, and its outcome recorded: a broken chain is logged as an error and
    marked on the organization (admins see it on every dashboard page) until it verifies."""
    ok, sequence = verify_chain(organization)
    if ok:
        Organization.objects.filter(id=organization.id).update(audit_broken_at=None, audit_broken_sequence=None)
    else:
        logger.error("audit chain of organization %s is broken at event %s", organization.id, sequence)
        Organization.objects.filter(id=organization.id, audit_broken_at__isnull=True).update(
            audit_broken_at=timezone.now()
        )
        Organization.objects.filter(id=organization.id).update(audit_broken_sequence=sequence)
    return ok, sequence


def audit_verify_all():
    """Every organization's chain; returns the ids of the broken ones."""
    return [str(org.id) for org in Organization.objects.order_by("created_at") if not audit_verify(org)[0]]
