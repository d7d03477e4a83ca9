import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onboarding import services
from onboarding.audit import appended_together, current_head, record_event, record_events, verify_chain
from onboarding.models import AppendOnlyError, Event
from onboarding.services.common import apply_transition
from tests.factories import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def chained(session, actor):
    services.links_generate(actor=actor, session_id=session.id)
    services.session_add_note(actor=actor, session_id=session.id, note="called the customer")
    return session.organization


def test_intact_chain_verifies(chained):
    assert Event.objects.filter(organization=chained).count() >= 5
    assert verify_chain(chained) == (True, None)


def test_events_refuse_edits_and_deletes_through_the_orm(chained):
    event = Event.objects.filter(organization=chained).first()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_an_edited_event_is_detected(chained):
    event = Event.objects.filter(organization=chained).order_by("sequence")[2]
    # Bypass the ORM guard as an attacker with database access would.
    Event.objects.filter(id=event.id).update(note="nothing happened here")
    assert verify_chain(chained) == (False, event.sequence)


def test_a_deleted_event_is_detected(chained):
    event = Event.objects.filter(organization=chained).order_by("sequence")[1]
    # A raw DELETE, bypassing the model's guard.
    Event.objects.filter(id=event.id)._raw_delete(Event.objects.db)
    assert verify_chain(chained) == (False, event.sequence)


def test_removing_the_newest_event_is_detected(chained):
    last = Event.objects.filter(organization=chained).order_by("-sequence").first()
    Event.objects.filter(id=last.id)._raw_delete(Event.objects.db)
    ok, _ = verify_chain(chained)
    assert not ok


def test_chains_are_per_organization(chained, other_org):
    services.workflow_create(actor=system(other_org), name="Other", steps=[{"type": "selfie"}])
    first = Event.objects.filter(organization=other_org).order_by("sequence").first()
    assert first.sequence == 1 and first.prev_hash == "0" * 64
    assert verify_chain(chained) == (True, None)
    assert verify_chain(other_org) == (True, None)


def newest(organization, count):
    return list(Event.objects.filter(organization=organization).order_by("-sequence")[:count])[::-1]


def note(actor, session, text):
    record_event(actor=actor, action="session.note", obj=session, session=session, note=text)


def test_several_events_appended_at_once_are_consecutive_links(session, actor):
    organization = session.organization
    before, _ = current_head(organization)
    events = [
        Event(organization_id=organization.id, session=session, session_ref=session.id, action=f"test.{n}")
        for n in range(3)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        record_events(events)
    # The organization's turn, the head's lock, one insert, one update of the head: on PostgreSQL the
    # turn and the lock in one statement, the insert and the update in another.
    statements = 2 if connection.vendor == "postgresql" else 4
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == statements
    assert [e.action for e in newest(organization, 3)] == ["test.0", "test.1", "test.2"]
    assert [e.sequence for e in newest(organization, 3)] == [before + 1, before + 2, before + 3]
    assert current_head(organization) == (before + 3, events[-1].hash)
    assert verify_chain(organization) == (True, None)


def test_events_appended_together_join_the_chain_at_the_blocks_end_in_their_order(session, actor):
    organization = session.organization
    before, _ = current_head(organization)
    with transaction.atomic():
        with appended_together():
            note(actor, session, "first")
            apply_transition(session, "activate", actor)
            note(actor, session, "last")
            assert current_head(organization)[0] == before  # nothing appended yet
        assert current_head(organization)[0] == before + 3
    events = newest(organization, 3)
    assert [e.action for e in events] == ["session.note", "session.activate", "session.note"]
    assert [e.note for e in (events[0], events[2])] == ["first", "last"]
    assert [e.sequence for e in events] == [before + 1, before + 2, before + 3]
    assert events[0].created_at <= events[1].created_at <= events[2].created_at
    assert verify_chain(organization) == (True, None)


def test_events_of_a_failed_block_are_not_appended(session, actor):
    organization = session.organization
    before = current_head(organization)
    with pytest.raises(ZeroDivisionError), transaction.atomic(), appended_together():
        note(actor, session, "never")
        raise ZeroDivisionError
    assert current_head(organization) == before
    assert verify_chain(organization) == (True, None)


def test_an_event_in_a_savepoint_keeps_its_place_among_events_appended_together(session, actor):
    organization = session.organization
    before, _ = current_head(organization)
    with transaction.atomic(), appended_together():
        note(actor, session, "before")
        with transaction.atomic():  # a service's own savepoint
            note(actor, session, "inside")
        note(actor, session, "after")
    assert [e.note for e in newest(organization, 3)] == ["before", "inside", "after"]
    assert current_head(organization)[0] == before + 3
    assert verify_chain(organization) == (True, None)


def test_a_rolled_back_savepoint_that_took_waiting_events_with_it_fails_the_block(session, actor):
    organization = session.organization
    before = current_head(organization)
    with pytest.raises(RuntimeError), transaction.atomic(), appended_together():
        note(actor, session, "waiting")
        try:
            with transaction.atomic():
                note(actor, session, "inside")
                raise ZeroDivisionError
        except ZeroDivisionError:
            pass
    assert current_head(organization) == before
    assert verify_chain(organization) == (True, None)
