"""Joining an organization: an admin invites an email address with a role, Threshold mails a
single-use, expiring link, and whoever opens it signs up (or logs in) and becomes a member of
that organization only.

People are never added by username: that let an admin attach another organization's user,
and showed them that user's email.
"""

import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from onboarding.actors import Actor
from onboarding.audit import lock_organization, record_event
from onboarding.errors import InvitationUnavailable, ValidationFailed
from onboarding.models import Invitation, Membership, Role
from onboarding.services.links import hash_token
from onboarding.tenancy import get_scoped, scoped

logger = logging.getLogger(__name__)

INVITATION_TTL = timedelta(days=3)


def invitation_url(token):
    # In the query string: access logs (gunicorn's and nginx's, see deploy/) never write it.
    return f"{settings.PUBLIC_BASE_URL}/dashboard/invitation/?token={token}"


def invitation_create(*, actor, email, role, invited_by=None):
    """Invite `email` as `role` and mail the link. Returns (invitation, mailed).

    An earlier open invitation of the same address is revoked: one live link per person.
    """
    invitation, token = _invitation_create(actor=actor, email=email, role=role, invited_by=invited_by)
    organization = invitation.organization
    body = render_to_string(
        "emails/invitation.txt",
        {"organization": organization, "invitation": invitation, "url": invitation_url(token)},
    )
    try:
        EmailMessage(f"Join {organization.name} on Threshold", body, to=[invitation.email]).send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.error("Invitation %s not mailed: %s", invitation.id, type(exc).__name__)
        return invitation, False
    return invitation, True


@transaction.atomic
def _invitation_create(*, actor, email, role, invited_by):
    if role not in Role.values:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(Role.values)}."]})
    email = get_user_model().objects.normalize_email(email.strip())
    members = Membership.objects.filter(organization_id=actor.organization_id, user__email__iexact=email)
    if members.exists():
        raise ValidationFailed({"email": ["A member of this organization already has this address."]})
    now = timezone.now()
    open_ones = scoped(Invitation, actor).filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
    open_ones.update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization_id=actor.organization_id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_TTL,
    )
    record_event(actor=actor, action="member.invited", obj=invitation, data={"role": role})
    return invitation, token


@transaction.atomic(durable=True)
def invitation_revoke(*, actor, invitation_id):
    invitation = get_scoped(Invitation, actor, invitation_id, lock=True)
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        record_event(actor=actor, action="member.invitation_revoked", obj=invitation)
    return invitation


def invitation_open(token_hash, *, lock=False):
    """The open invitation with this token hash, or InvitationUnavailable (unknown, used, revoked, expired alike)."""
    queryset = Invitation.objects.select_related("organization").filter(token_hash=token_hash or "-")
    invitation = queryset.first()
    if invitation is not None and lock:
        lock_organization(invitation.organization_id)
        invitation = queryset.select_for_update(of=("self",)).first()
    if invitation is None or not invitation.is_open:
        raise InvitationUnavailable()
    return invitation


@transaction.atomic
def invitation_accept(*, token_hash, user):
    """`user` joins the invitation's organization with its role (a member already keeps their role)."""
    invitation = invitation_open(token_hash, lock=True)
    membership, joined = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    record_event(
        actor=Actor.for_user(user, invitation.organization),
        action="member.joined" if joined else "member.invitation_accepted",
        obj=membership,
        data={"role": membership.role, "invitation": str(invitation.id)},
    )
    return membership


@transaction.atomic(durable=True)
def invitation_sign_up(*, token_hash, username, password):
    """A new login for the invitee, who joins the organization with it. Returns the membership."""
    invitation = invitation_open(token_hash, lock=True)
    users = get_user_model()
    username = username.strip()
    errors = {}
    try:
        users.username_validator(username)
    except ValidationError as exc:
        errors["username"] = exc.messages
    if not errors and (not username or users.objects.filter(username__iexact=username).exists()):
        errors["username"] = ["This username cannot be used: choose another."]
    try:
        validate_password(password, users(username=username, email=invitation.email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationFailed(errors)
    user = users.objects.create_user(username=username, email=invitation.email, password=password)
    return invitation_accept(token_hash=token_hash, user=user)
