"""Appending to and verifying the per-organization hash chain of events."""

from django.db import transaction

from onboarding.models import Event, Organization

GENESIS = "0" * 64


def record_event(*, actor, action, obj=None, session=None, from_status="", to_status="", note="", data=None):
    """Append one event. Must run inside the transaction of the change it records."""
    assert transaction.get_connection().in_atomic_block, "events are written with the change they record"
    # The organization row is the chain's head: locking it orders concurrent appends.
    organization = Organization.objects.select_for_update().get(id=actor.organization_id)
    event = Event(
        organization=organization,
        sequence=organization.audit_head_sequence + 1,
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
        data=data or {},
        prev_hash=organization.audit_head_hash or GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    Organization.objects.filter(id=organization.id).update(
        audit_head_sequence=event.sequence, audit_head_hash=event.hash
    )
    return event


def verify_chain(organization):
    """(True, None) when intact, else (False, sequence of the first broken link)."""
    organization.refresh_from_db(fields=["audit_head_sequence", "audit_head_hash"])
    previous, expected_sequence = GENESIS, 1
    for event in Event.objects.filter(organization=organization).order_by("sequence").iterator():
        if event.sequence != expected_sequence or event.prev_hash != previous or event.compute_hash() != event.hash:
            return False, expected_sequence
        previous, expected_sequence = event.hash, expected_sequence + 1
    if expected_sequence - 1 != organization.audit_head_sequence or previous != (
        organization.audit_head_hash or GENESIS
    ):
        return False, expected_sequence
    return True, None
