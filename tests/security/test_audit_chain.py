"""The audit chain is keyed: someone with database access alone cannot rewrite history unseen.
It is verified on demand and periodically; a broken chain is logged and shown to admins."""

import hashlib
import hmac
import logging

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from onboarding import services
from onboarding.audit import GENESIS, verify_chain
from onboarding.evidence import build_evidence_pack
from onboarding.models import AuditHead, Event
from onboarding.tasks import verify_audit_chains
from tests.factories import MembershipFactory, make_session, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def chained(org):
    session = make_session(org)
    services.links_generate(actor=system(org), session_id=session.id)
    services.session_add_note(actor=system(org), session_id=session.id, note="called the customer")
    return session


def rewrite_from(organization, sequence, note, digest):
    """What a database-only attacker does: edit one event, then recompute every hash from it
    onward and the head, with the hash function they have (`digest(text) -> hex`)."""
    previous = Event.objects.get(organization=organization, sequence=sequence - 1).hash if sequence > 1 else GENESIS
    for event in Event.objects.filter(organization=organization, sequence__gte=sequence).order_by("sequence"):
        if event.sequence == sequence:
            event.note = note
        event.prev_hash = previous
        event.hash = digest(event.canonical())
        Event.objects.filter(id=event.id).update(note=event.note, prev_hash=event.prev_hash, hash=event.hash)
        previous = event.hash
    AuditHead.objects.filter(organization=organization).update(hash=previous)


@pytest.mark.parametrize(
    "digest",
    [
        lambda text: hashlib.sha256(text.encode()).hexdigest(),
        lambda text: hmac.new(b"development-only-not-secret", text.encode(), hashlib.sha256).hexdigest(),
    ],
    ids=["plain sha256", "guessed key"],
)
def test_an_attacker_recomputing_the_hashes_is_detected(org, chained, digest):
    assert verify_chain(org) == (True, None)
    rewrite_from(org, 3, "nothing happened here", digest)
    assert verify_chain(org) == (False, 3)


def test_verify_audit_reports_and_marks_a_broken_chain_for_admins(org, chained, capsys, caplog):
    call_command("verify_audit")
    assert f"{org.slug}: intact" in capsys.readouterr().out
    admin, reviewer = (MembershipFactory(organization=org, role=role).user for role in ("admin", "reviewer"))
    Event.objects.filter(organization=org, sequence=2).update(note="edited")
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError) as failed:
        call_command("verify_audit", org.slug)
    assert failed.value.returncode == 1
    assert f"{org.slug}: BROKEN at event 2" in capsys.readouterr().out
    assert "audit chain" in caplog.text
    org.refresh_from_db()
    assert org.audit_broken_at is not None and org.audit_broken_sequence == 2
    admin_page, reviewer_page = (_inbox(user) for user in (admin, reviewer))
    assert "The audit trail failed verification at event 2" in admin_page
    assert "audit trail failed" not in reviewer_page


def _inbox(user):
    client = Client()
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_periodic_verification_is_scheduled_and_finds_broken_chains(org, other_org, chained):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "onboarding.tasks.verify_audit_chains" in schedule
    assert verify_audit_chains() == []
    Event.objects.filter(organization=org, sequence=1).update(note="edited")
    assert verify_audit_chains() == [str(org.id)]


def test_each_evidence_pack_carries_the_signed_head_of_the_chain(org, chained):
    pack = build_evidence_pack(chained)
    head = Event.objects.filter(organization=org).order_by("-sequence").first()
    chain = pack["audit_chain"]
    assert (chain["head_sequence"], chain["head_hash"], chain["algorithm"]) == (head.sequence, head.hash, "HMAC-SHA256")
    # Checkable offline with the audit key alone.
    expected = hmac.new(
        settings.AUDIT_CHAIN_KEY.encode(), f"{org.id}:{head.sequence}:{head.hash}".encode(), hashlib.sha256
    ).hexdigest()
    assert chain["head_signature"] == expected
