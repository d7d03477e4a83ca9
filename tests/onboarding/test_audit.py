import pytest

from onboarding import services
from onboarding.audit import verify_chain
from onboarding.models import AppendOnlyError, Event
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
