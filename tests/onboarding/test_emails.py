"""Emails to applicants through a real SMTP server on 127.0.0.1 (aiosmtpd): the link (from the
service, the API and the dashboard), the reminder before expiry and the outcome notice."""

import email
import re
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from onboarding import services
from onboarding.models import Applicant, Event
from tests.api.conftest import V1, client_for
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db
ANNA = {"label": "Anna", "email": "anna@example.com"}


class Inbox:
    """Every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def portal_path(message):
    return re.search(r"https?://\S+(/s/[\w-]+/)", body(message)).group(1)


def emailing_session(org, applicants=(ANNA,), locale="en", **settings):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS, settings=settings)
    return make_session(org, workflow, applicants=list(applicants), locale=locale)


def test_emailed_link_opens_the_portal(client, org, smtp):
    session = emailing_session(org, applicants=[ANNA, {"label": "Ben"}])
    sent = services.links_send(actor=system(org), session_id=session.id)
    assert [s.email for s in sent] == ["sent", "no_address"]
    [message] = smtp.messages
    assert message["To"] == "anna@example.com"
    assert message["Subject"] == f"Verify your identity for {org.name}"
    assert sent[0].url in body(message)
    page = client.get(portal_path(message), follow=True)
    assert page.status_code == 200 and "Your steps" in page.content.decode()
    # The audit trail says a mail went out, and never holds the link.
    event = Event.objects.get(action="applicant.emailed")
    assert event.data == {"kind": "link"} and sent[0].link.token not in event.canonical()


def test_the_api_sends_links_in_the_sessions_language(client, org, smtp):
    session = emailing_session(org, locale="fr")
    api, _ = client_for(org)
    response = api.post(f"{V1}/sessions/{session.id}/links", {"send": True}, format="json")
    assert response.status_code == 200, response.content
    [link] = response.json()["links"]
    assert link["email"] == "sent"
    [message] = smtp.messages
    assert message["Subject"] == f"Vérifiez votre identité pour {org.name}"
    assert link["link_url"] in body(message) and "Ce lien est personnel" in body(message)
    assert "Vos étapes" in client.get(portal_path(message), follow=True).content.decode()
    # Without "send" nothing is mailed and the field is absent.
    again = api.post(f"{V1}/sessions/{session.id}/links", {}, format="json").json()["links"][0]
    assert "email" not in again and len(smtp.messages) == 1


def test_a_mail_server_that_is_down_is_reported(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    session = emailing_session(org)
    [sent] = services.links_send(actor=system(org), session_id=session.id)
    assert sent.email == "failed"
    assert not Event.objects.filter(action="applicant.emailed").exists()


def test_reminder_before_expiry_brings_a_fresh_link_once(client, org, smtp):
    session = emailing_session(org, link_ttl_hours=12, reminder_hours_before_expiry=24)
    [first] = services.links_generate(actor=system(org), session_id=session.id)
    assert services.reminders_send() == 1
    [message] = smtp.messages
    assert "Reminder" in message["Subject"] and "replaces the one we sent before" in body(message)
    assert client.get(f"/s/{first.token}/").status_code == 404
    assert client.get(portal_path(message), follow=True).status_code == 200
    assert services.reminders_send() == 0  # one reminder per link


def test_no_reminder_when_the_workflow_asks_none_or_the_link_is_far_from_expiry(org, smtp):
    quiet = emailing_session(org, link_ttl_hours=12)
    early = emailing_session(org, link_ttl_hours=72, reminder_hours_before_expiry=24)
    for session in (quiet, early):
        services.links_generate(actor=system(org), session_id=session.id)
    assert services.reminders_send() == 0
    Applicant.objects.filter(session=early).update(link_expires_at=timezone.now() + timedelta(hours=23))
    assert services.reminders_send() == 1


@pytest.mark.parametrize(
    "decision, subject, words",
    [
        ("approved", "is approved", "is approved. Nothing else is needed from you."),
        (
            "rejected",
            "Your verification with",
            "was not approved. For more information, please contact kyc@bank.example",
        ),
    ],
)
def test_outcome_notice_when_the_workflow_asks_for_it(org, smtp, run_on_commit, decision, subject, words):
    org.support_contact = "kyc@bank.example"
    org.save()
    session = emailing_session(org, notify_outcome=True, auto_process=False)
    services.links_generate(actor=system(org), session_id=session.id)
    applicant = session.applicants.get()
    services.verification_submit(
        actor=system(org), verification_id=applicant.verifications.get().id, data={"email": "anna@example.com"}
    )
    services.session_process(actor=system(org), session_id=session.id)
    services.session_decide(actor=system(org), session_id=session.id, status=decision, note="ok")
    [message] = smtp.messages
    assert subject in message["Subject"] and words in body(message)
    assert Event.objects.filter(action="applicant.emailed", data__kind="outcome").count() == 1


def test_no_outcome_notice_by_default(org, smtp, run_on_commit):
    session = emailing_session(org, auto_process=False)
    applicant = session.applicants.get()
    services.links_generate(actor=system(org), session_id=session.id)
    services.verification_submit(
        actor=system(org), verification_id=applicant.verifications.get().id, data={"email": "anna@example.com"}
    )
    services.session_process(actor=system(org), session_id=session.id)
    services.session_decide(actor=system(org), session_id=session.id, status="approved")
    assert smtp.messages == []


def test_the_dashboard_emails_the_link(client, org, reviewer, smtp):
    session = emailing_session(org)
    services.links_generate(actor=system(org), session_id=session.id)
    client.force_login(reviewer)
    assert "Email the link…" in client.get(f"/dashboard/sessions/{session.id}/").content.decode()
    page = client.post(f"/dashboard/sessions/{session.id}/links/", {"send": "1"}).content.decode()
    assert "Sent to anna@example.com" in page
    [message] = smtp.messages
    assert client.get(portal_path(message), follow=True).status_code == 200
