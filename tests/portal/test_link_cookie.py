"""A link's token is in a URL once: its first GET trades it for a cookie scoped to the
link's token-free address, and every later page is served there."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from onboarding import services
from onboarding.models import Applicant
from tests.factories import make_session, make_workflow, system
from tests.portal.conftest import ALL_STEPS, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_link(portal_session):
    [link] = services.links_generate(actor=system(portal_session.organization), session_id=portal_session.id)
    return link


def link_cookie(response):
    [cookie] = [c for name, c in response.cookies.items() if name.startswith("threshold_link_")]
    return cookie


def test_opening_a_link_sets_a_strict_cookie_and_leads_to_a_token_free_address(client, fresh_link):
    response = client.get(f"/s/{fresh_link.token}/")
    assert response.status_code == 302
    path = response["Location"]
    assert fresh_link.token not in path and path.startswith("/s/p/")
    cookie = link_cookie(response)
    assert fresh_link.token not in cookie.value
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == path
    assert timedelta(hours=47) < timedelta(seconds=int(cookie["max-age"])) <= timedelta(hours=48)
    assert not cookie["secure"]  # development runs on plain http
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    for page in (path, path + "steps/details/", path + "steps/identity/", path + "steps/sign/"):
        body = client.get(page).content.decode()
        assert "Your steps" in body or "<form" in body
        assert fresh_link.token not in body


def test_the_cookie_is_secure_in_production(client, fresh_link, settings):
    settings.SESSION_COOKIE_SECURE = True
    assert link_cookie(client.get(f"/s/{fresh_link.token}/"))["secure"]


def test_the_language_asked_for_in_the_link_is_kept(client, fresh_link):
    response = client.get(f"/s/{fresh_link.token}/?lang=fr")
    assert response["Location"].endswith("?lang=fr")
    assert 'lang="fr"' in client.get(response["Location"]).content.decode()


def test_the_token_free_address_opens_nothing_without_the_links_cookie(client, fresh_link):
    path = enter(client, fresh_link.token)
    unknown = client.get("/s/unknown-token/").content
    stranger = Client().get(path)
    assert stranger.status_code == 404 and stranger.content == unknown
    forged = Client()
    forged.cookies[f"threshold_link_{path.split('/')[3]}"] = "0" * 64
    assert forged.get(path).status_code == 404
    assert forged.post(path + "steps/details/", {"email": "x@example.com"}).status_code == 404


def test_a_cookie_of_one_link_opens_no_other_address(client, portal_session, fresh_link):
    other = make_session(portal_session.organization, make_workflow(portal_session.organization, steps=ALL_STEPS))
    [other_link] = services.links_generate(actor=system(other.organization), session_id=other.id)
    path = enter(client, fresh_link.token)
    other_path = enter(Client(), other_link.token)
    # This browser's cookie, renamed for the other link's slot, is refused: each cookie belongs to its slot.
    value = next(c.value for name, c in client.cookies.items() if name.startswith("threshold_link_"))
    thief = Client()
    thief.cookies[f"threshold_link_{other_path.split('/')[3]}"] = value
    assert thief.get(other_path).status_code == 404
    assert client.get(path).status_code == 200


def test_the_link_opens_again_in_another_browser(client, fresh_link):
    path = enter(client, fresh_link.token)
    phone = Client()
    assert enter(phone, fresh_link.token) == path
    assert phone.get(path).status_code == 200 and client.get(path).status_code == 200


def _regenerate(applicant):
    services.links_generate(actor=system(applicant.organization), session_id=applicant.session_id)


def _expire(applicant):
    Applicant.objects.filter(id=applicant.id).update(link_expires_at=timezone.now() - timedelta(seconds=1))


def _cancel(applicant):
    services.session_cancel(actor=system(applicant.organization), session_id=applicant.session_id, reason="withdrawn")


def _erase(applicant):
    services.session_erase(actor=system(applicant.organization), session_id=applicant.session_id)


@pytest.mark.parametrize("end", [_regenerate, _expire, _cancel, _erase], ids=lambda f: f.__name__.strip("_"))
def test_a_link_that_ends_ends_its_cookies_access(client, fresh_link, end):
    path = enter(client, fresh_link.token)
    assert client.get(path + "steps/details/").status_code == 200
    end(fresh_link.applicant)
    page = client.get(path)
    assert page.status_code == 404 and "This link is not available" in page.content.decode()
    assert link_cookie(page).value == ""  # the browser drops it
    posted = client.post(path + "steps/details/", {"email": "late@example.com", "terms": "on"})
    assert posted.status_code == 404
    assert "late@example.com" not in str(fresh_link.applicant.verifications.get(step_id="details").data)
