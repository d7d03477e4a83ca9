"""A reviewer's day in real Chromium: triage, inspect the evidence, ask for a correction, approve."""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from dashboard.templatetags.dashboard_tags import label
from onboarding.models import Session
from tests.dashboard.builders import (
    blocked_session,
    resubmit_correct_letter,
    send_letter,
    send_to_review,
    session_in_manual_review,
)
from tests.documents.bank import GERMAN_ACCOUNT, bank_letter_pdf
from tests.factories import MembershipFactory, OrganizationFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_type):
    browser = browser_type.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    browser.close()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, organization):
    """A reviewer of the organization logs in; returns the dashboard's URL and the CSP violations seen."""
    reviewer = MembershipFactory(organization=organization, role="reviewer").user
    # The pages' policy forbids inline script and styles: the browser reports any violation here.
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    url = f"{live_server.url}/dashboard"
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    return url, violations


def assert_status_matches(page, session):
    """The page says what the database holds: the session's status, and a decision only once decided."""
    session = Session.objects.get(id=session.id)
    assert page.locator("#session-status").inner_text() == label(session.status)
    if session.status in ("approved", "rejected"):
        assert page.locator("#decision").inner_text() == label(session.status)
        assert page.locator("#recommendation").count() == 0
    elif (session.processing_results or {}).get("final_decision"):
        assert page.locator("#recommendation").inner_text() == label(session.processing_results["final_decision"])
        assert "Final decision" not in page.content()
    for applicant in session.applicants.all():
        for verification in applicant.verifications.all():
            step = page.locator(f"#step-{applicant.id}-{verification.step_id}")
            assert step.get_attribute("data-status") == verification.status
            assert step.locator(".status").first.inner_text() == label(verification.status)


def test_reviewer_requests_a_correction_then_approves(live_server, page):
    organization = OrganizationFactory(name="Acme Bank")
    session = session_in_manual_review(organization)
    send_to_review(session)
    url, violations = log_in(page, live_server, organization)
    page.click("a[data-inbox=manual_review]")
    row = page.locator("table.sessions tbody tr", has_text="Anna Eriksson")
    assert row.count() == 1
    assert page.locator("a[data-inbox=manual_review] .count").inner_text() == "1"
    shot(page, "inbox")

    row.locator("a", has_text="Anna Eriksson").click()
    assert page.locator("#session-status").inner_text() == "Manual review"
    assert_status_matches(page, session)
    bank = page.locator("[id^=step-][id$=-bank]")
    assert "IBAN does not match" in bank.inner_text() and "iban_mismatch" in bank.inner_text()
    mismatch = bank.locator("tr.mismatch")
    assert mismatch.get_attribute("data-field") == "iban"
    # The bank letter's first page is rendered from the PDF and shown inline.
    preview = bank.locator(".document img").first
    preview.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=preview.element_handle())
    shot(page, "session")

    page.click("summary:has-text('Request corrections')")
    form = page.locator("#corrections-form form")
    form.locator("input[name=step][value=bank]").check()
    form.locator("input[name='doctype:bank'][value=rib]").check()
    form.locator("textarea[name=message]").fill("Please upload the bank letter of the account ending 3000.")
    form.locator("textarea[name=comment]").fill("IBAN differs from the one on file.")
    form.locator("button:has-text('Send correction request')").click()
    assert page.locator("#session-status").inner_text() == "Awaiting client correction"
    assert_status_matches(page, session)
    assert page.locator("summary:has-text('Reject')").count() == 0  # nothing to reject while a correction is awaited

    resubmit_correct_letter(session)
    page.reload()
    assert page.locator("#session-status").inner_text() == "Processed"
    assert_status_matches(page, session)
    page.click("summary:has-text('Approve')")
    page.fill("#actions textarea[name=note]", "Correct account provided.")
    page.click("button:has-text('Confirm approval')")
    assert page.locator("#session-status").inner_text() == "Approved"
    assert_status_matches(page, session)
    assert re.search(r"Approved.*session\.approve", page.locator(".timeline").inner_text(), re.S)

    page.goto(f"{url}/overview/")
    assert page.locator("svg.chart").count() >= 3
    shot(page, "overview")
    assert violations == []


def test_reviewer_overrides_a_failed_check_and_uses_the_viewer(live_server, page):
    organization = OrganizationFactory(name="Acme Bank")
    session = session_in_manual_review(organization)
    send_to_review(session)
    url, violations = log_in(page, live_server, organization)
    page.goto(f"{url}/sessions/{session.id}/")
    assert_status_matches(page, session)
    risk_before = page.locator("#risk-score").inner_text()
    bank = page.locator("[id^=step-][id$=-bank]")
    assert bank.get_attribute("data-result") == "failed"

    # Zoom and rotate the bank letter in place (a local script: the page loads nothing else).
    figure = bank.locator("figure[data-viewer]").first
    figure.locator("button[aria-label='Zoom in']").click()
    figure.locator("button[aria-label='Rotate']").click()
    assert (figure.get_attribute("data-zoom"), figure.get_attribute("data-rotation")) == ("1.25", "90")
    shot(page, "viewer")
    figure.locator("button[aria-label='Reset']").click()

    bank.locator("summary:has-text('Override result…')").click()
    form = bank.locator("form[action$='/resolve/']")
    form.locator("select[name=result]").select_option("passed")
    form.locator("textarea[name=note]").fill("Customer changed banks; new account confirmed by phone.")
    form.locator("button:has-text('Confirm override')").click()
    bank = page.locator("[id^=step-][id$=-bank]")
    assert bank.get_attribute("data-result") == "passed"
    assert "check said: failed" in bank.inner_text()
    assert "changed the result from failed to passed" in bank.inner_text()
    assert page.locator("#risk-score").inner_text() != risk_before
    assert "Check result overridden" in page.locator(".timeline").inner_text()
    assert_status_matches(page, session)
    shot(page, "override")

    # The same page in French, chosen in the top bar: every status in the reviewer's words.
    page.select_option(".language select", "fr")
    page.click(".language button")
    assert page.get_attribute("html", "lang") == "fr"
    with translation.override("fr"):
        assert_status_matches(page, session)
    assert "Piste d’audit" in page.inner_text(".timeline") and "Override result…" not in page.content()
    assert violations == []


def test_blocked_applicant_is_unblocked_and_the_session_completes(live_server, page):
    organization = OrganizationFactory(name="Acme Bank")
    session, verification = blocked_session(organization)
    page.clock.install()  # the inbox refreshes its counts every 30 s: the test moves the clock on
    url, violations = log_in(page, live_server, organization)
    assert page.locator("#blocked-count").inner_text() == "1"
    other, _ = blocked_session(organization)  # a second applicant blocks while the inbox is open
    page.clock.fast_forward("00:31")
    expect(page.locator("#blocked-count")).to_have_text("2")  # polled, not reloaded
    assert page.locator("a[data-inbox=pending] .count").inner_text() == "2"
    page.reload()  # a reload says the same as the refresh
    assert page.locator("#blocked-count").inner_text() == "2"
    page.click("a.blocked-filter")
    rows = page.locator("table.sessions tbody tr")
    assert rows.count() == 2 and rows.locator(".tag.blocked").count() == 2
    shot(page, "inbox-blocked")
    page.goto(f"{url}/sessions/{session.id}/")
    assert_status_matches(page, session)

    page.click("summary:has-text('Grant more attempts…')")
    page.fill("form[action$='/unblock/'] textarea[name=note]", "Customer will send the letter again.")
    page.click("button:has-text('Confirm more attempts')")
    assert "can send “bank” again" in page.locator(".messages, body").first.inner_text()
    assert_status_matches(page, session)
    assert page.locator(".applicant .status").first.inner_text() == "In progress"

    send_letter(verification, bank_letter_pdf(GERMAN_ACCOUNT))  # the applicant's new attempt
    page.reload()
    assert page.locator("#session-status").inner_text() == "Processed"
    assert_status_matches(page, session)
    page.click("summary:has-text('Approve')")
    page.click("button:has-text('Confirm approval')")
    assert page.locator("#session-status").inner_text() == "Approved"
    assert_status_matches(page, session)
    shot(page, "unblocked-approved")

    # The other case is called off: confirmed with a reason, then its status says so.
    page.goto(f"{url}/sessions/{other.id}/")
    page.click("summary:has-text('Cancel session…')")
    page.fill("#cancel-session textarea[name=note]", "The customer withdrew.")
    page.click("button:has-text('Confirm cancellation')")
    assert page.locator("#session-status").inner_text() == "Cancelled"
    assert_status_matches(page, other)
    assert page.locator("#cancel-session").count() == 0
    assert "Session cancelled" in page.locator(".timeline").inner_text()
    assert violations == []
