"""A reviewer's day in real Chromium: triage, inspect the evidence, ask for a correction, approve."""

import os
import re
from pathlib import Path

import pytest

from tests.dashboard.builders import resubmit_correct_letter, send_to_review, session_in_manual_review
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


def test_reviewer_requests_a_correction_then_approves(live_server, page):
    organization = OrganizationFactory(name="Acme Bank")
    reviewer = MembershipFactory(organization=organization, role="reviewer").user
    session = session_in_manual_review(organization)
    send_to_review(session)
    url = f"{live_server.url}/dashboard"
    # The pages' policy forbids inline script and styles: the browser reports any violation here.
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{url}/login/")
    page.fill("input[name=username]", reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.click("a[data-inbox=manual_review]")
    row = page.locator("table.sessions tbody tr", has_text="Anna Eriksson")
    assert row.count() == 1
    assert page.locator("a[data-inbox=manual_review] .count").inner_text() == "1"
    shot(page, "inbox")

    row.locator("a", has_text="Anna Eriksson").click()
    assert page.locator("#session-status").inner_text() == "Manual review"
    bank = page.locator("[id^=step-][id$=-bank]")
    assert "iban_mismatch" in bank.inner_text()
    mismatch = bank.locator("tr.mismatch")
    assert mismatch.locator("th").inner_text() == "iban"
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

    resubmit_correct_letter(session)
    page.reload()
    assert page.locator("#session-status").inner_text() == "Processed"
    page.click("summary:has-text('Approve')")
    page.fill("#actions textarea[name=note]", "Correct account provided.")
    page.click("button:has-text('Confirm approval')")
    assert page.locator("#session-status").inner_text() == "Approved"
    assert re.search(r"session\.approve", page.locator(".timeline").inner_text())

    page.goto(f"{url}/overview/")
    assert page.locator("svg.chart").count() >= 3
    shot(page, "overview")
    assert violations == []
