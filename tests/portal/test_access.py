"""Who gets in through /s/<token>/, what every response carries, and what never reaches the logs."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding import services
from onboarding.models import Applicant
from tests.factories import system
from tests.portal.conftest import enter, open_link

pytestmark = pytest.mark.django_db

UNKNOWN = "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"


def test_link_opens_the_applicants_steps_and_marks_them_in_progress(client, link):
    applicant, path = link
    response = client.get(path)
    assert response.status_code == 200
    assert "Your steps" in response.content.decode()
    assert "Identity document" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == "in_progress"
    assert applicant.session.events.filter(action="applicant.open_link", actor_type="applicant").count() == 1
    client.get(path)
    assert applicant.session.events.filter(action="applicant.open_link").count() == 1


def _unavailable_body(response):
    return response.content.decode()


def test_unknown_expired_and_revoked_links_get_the_same_plain_page(client, portal_session):
    applicant, revoked_path = open_link(client, portal_session)
    _, live_path = open_link(client, portal_session)  # regenerating kills the first link
    expired_applicant, expired_path = open_link(client, portal_session)
    Applicant.objects.filter(id=expired_applicant.id).update(link_expires_at=timezone.now() - timedelta(minutes=1))

    responses = [client.get(path) for path in (UNKNOWN, revoked_path, expired_path)]
    assert {r.status_code for r in responses} == {404}
    bodies = {_unavailable_body(r) for r in responses}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "This link is not available" in body
    assert portal_session.organization.name not in body
    assert "Eriksson" not in body
    assert responses[0]["Cache-Control"] == "no-store"


def test_expired_session_link_is_unavailable(client, link):
    applicant, path = link
    session = applicant.session
    type(session).objects.filter(id=session.id).update(expires_at=timezone.now() - timedelta(days=1))
    services.sessions_expire()
    assert client.get(path).status_code == 404


def test_erased_session_link_is_unavailable(client, link):
    applicant, path = link
    services.session_erase(actor=system(applicant.organization), session_id=applicant.session_id)
    assert client.get(path).status_code == 404


def test_repeated_bad_tokens_from_one_address_are_rate_limited(client, portal_session, settings):
    [link] = services.links_generate(actor=system(portal_session.organization), session_id=portal_session.id)
    settings.PORTAL_BAD_TOKEN_LIMIT = 5
    for index in range(5):
        assert client.get(f"/s/bad-token-{index}/").status_code == 404
    limited = client.get(UNKNOWN)
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    # Bad tokens stay throttled, but an applicant's valid link opens even from an address
    # that guessed (a shared office or mobile network): the limit never blocks the owner.
    assert client.get(UNKNOWN).status_code == 429
    assert client.get(enter(client, link.token)).status_code == 200
    assert client.get(UNKNOWN, REMOTE_ADDR="10.0.0.9").status_code == 404


@pytest.mark.parametrize("path_suffix", ["", "steps/details/", "thanks/"])
def test_portal_pages_send_privacy_and_security_headers(client, link, path_suffix):
    _, path = link
    response = client.get(path + path_suffix)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert (
        "<script>" not in body
        and " style=" not in body
        and "http" not in body.split("<body>")[0].replace("http-equiv", "")
    )


def test_unavailable_page_sends_the_same_headers(client):
    response = client.get(UNKNOWN)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "Content-Security-Policy" in response


def test_redirect_origin_is_allowed_as_a_form_target(client, org, portal_workflow):
    from tests.factories import make_session

    session = make_session(org, portal_workflow, redirect_url="https://shop.example/done?x=1")
    _, path = open_link(client, session)
    csp = client.get(path)["Content-Security-Policy"]
    assert "form-action 'self' https://shop.example" in csp


def test_tokens_never_reach_the_logs(client, portal_session, caplog):
    [link] = services.links_generate(actor=system(portal_session.organization), session_id=portal_session.id)
    token = link.token
    caplog.set_level(logging.DEBUG)
    path = enter(client, token)
    client.get(path + "steps/no-such-step/")
    client.get(f"/s/{token}/steps/no-such-step/")  # a token path that is no page: Django logs its 404
    client.get(f"/s/{token}x/")
    client.post(path + "finish/")
    client.put(path)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.post(path + "steps/details/", {"email": "a@b.example"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged


def test_language_follows_the_session_and_can_be_switched(client, org, portal_workflow):
    from tests.factories import make_session

    session = make_session(org, portal_workflow, locale="de")
    _, path = open_link(client, session)
    german = client.get(path)
    assert 'lang="de"' in german.content.decode()
    french = client.get(path + "?lang=fr")
    assert 'lang="fr"' in french.content.decode()
    # The choice sticks for the next pages; an unknown language is ignored.
    assert 'lang="fr"' in client.get(path + "steps/details/?lang=xx").content.decode()


def test_forms_post_with_a_null_origin_but_never_without_the_csrf_token(portal_session):
    """no-referrer makes browsers send Origin: null on the portal's own forms."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    applicant, path = open_link(browser, portal_session)
    page = browser.get(path + "steps/details/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    refused = browser.post(path + "steps/details/", {"email": "anna@example.com"}, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    assert refused["Referrer-Policy"] == "no-referrer"
    foreign = browser.post(
        path + "steps/details/",
        {"email": "anna@example.com", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert foreign.status_code == 403
    accepted = browser.post(
        path + "steps/details/",
        {"email": "anna@example.com", "terms": "on", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="null",
    )
    assert accepted.status_code == 302
    assert applicant.verifications.get(step_id="details").status == "submitted"


def test_behind_a_proxy_the_limit_follows_the_forwarded_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for index in range(20):
        client.get(f"/s/bad-{index}/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    assert client.get(UNKNOWN, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another client behind the same proxy (same REMOTE_ADDR) is not locked out.
    assert client.get(UNKNOWN, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 404
