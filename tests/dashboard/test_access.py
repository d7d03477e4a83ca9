"""Login, organizations and roles: who sees and does what."""

import pytest
from django.urls import reverse

from onboarding.models import Event
from tests.factories import MembershipFactory, make_session, make_workflow

PASSWORD = "correct horse battery"


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("dashboard:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


def test_reviewer_logs_in_with_password_and_lands_on_the_inbox(client, reviewer):
    response = client.post(reverse("dashboard:login"), {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:inbox")
    assert client.get(reverse("dashboard:inbox")).status_code == 200


def test_wrong_password_is_refused(client, reviewer):
    response = client.post(reverse("dashboard:login"), {"username": reviewer.username, "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_pages_forbid_inline_script_and_third_party_assets(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("dashboard:inbox"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert b"<script>" not in response.content and b"https://" not in response.content


def test_user_without_organization_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password=PASSWORD)
    client.force_login(user)
    assert client.get(reverse("dashboard:inbox")).status_code == 403


def test_member_of_two_organizations_picks_one_and_sees_only_its_sessions(client, org, other_org):
    user = MembershipFactory(organization=org).user
    MembershipFactory(organization=other_org, user=user)
    ours = make_session(org, make_workflow(org), name="Ours")
    theirs = make_session(other_org, make_workflow(other_org), name="Theirs")
    client.force_login(user)
    response = client.get(reverse("dashboard:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("dashboard:organization"))
    client.post(reverse("dashboard:organization"), {"organization": str(other_org.id), "next": "/dashboard/"})
    page = client.get(reverse("dashboard:inbox")).content.decode()
    assert "Theirs" in page and "Ours" not in page
    assert client.get(reverse("dashboard:session", args=[ours.id])).status_code == 404
    assert client.get(reverse("dashboard:session", args=[theirs.id])).status_code == 200


def test_picking_an_organization_one_is_not_member_of_is_refused(client, org, other_org):
    user = MembershipFactory(organization=org).user
    MembershipFactory(organization=other_org, user=user)
    client.force_login(user)
    stranger = MembershipFactory().organization
    response = client.post(reverse("dashboard:organization"), {"organization": str(stranger.id)})
    assert response.status_code == 400


def test_reviewer_of_one_organization_gets_404_for_a_session_of_another(client, reviewer, other_org):
    foreign = make_session(other_org, make_workflow(other_org))
    client.force_login(reviewer)
    response = client.get(reverse("dashboard:session", args=[foreign.id]))
    assert response.status_code == 404 and "Not found in this organization." in response.content.decode()
    response = client.post(reverse("dashboard:decide", args=[foreign.id]), {"status": "approved"})
    assert response.status_code == 404
    assert client.post(reverse("dashboard:note", args=[foreign.id]), {"note": "hi"}).status_code == 404
    assert not Event.objects.filter(session=foreign, action="session.note").exists()


def test_viewer_reads_but_cannot_decide(client, org, member, review_session):
    client.force_login(member("viewer"))
    page = client.get(reverse("dashboard:session", args=[review_session.id]))
    assert page.status_code == 200
    assert b"Confirm approval" not in page.content
    response = client.post(reverse("dashboard:decide", args=[review_session.id]), {"status": "approved"})
    assert response.status_code == 403
    assert "This needs the reviewer role; yours is viewer." in response.content.decode()
    review_session.refresh_from_db()
    assert review_session.status == "manual_review"


@pytest.mark.parametrize("name", ["api_keys", "members", "webhooks", "watchlist"])
def test_settings_pages_are_for_admins_only(client, member, name):
    client.force_login(member("reviewer"))
    assert client.get(reverse(f"dashboard:{name}")).status_code == 403
    client.force_login(member("admin"))
    assert client.get(reverse(f"dashboard:{name}")).status_code == 200


def test_logout_ends_the_session(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("dashboard:logout"))
    assert client.get(reverse("dashboard:inbox")).status_code == 302


def test_repeated_login_attempts_are_rate_limited(client, reviewer, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "login-rate-limit-test"}
    }
    for _ in range(10):
        assert (
            client.post(reverse("dashboard:login"), {"username": reviewer.username, "password": "wrong"}).status_code
            == 200
        )
    response = client.post(reverse("dashboard:login"), {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
