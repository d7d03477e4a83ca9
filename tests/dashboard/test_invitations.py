"""People join an organization by an emailed, single-use, expiring invitation; never by
an admin typing someone's username."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onboarding import services
from onboarding.errors import ValidationFailed
from onboarding.models import Event, Invitation, Membership
from tests.factories import MembershipFactory, system

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 7"
INVITATION_PAGE = "/dashboard/invitation/"


@pytest.fixture
def admin_client(client, org):
    client.force_login(MembershipFactory(organization=org, role="admin").user)
    return client


def invite(admin_client, mailoutbox, email="new.reviewer@example.org", role="reviewer"):
    """Invite through the members page; the link mailed."""
    response = admin_client.post(reverse("dashboard:members"), {"email": email, "role": role}, follow=True)
    assert f"Invitation sent to {email}." in response.content.decode()
    message = mailoutbox[-1]
    assert message.to == [email]
    return re.search(r"https?://\S+(/dashboard/invitation/\?token=[\w-]+)", message.body).group(1)


def opened(browser, url):
    """Open the mailed link: the token is traded for the session and the page is token-free."""
    response = browser.get(url)
    assert response.status_code == 302 and response["Location"] == INVITATION_PAGE
    return browser.get(INVITATION_PAGE)


def test_the_invitee_signs_up_and_joins_that_organization_only(admin_client, org, mailoutbox):
    url = invite(admin_client, mailoutbox)
    token = url.split("token=")[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # stored hashed
    browser = Client()
    page = opened(browser, url)
    assert page.status_code == 200 and f"Join {org.name}" in page.content.decode()
    assert token not in page.content.decode()
    joined = browser.post(
        INVITATION_PAGE, {"username": "nadia", "password": PASSWORD, "password_again": PASSWORD}, follow=True
    )
    assert f"You are now reviewer in {org.name}." in joined.content.decode()
    user = get_user_model().objects.get(username="nadia")
    assert user.email == "new.reviewer@example.org" and user.check_password(PASSWORD)
    assert [(m.organization, m.role) for m in user.memberships.all()] == [(org, "reviewer")]
    assert browser.get(reverse("dashboard:inbox")).status_code == 200
    assert Event.objects.filter(organization=org, action="member.joined").count() == 1
    # Used once: the same link (in any browser) opens nothing any more.
    assert "This invitation is not valid" in opened(Client(), url).content.decode()


def test_someone_with_a_login_logs_in_and_accepts(admin_client, org, other_org, mailoutbox):
    elsewhere = MembershipFactory(organization=other_org, role="admin")
    url = invite(admin_client, mailoutbox, email=elsewhere.user.email, role="viewer")
    browser = Client()
    page = opened(browser, url).content.decode()
    assert "Log in to accept" in page
    browser.post(reverse("dashboard:login"), {"username": elsewhere.user.username, "password": "correct horse battery"})
    accepted = browser.post(INVITATION_PAGE, follow=True)
    assert f"You are now viewer in {org.name}." in accepted.content.decode()
    roles = {m.organization_id: m.role for m in Membership.objects.filter(user=elsewhere.user)}
    assert roles == {org.id: "viewer", other_org.id: "admin"}


def test_a_sign_up_refused_keeps_the_invitation(admin_client, org, mailoutbox):
    MembershipFactory(organization=org, user__username="taken")
    url = invite(admin_client, mailoutbox)
    browser = Client()
    opened(browser, url)
    for data, field in [
        ({"username": "taken", "password": PASSWORD, "password_again": PASSWORD}, "username"),
        ({"username": "fresh", "password": "short", "password_again": "short"}, "password"),
        ({"username": "fresh", "password": PASSWORD, "password_again": PASSWORD + "x"}, "password_again"),
    ]:
        response = browser.post(INVITATION_PAGE, data)
        assert response.status_code == 200 and response.context["form"].errors[field]
    assert not get_user_model().objects.filter(username="fresh").exists()
    assert Invitation.objects.get().accepted_at is None


def _used(invitation):
    invitation.accepted_at = timezone.now()


def _expired(invitation):
    invitation.expires_at = timezone.now() - timedelta(seconds=1)


def _revoked(invitation):
    invitation.revoked_at = timezone.now()


@pytest.mark.parametrize("spoil", [_used, _expired, _revoked, None], ids=["used", "expired", "revoked", "altered"])
def test_an_invitation_that_cannot_be_used_gets_one_plain_page(admin_client, org, mailoutbox, spoil):
    url = invite(admin_client, mailoutbox)
    if spoil is None:
        url = url[:-1] + ("A" if url[-1] != "A" else "B")
    else:
        invitation = Invitation.objects.get()
        spoil(invitation)
        invitation.save()
    browser = Client()
    page = opened(browser, url)
    body = page.content.decode()
    assert page.status_code == 404 and "This invitation is not valid" in body
    assert org.name not in body and "new.reviewer@example.org" not in body
    posted = browser.post(INVITATION_PAGE, {"username": "late", "password": PASSWORD, "password_again": PASSWORD})
    assert posted.status_code == 404
    assert not get_user_model().objects.filter(username="late").exists()


def test_adding_another_organizations_username_is_impossible_and_reveals_nothing(admin_client, org, other_org):
    """The old attack: an admin typed a username of another organization and got that user, and their email."""
    foreign = MembershipFactory(organization=other_org, user__email="private@rival.example").user
    response = admin_client.post(reverse("dashboard:members"), {"username": foreign.username, "role": "admin"})
    body = response.content.decode()
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert "private@rival.example" not in body and foreign.username not in body
    assert not Membership.objects.filter(organization=org, user=foreign).exists()
    # The service no longer attaches an existing login either, whoever calls it.
    with pytest.raises(ValidationFailed):
        services.member_set(actor=system(org), username=foreign.username, role="admin")
    assert not Membership.objects.filter(organization=org, user=foreign).exists()


def test_inviting_any_address_answers_alike(admin_client, org, other_org, mailoutbox):
    """Whether an address belongs to someone elsewhere is never told: every invitation reads the same."""
    foreign = MembershipFactory(organization=other_org, user__email="private@rival.example").user
    known = admin_client.post(reverse("dashboard:members"), {"email": foreign.email, "role": "viewer"}, follow=True)
    unknown = admin_client.post(
        reverse("dashboard:members"), {"email": "nobody@else.example", "role": "viewer"}, follow=True
    )
    assert known.status_code == unknown.status_code == 200
    assert "Invitation sent to private@rival.example." in known.content.decode()
    assert foreign.username not in known.content.decode()
    assert not Membership.objects.filter(organization=org, user=foreign).exists()  # until they accept


def test_a_new_invitation_replaces_the_earlier_one_and_an_admin_can_revoke(admin_client, mailoutbox):
    first = invite(admin_client, mailoutbox)
    second = invite(admin_client, mailoutbox)
    assert opened(Client(), first).status_code == 404
    page = admin_client.get(reverse("dashboard:members")).content.decode()
    assert "new.reviewer@example.org" in page
    invitation = Invitation.objects.get(revoked_at__isnull=True)
    admin_client.post(reverse("dashboard:invitation_revoke", args=[invitation.id]))
    assert opened(Client(), second).status_code == 404


def test_another_organizations_invitation_cannot_be_revoked(admin_client, other_org):
    invitation, _ = services.invitation_create(actor=system(other_org), email="x@example.org", role="viewer")
    response = admin_client.post(reverse("dashboard:invitation_revoke", args=[invitation.id]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_open


def test_only_admins_invite(client, org, mailoutbox):
    client.force_login(MembershipFactory(organization=org, role="reviewer").user)
    response = client.post(reverse("dashboard:members"), {"email": "x@example.org", "role": "admin"})
    assert response.status_code == 403 and not mailoutbox and not Invitation.objects.exists()
