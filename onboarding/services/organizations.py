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
    """Create a login in the organization, or change the role of one of its members.

    An existing login is never attached from here, whoever's it is: people join an
    organization by accepting an invitation (services.invitations).
    """
    if role not in Role.values:
        raise ValidationFailed({"role": [f"Must be one of: {', '.join(Role.values)}."]})
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    if not created and not Membership.objects.filter(organization_id=actor.organization_id, user=user).exists():
        raise ValidationFailed({"username": ["This username cannot be used: invite people by email instead."]})
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
