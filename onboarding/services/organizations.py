"""Organizations and their members."""

from django.contrib.auth import get_user_model
from django.db import transaction

from onboarding.actors import Actor
from onboarding.audit import record_event
from onboarding.errors import ValidationFailed
from onboarding.models import Membership, Organization, Role


@transaction.atomic
def organization_create(*, name, slug, support_contact=""):
    organization = Organization.objects.create(name=name, slug=slug, support_contact=support_contact)
    record_event(actor=Actor.system(organization.id), action="organization.created", obj=organization)
    return organization


@transaction.atomic
def member_set(*, actor, username, role, email="", password=None):
    """Add a user to the organization (creating the login if needed) or change their role."""
    if role not in Role.values:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(Role.values)}."]})
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.update_or_create(
        organization_id=actor.organization_id, user=user, defaults={"role": role}
    )
    record_event(actor=actor, action="member.set", obj=membership, data={"username": username, "role": role})
    return membership
