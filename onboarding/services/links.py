"""Applicant links: random tokens, stored only as hashes, expiring, killed on regeneration."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.audit import record_event
from onboarding.errors import InvalidTransition, LinkUnavailable
from onboarding.models import SESSION_OPEN_TO_APPLICANT, Applicant, ApplicantStatus, Session, SessionStatus
from onboarding.services.common import apply_transition, ensure_not_erased
from onboarding.tenancy import get_scoped

# Statuses in which no link opens any more.
LINKS_DEAD = (SessionStatus.EXPIRED, SessionStatus.CANCELLED)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token):
    return f"{settings.PUBLIC_BASE_URL}/s/{token}/"


@dataclass(frozen=True)
class Link:
    applicant: Applicant
    token: str
    expires_at: datetime

    @property
    def url(self):
        return link_url(self.token)


@transaction.atomic
def links_generate(*, actor, session_id, applicant_ids=None):
    """A fresh link for each applicant (or the given ones); any older token stops working.

    The plain tokens exist only in the returned links: they are never stored.
    """
    session = get_scoped(Session, actor, session_id, lock=True)
    ensure_not_erased(session)
    if session.status not in SESSION_OPEN_TO_APPLICANT:
        raise InvalidTransition.for_object(session, "generate_links")
    if session.status == SessionStatus.DRAFT:
        apply_transition(session, "activate", actor)
    ttl = timedelta(hours=session.workflow_version.setting("link_ttl_hours"))
    expires_at = min(timezone.now() + ttl, session.expires_at) if session.expires_at else timezone.now() + ttl
    applicants = session.applicants.select_for_update().order_by("created_at")
    if applicant_ids is not None:
        applicants = applicants.filter(id__in=applicant_ids)
    links = []
    for applicant in applicants:
        token = secrets.token_urlsafe(32)  # 256 bits
        applicant.link_token_hash = hash_token(token)
        applicant.link_expires_at = expires_at
        applicant.reminded_at = None  # a new link earns its own reminder
        applicant.save(update_fields=["link_token_hash", "link_expires_at", "reminded_at", "updated_at"])
        if applicant.status == ApplicantStatus.INITIATED:
            apply_transition(applicant, "notify", actor)
        record_event(
            actor=actor,
            action="applicant.link_generated",
            obj=applicant,
            session=session,
            data={"expires_at": expires_at.isoformat()},
        )
        links.append(Link(applicant, token, expires_at))
    return links


def link_resolve(token):
    """The applicant a link token opens, or LinkUnavailable (unknown, revoked, expired alike)."""
    if not token or len(token) > 200:
        raise LinkUnavailable()
    return link_resolve_hashed(hash_token(token))


def link_resolve_hashed(token_hash):
    """link_resolve for a token already hashed: the portal keeps only the hash after the first open,
    so a link regenerated, expired, cancelled or erased stops opening its pages at once."""
    if not token_hash:
        raise LinkUnavailable()
    applicant = (
        Applicant.objects.select_related("session", "session__workflow_version", "session__organization")
        .filter(link_token_hash=token_hash)
        .first()
    )
    if applicant is None:
        raise LinkUnavailable()
    session = applicant.session
    if applicant.link_expires_at is None or applicant.link_expires_at <= timezone.now():
        raise LinkUnavailable()
    if session.status in LINKS_DEAD or session.data_anonymized:
        raise LinkUnavailable()
    return applicant


@transaction.atomic
def applicant_open(*, applicant_id, actor):
    """The applicant opened their link: notified → in_progress (once)."""
    applicant = get_scoped(Applicant, actor, applicant_id, lock=True)
    if applicant.status == ApplicantStatus.NOTIFIED:
        apply_transition(applicant, "open_link", actor)
    return applicant


@transaction.atomic(durable=True)
def applicant_mark_finished(*, applicant_id, actor):
    """The applicant pressed Finish (once): the portal stops offering it."""
    applicant = get_scoped(Applicant, actor, applicant_id, lock=True)
    if applicant.finished_at is None:
        applicant.finished_at = timezone.now()
        applicant.save(update_fields=["finished_at", "updated_at"])
        record_event(actor=actor, action="applicant.finished", obj=applicant, session=applicant.session)
    return applicant
