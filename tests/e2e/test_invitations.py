"""An admin invites a colleague by email in real Chromium; the colleague opens the mailed link,
chooses a login and lands in the organization's inbox."""

import re

import pytest

from onboarding.models import Membership
from tests.e2e.test_dashboard import PASSWORD, page, shot  # noqa: F401 (page: fixture)
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_invited_colleague_signs_up_and_joins(live_server, page, browser_type, mailoutbox):  # noqa: F811
    organization = OrganizationFactory(name="Acme Bank")
    admin = MembershipFactory(organization=organization, role="admin").user
    page.goto(f"{live_server.url}/dashboard/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.goto(f"{live_server.url}/dashboard/settings/members/")
    page.fill("input[name=email]", "colleague@acme.example")
    page.select_option("select[name=role]", "reviewer")
    page.click("button:has-text('Send invitation')")
    assert "Invitation sent to colleague@acme.example." in page.inner_text("main")
    assert "colleague@acme.example" in page.inner_text("table >> nth=1")
    shot(page, "invitation-sent")

    [message] = mailoutbox
    link = re.search(r"https?://\S+/dashboard/invitation/\?token=[\w-]+", message.body).group(0)
    colleague = browser_type.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    invitee = colleague.new_page()
    invitee.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert invitee.url.endswith("/dashboard/invitation/")  # the token left the address bar at once
    assert invitee.locator("h1").inner_text() == "Join Acme Bank"
    invitee.fill("input[name=username]", "colleague")
    invitee.fill("input[name=password]", "a long and unusual passphrase 7")
    invitee.fill("input[name=password_again]", "a long and unusual passphrase 7")
    invitee.click("button:has-text('Create login and join')")
    assert "You are now reviewer in Acme Bank." in invitee.inner_text("main")
    shot(invitee, "invitation-accepted")
    colleague.close()
    assert Membership.objects.get(user__username="colleague").organization == organization
