"""Appending to and verifying the per-organization hash chain of events.

Each link is an HMAC under AUDIT_CHAIN_KEY, a key kept outside the database: someone who
can write to the database but does not hold the key cannot recompute the chain after an
edit. The chain is verified periodically (a broken one is logged as an error and marked on
the dashboard for admins) and on demand (`manage.py verify_audit`).
"""

import logging
from contextlib import contextmanager

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
    which is done before any transaction: onboarding.storage).

    Inside appended_together the event waits for the block's end, where it joins the chain with
    the block's other events."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "events are written with the change they record"
    event = Event(
        organization_id=actor.organization_id,
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
    )
    batch = getattr(connection, "audit_batch", None)
    if batch is None:
        record_events([event])
    elif batch.in_savepoint(connection):
        # In a savepoint opened within the block: rolled back alone, the event must leave the
        # chain with it, so it is appended now (after the ones waiting, to keep their order).
        batch.lock(actor.organization_id)
        batch.appended_through = record_events([*batch.take(), event], organization_locked=True)[-1].sequence
    else:
        batch.join(actor.organization_id)
        batch.events.append(event)
    return event


def record_events(events, *, organization_locked=False, carried=()):
    """Append `events` (Event objects of one organization, not yet saved, in the order they
    happened) as consecutive links of its chain: one lock of the head, one insert, one update of
    the head, however many they are. `organization_locked`: the caller already holds the
    organization's write turn (lock_organization) in this transaction. `carried` (PostgreSQL
    only): (sql, params) of data-modifying statements the append's own statement runs with it."""
    if not events:
        return events
    [organization_id] = {event.organization_id for event in events}
    head = locked_head(organization_id, organization_locked=organization_locked)
    sequence, previous = head.sequence, head.hash or GENESIS
    for event in events:
        sequence += 1
        event.sequence, event.prev_hash = sequence, previous
        event.hash = previous = event.compute_hash()
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        _insert_moving_head(connection, events, organization_id, sequence, previous, carried)
    else:
        Event.objects.bulk_create(events)
        AuditHead.objects.filter(organization_id=organization_id).update(sequence=sequence, hash=previous)
    return events


def _insert_moving_head(connection, events, organization_id, sequence, head_hash, carried):
    """record_events' insert and the head's update in one statement (PostgreSQL runs a
    data-modifying WITH in the same snapshot as its main statement), with the `carried` ones:
    every change of every organization appends, so the statement's building and its round trip
    count on each one."""
    fields = Event._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    writes = [f"head AS (UPDATE {AuditHead._meta.db_table} SET sequence = %s, hash = %s WHERE organization_id = %s)"]
    params = [sequence, head_hash, organization_id]
    for index, (sql, carried_params) in enumerate(carried):
        writes.append(f"carried_{index} AS ({sql})")
        params += carried_params
    for event in events:
        params += [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {', '.join(writes)} "
            f"INSERT INTO {Event._meta.db_table} ({columns}) VALUES {', '.join([row] * len(events))}",
            params,
        )
    for event in events:
        event._state.adding = False
        event._state.db = connection.alias


class _Batch:
    """What an appended_together block has recorded and not yet written."""

    def __init__(self, depth):
        self.depth = depth  # how many atomic blocks were open when the block began
        self.organization_id = None
        self.locked = False
        self.events = []
        self.appended_through = None  # the head's sequence after events appended within a savepoint
        self.deferred = {}  # name: (what callers gathered, what applies it, its statement or None)

    def in_savepoint(self, connection):
        return any(connection.savepoint_ids[self.depth :])

    def join(self, organization_id):
        assert self.organization_id in (None, organization_id), "one organization's chain per block"
        self.organization_id = organization_id

    def lock(self, organization_id=None):
        if organization_id is not None:
            self.join(organization_id)
        if not self.locked:
            lock_organization(self.organization_id)
            self.locked = True

    def take(self):
        events, self.events = self.events, []
        return events

    def write(self):
        if self.organization_id is None:
            return  # nothing recorded
        if not self.events:
            self.lock()  # the deferred changes are written under the organization's turn all the same
        if self.appended_through is not None:
            # Those events were appended inside a savepoint with the ones waiting before them: if
            # that savepoint was rolled back (and its error caught), the waiting ones went with it.
            head = locked_head(self.organization_id, organization_locked=True)
            if head.sequence != self.appended_through:
                raise RuntimeError("audit events appended together were rolled back with a savepoint")
        events = self.take()
        # On PostgreSQL, a deferred write given as a statement runs in the append's own statement.
        carrying = bool(events) and transaction.get_connection().vendor == "postgresql"
        carried, applied = [], []
        for gathered, apply, statement in self.deferred.values():
            if carrying and statement is not None:
                carried.append(statement(gathered))
            else:
                applied.append((apply, gathered))
        # Unless a savepoint took it already, the turn is taken with the chain's head (locked_head).
        record_events(events, organization_locked=self.locked, carried=[sql for sql in carried if sql is not None])
        self.locked = True
        for apply, gathered in applied:
            apply(gathered)


@contextmanager
def appended_together():
    """The events recorded in the block (record_event) join the chain together at its end, in
    one append (record_events) instead of one per event: a change that records several (a
    session created and moved on by the data given with it) takes the organization's write turn
    and locks and updates the chain's head once, and holds them only from its end to its commit.
    Each event is as record_event would have written it at its own moment: the same fields,
    created_at and order.

    For the block whose only writes before its end are rows it creates (nothing else could be
    waiting for them); a service in it that locks existing rows takes the organization's turn
    first itself, as everywhere (lock_organization). A block nested in another leaves its events
    to the outer one; an exception drops them with the transaction."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "events are written with the change they record"
    if getattr(connection, "audit_batch", None) is not None:
        yield
        return
    batch = connection.audit_batch = _Batch(len(connection.savepoint_ids))
    try:
        yield
        batch.write()
    finally:
        connection.audit_batch = None


def deferred_to_append(organization_id, name, apply, statement=None):
    """Inside appended_together (and outside any savepoint opened in it): a dict, the same for
    every caller of `name` in the block, that `apply` receives once the block's events are
    appended, under the organization's write turn, so changes a block makes several times (a
    count moved twice) are written once. None elsewhere: the caller writes at once.

    `statement(gathered)`: the same write as (sql, params) of one data-modifying statement (None:
    nothing to write), which on PostgreSQL the append's own statement runs instead (one round trip
    less for every block)."""
    connection = transaction.get_connection()
    batch = getattr(connection, "audit_batch", None)
    if batch is None or batch.in_savepoint(connection):
        return None
    batch.join(organization_id)
    return batch.deferred.setdefault(name, ({}, apply, statement))[0]


def locked_head(organization_id, *, organization_locked=False):
    """The organization's chain head, locked (its row made on the first event: two first events
    at once insert it once, the second waiting for the first to commit)."""
    if not organization_locked:
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            head = _lock_turn_and_head(connection, organization_id)
            if head is not None:
                return head
        lock_organization(organization_id)
    head = AuditHead.objects.select_for_update().filter(organization_id=organization_id).first()
    if head is None:
        AuditHead.objects.bulk_create([AuditHead(organization_id=organization_id)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(organization_id=organization_id)
    return head


def _lock_turn_and_head(connection, organization_id):
    """The organization's write turn and its chain head taken in one statement, in that order
    (PostgreSQL locks a row of each table in the order the locking clauses name them, so the
    lock order stays the one lock_organization describes); None before the first event."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT head.sequence, head.hash FROM {AuditHead._meta.db_table} head "
            f"JOIN {Organization._meta.db_table} organization ON organization.id = head.organization_id "
            "WHERE head.organization_id = %s FOR NO KEY UPDATE OF organization FOR UPDATE OF head",
            [organization_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return AuditHead(organization_id=organization_id, sequence=row[0], hash=row[1])


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
