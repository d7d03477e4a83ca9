"""Emails to applicants through Django's email backend (SMTP in production, the console in
development): their link, a reminder before it expires, and the decision when the workflow
asks for it. Each mail sent is an audit event; no token is ever written to the trail.

Mails go out after the transaction that made their link commits, so none carries a link
that does not exist; a mail server that refuses them is reported, never hidden.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onboarding.actors import Actor
from onboarding.audit import lock_organization, record_event
from onboarding.models import SESSION_OPEN_TO_APPLICANT, Applicant, ApplicantStatus, Session, SessionStatus
from onboarding.services.links import Link, links_generate

logger = logging.getLogger(__name__)

SENT, NO_ADDRESS, FAILED = "sent", "no_address", "failed"
# Applicants a reminder is for: they have a link and have not sent everything yet.
STILL_WORKING = (ApplicantStatus.NOTIFIED, ApplicantStatus.IN_PROGRESS)
DECISIONS = {SessionStatus.APPROVED: "approved", SessionStatus.REJECTED: "not_approved"}


@dataclass(frozen=True)
class SentLink:
    link: Link
    email: str  # SENT, NO_ADDRESS or FAILED

    # Read like the Link it carries (the API serializes both alike).
    applicant = property(lambda self: self.link.applicant)
    url = property(lambda self: self.link.url)
    expires_at = property(lambda self: self.link.expires_at)


def links_send(*, actor, session_id, applicant_ids=None):
    """New links for the session's applicants (or the given ones), each emailed to its applicant.

    Every earlier link of those applicants stops working, as with links_generate.
    """
    links = links_generate(actor=actor, session_id=session_id, applicant_ids=applicant_ids)
    return [SentLink(link, _mail(actor, link.applicant, "link", {"link": link})) for link in links]


def reminders_send(now=None):
    """Email a fresh link to applicants whose link expires within their workflow's reminder window.

    One reminder per link: a link the reminder (or anyone) regenerates gets its own, later.
    Returns the number of reminders sent.
    """
    now = now or timezone.now()
    candidates = (
        Applicant.objects.filter(
            status__in=STILL_WORKING,
            reminded_at__isnull=True,
            link_expires_at__gt=now,
            session__status__in=SESSION_OPEN_TO_APPLICANT,
            session__workflow_version__settings__reminder_hours_before_expiry__gt=0,
        )
        .exclude(email="")
        .select_related("session__workflow_version")
    )
    sent = 0
    for applicant in candidates.iterator():
        hours = applicant.session.workflow_version.setting("reminder_hours_before_expiry")
        if applicant.link_expires_at > now + timedelta(hours=hours):
            continue
        link = _remind(applicant.id, now)
        if link is None:
            continue
        outcome = _mail(Actor.system(applicant.organization_id), link.applicant, "reminder", {"link": link})
        if outcome == FAILED:
            # The old link is gone: the next run tries again with a new one.
            Applicant.objects.filter(id=applicant.id).update(reminded_at=None)
        sent += outcome == SENT
    return sent


@transaction.atomic
def _remind(applicant_id, now):
    """Claim the reminder (a second run finds it taken) and make the link it carries."""
    lock_organization(Applicant.objects.values_list("organization_id", flat=True).get(id=applicant_id))
    applicant = Applicant.objects.select_for_update().get(id=applicant_id)
    if applicant.reminded_at is not None or applicant.status not in STILL_WORKING:
        return None
    actor = Actor.system(applicant.organization_id)
    [link] = links_generate(actor=actor, session_id=applicant.session_id, applicant_ids=[applicant.id])
    Applicant.objects.filter(id=applicant.id).update(reminded_at=now)
    return link


def outcome_notice_send(session_id, decided_at):
    """Tell each applicant the decision taken at `decided_at`, once (a rerun or a later decision is not it)."""
    session = Session.objects.select_related("organization", "workflow_version").get(id=session_id)
    if session.status not in DECISIONS or session.decided_at is None or session.decided_at.isoformat() != decided_at:
        return 0
    actor = Actor.system(session.organization_id)
    sent = 0
    for applicant in session.applicants.exclude(email=""):
        already = session.events.filter(
            action="applicant.emailed", object_id=applicant.id, data__kind="outcome", data__decided_at=decided_at
        ).exists()
        if not already:
            context = {"outcome": DECISIONS[session.status], "decided_at": decided_at}
            sent += _mail(actor, applicant, "outcome", context) == SENT
    return sent


def _subject(kind, organization, context):
    if kind == "outcome" and context["outcome"] == "approved":
        return _("Your verification with %(name)s is approved") % {"name": organization.name}
    if kind == "outcome":
        return _("Your verification with %(name)s") % {"name": organization.name}
    if kind == "reminder":
        return _("Reminder: your verification with %(name)s") % {"name": organization.name}
    return _("Verify your identity for %(name)s") % {"name": organization.name}


def _mail(actor, applicant, kind, context):
    """Render and send one mail in the session's language; record it. Returns SENT, NO_ADDRESS or FAILED."""
    if not applicant.email:
        return NO_ADDRESS
    session = applicant.session
    organization = session.organization
    with translation.override(session.locale):
        context = {
            **context,
            "organization": organization,
            "applicant": applicant,
            "contact": organization.support_contact or organization.name,
        }
        subject = _subject(kind, organization, context)
        body = render_to_string(f"emails/{kind}.txt", context)
    try:
        EmailMessage(subject, body, to=[applicant.email]).send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.error("Email to applicant %s not sent: %s", applicant.id, type(exc).__name__)
        return FAILED
    data = {"kind": kind, **({"decided_at": context["decided_at"]} if kind == "outcome" else {})}
    with transaction.atomic():
        record_event(actor=actor, action="applicant.emailed", obj=applicant, session=session, data=data)
    return SENT
