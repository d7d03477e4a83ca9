"""An applicant on a phone in real Chromium: the whole workflow with generated documents and the real
checks, a correction round trip without JavaScript, an expired link, the German and French pages."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Applicant, Session
from tests.documents import address, faces
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_session, make_workflow, system

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOLDER = {"first_name": "Eileen Marie", "last_name": "Collins", "birth_date": "1986-11-19", "nationality": "FR"}
HOME = {"line_1": "12 rue des Lilas", "zip_code": "75011", "city": "Paris", "country": "FR"}
PHONE_STEPS = [
    {
        "id": "details",
        "type": "form",
        "config": {
            "fields": [
                {"id": "email", "type": "email", "required": True},
                {"id": "phone", "type": "phone", "required": True},
            ]
        },
    },
    {"id": "identity", "type": "identity_document", "config": {"document_types": ["id_card", "passport"]}},
    {"id": "selfie", "type": "selfie"},
    {"id": "address", "type": "proof_of_address", "config": {"max_age_months": 3}},
    {"id": "bank", "type": "bank_account"},
]


@pytest.fixture
def browser(browser_type):
    browser = browser_type.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    yield browser
    browser.close()


def phone_page(browser, javascript=True):
    page = browser.new_context(**PHONE, java_script_enabled=javascript).new_page()
    page.set_default_timeout(60000)
    # Anything the CSP blocks (inline script, a third-party asset) shows up as a console error.
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    return page


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def file_payload(name, content, mime="image/png"):
    return {"name": name, "mimeType": mime, "buffer": content}


def link_for(session):
    [link] = services.links_generate(actor=system(session.organization), session_id=session.id)
    return link


def portal_address(page, live_server, link):
    """Open the link as the applicant does: the token-free address the portal leads to."""
    page.goto(f"{live_server.url}/s/{link.token}/")
    assert link.token not in page.url
    return page.url.split("?")[0]


def test_applicant_completes_the_workflow_on_a_phone(live_server, browser):
    organization = OrganizationFactory(name="Acme Bank")
    workflow = make_workflow(organization, steps=PHONE_STEPS)
    session = make_session(organization, workflow, input={"identity": HOLDER, "address": HOME})
    link = link_for(session)
    page = phone_page(browser)
    url = portal_address(page, live_server, link)

    page.goto(url)
    assert page.locator("h1").inner_text() == "Your steps"
    assert "0 of 5 steps sent" in page.inner_text("main")
    assert fits_the_screen(page)
    shot(page, "01-overview")

    page.click("text=Continue")
    page.fill("#f-email", "not an email")
    page.fill("#f-phone", "+33 6 12 34 56 78")
    page.click("button:has-text('Send')")
    assert page.locator("#f-email-error").inner_text() == "Enter a valid email address."
    assert page.get_attribute("#f-email", "aria-invalid") == "true"
    assert page.input_value("#f-phone") == "+33 6 12 34 56 78"  # nothing typed is lost
    shot(page, "02-form-error")
    page.fill("#f-email", "eileen@example.com")
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Identity document"
    assert page.get_attribute("#f-file-front", "capture") == "environment"
    page.check("#f-kind-id_card")
    front = faces.id_card_front(faces.ASTRONAUT)
    page.set_input_files("#f-file-front", file_payload("front.png", front))
    # The preview (progressive enhancement) shows the picked photo at once.
    page.locator("img[data-preview-for=f-file-front]").wait_for(state="visible")
    page.set_input_files("#f-file-back", file_payload("back.png", faces.id_card_back()))
    assert fits_the_screen(page)
    shot(page, "03-identity")
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Selfie"
    assert page.get_attribute("#f-file", "capture") == "user"
    page.set_input_files("#f-file", file_payload("selfie.jpg", faces.selfie(faces.ASTRONAUT), "image/jpeg"))
    shot(page, "04-selfie")
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Proof of address"
    page.select_option("#f-kind", "utility_bill")
    bill = address.french_bill(first_name="Eileen Marie", last_name="Collins")
    page.set_input_files("#f-file", file_payload("bill.png", address.bill_png(bill)))
    shot(page, "05-address")
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Bank account"
    page.fill("#f-iban", "FR76 3000 6000 0112 3456 7890 188")
    page.click("button:has-text('Send')")
    assert "This IBAN is not valid" in page.locator("#f-iban-error").inner_text()
    page.fill("#f-iban", "FR76 3000 6000 0112 3456 7890 189")
    shot(page, "06-bank")
    page.click("button:has-text('Send')")

    assert "5 of 5 steps sent" in page.inner_text("main")
    assert "nothing else is needed from you for now" in page.inner_text("main")
    shot(page, "07-all-sent")
    page.click("button:has-text('Finish')")
    assert page.locator("h1").inner_text() == "Thank you"
    shot(page, "08-thanks")

    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
    session.refresh_from_db()
    assert session.status == "processed"
    results = {v.step_id: v.result for v in session.verifications.all()}
    assert results == {
        "details": "passed",
        "identity": "passed",
        "selfie": "passed",
        "address": "passed",
        "bank": "passed",
    }, session.processing_results


def test_correction_round_trip_without_javascript(live_server, browser):
    organization = OrganizationFactory(name="Acme Bank")
    session = make_session(organization, make_workflow(organization, steps=FORM_ONLY_STEPS))
    link = link_for(session)
    details = session.verifications.get()
    services.verification_submit(
        actor=Actor.for_applicant(details.applicant), verification_id=details.id, data={"email": "eileen@gmail.example"}
    )
    assert Session.objects.get(id=session.id).status == "processed"
    services.session_request_corrections(
        actor=system(organization),
        session_id=session.id,
        corrections=[{"step_id": "details", "field_ids": ["email"], "message": "Please give your work email address."}],
    )

    page = phone_page(browser, javascript=False)
    page.goto(f"{live_server.url}/s/{link.token}/")
    assert "Some information needs to be sent again" in page.inner_text("main")
    assert "Please give your work email address." in page.inner_text("main")
    shot(page, "10-correction-overview")
    page.click("a:has-text('Your details')")
    assert page.input_value("#f-email") == "eileen@gmail.example"
    assert "Please check this field." in page.inner_text("#f-email-hint")
    shot(page, "11-correction-step")
    page.fill("#f-email", "eileen.collins@acme.example")
    page.click("button:has-text('Send')")
    assert "Your information is being reviewed" in page.inner_text("main")
    shot(page, "12-correction-sent")

    session.refresh_from_db()
    assert session.status == "processed"
    assert not session.corrections.filter(status="open").exists()
    details.refresh_from_db()
    assert details.data["submitted"]["email"] == "eileen.collins@acme.example"


def test_expired_link_shows_the_plain_page(live_server, browser):
    organization = OrganizationFactory(name="Acme Bank")
    session = make_session(organization, make_workflow(organization, steps=FORM_ONLY_STEPS))
    link = link_for(session)
    Applicant.objects.filter(session=session).update(link_expires_at=timezone.now() - timedelta(seconds=1))
    page = phone_page(browser)
    response = page.goto(f"{live_server.url}/s/{link.token}/")
    assert response.status == 404
    assert response.headers["referrer-policy"] == "no-referrer"
    assert page.locator("h1").inner_text() == "This link is not available"
    assert "Acme Bank" not in page.content()
    shot(page, "20-expired")


def test_german_and_french_pages(live_server, browser):
    organization = OrganizationFactory(name="Acme Bank")
    session = make_session(
        organization, make_workflow(organization, steps=PHONE_STEPS), locale="de", input={"identity": HOLDER}
    )
    link = link_for(session)
    page = phone_page(browser)
    url = portal_address(page, live_server, link)
    assert page.locator("h1").inner_text() == "Ihre Schritte"
    assert page.get_attribute("html", "lang") == "de"
    # Keyboard first: the skip link takes focus and shows it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    shot(page, "30-german-overview")

    page.click("text=Weiter")
    page.click("button:has-text('Senden')")
    assert page.locator("#f-email-error").inner_text() == "Dieses Feld ist erforderlich."
    assert "Bitte korrigieren Sie Folgendes" in page.inner_text("main")
    shot(page, "31-german-errors")

    page.select_option("#lang", "fr")
    page.click("button:has-text('Wechseln')")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("h1").inner_text() == "Vos informations"
    page.goto(f"{url}steps/identity/")
    assert re.search("Carte d’identité", page.inner_text("main"))
    assert fits_the_screen(page)
    shot(page, "32-french-identity")


COMPANY_STEPS = [
    {"id": "registry", "type": "company_registry", "config": {"countries": ["FR"]}},
    {"id": "certificate", "type": "document_analysis", "config": {"document_type": "rne_certificate"}},
    {"id": "people", "type": "related_parties", "config": {"roles": ["ubo", "director"]}},
]


def test_company_steps_and_a_signature_on_a_phone(live_server, browser, settings, tmp_path):
    from onboarding import signing
    from onboarding.signing_certificate import self_signed_pkcs12
    from tests.documents.analysis import rne_certificate
    from tests.signing.pdfs import form_pdf

    organization = OrganizationFactory(name="Acme Bank")
    session = make_session(
        organization,
        make_workflow(organization, steps=COMPANY_STEPS),
        input={"company": {"company_name": "Boulangerie Martin"}},
    )
    link = link_for(session)
    page = phone_page(browser)
    page.goto(f"{live_server.url}/s/{link.token}/")
    page.click("text=Continue")

    assert page.locator("h1").inner_text() == "Company registration"
    page.fill("#f-registration-number", "552 100 554")
    page.select_option("#f-country-code", "FR")
    shot(page, "40-company-registry")
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Document"
    page.set_input_files("#f-file", file_payload("rne.pdf", rne_certificate().pdf(), "application/pdf"))
    page.click("button:has-text('Send')")

    assert page.locator("h1").inner_text() == "Related people"
    page.fill("#f-first-name", "Paul")
    page.fill("#f-last-name", "Martin")
    page.fill("#f-email", "paul@boulangerie.example")
    page.select_option("#f-role", "director")
    page.click("button:has-text('Add this person')")
    party_link = page.input_value("input.link")
    assert "/s/" in party_link
    assert fits_the_screen(page)
    shot(page, "41-related-party-link")
    page.click("button:has-text('I have added everyone')")
    assert "3 of 3 steps sent" in page.inner_text("main")

    # The person added opens their own link.
    party_page = phone_page(browser)
    party_page.goto(live_server.url + "/s/" + party_link.split("/s/")[1])
    assert party_page.locator("h1").inner_text() == "Your steps"
    session.refresh_from_db()
    results = {v.step_id: (v.status, v.result) for v in session.verifications.all()}
    assert results == {
        "registry": ("done", "passed"),
        "certificate": ("done", "passed"),
        "people": ("done", "passed"),
    }, results

    pkcs12 = tmp_path / "signing.p12"
    pkcs12.write_bytes(self_signed_pkcs12("Acme Bank document signing", organization="Acme Bank", password=b"pw"))
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD, settings.TIMESTAMP_URL = str(pkcs12), "pw", ""
    signing_session, signing_link = signing.signing_session_create(
        actor=system(organization),
        email="paul@boulangerie.example",
        document=form_pdf(),
        sign_fields=[{"field_id": "signature", "actor_id": "signer"}],
        fill_fields=[{"field_id": "last_name", "value": "${identity.last_name}"}],
        identity={"first_name": "Paul", "last_name": "Martin"},
    )
    page.goto(signing_link.url.replace(settings.PUBLIC_BASE_URL, live_server.url))
    page.click("text=Continue")
    with page.expect_download() as preview:
        page.click("text=Open the document to sign (PDF)")
    assert preview.value.suggested_filename == "document.pdf"
    page.click("button:has-text('Sign')")
    assert "Tick the box to give your consent." in page.inner_text("main")
    page.check("#f-consent")
    shot(page, "42-signature-consent")
    page.click("button:has-text('Sign')")
    page.click("a:has-text('Sign the document')")
    with page.expect_download() as signed:
        page.click("text=Download the signed document (PDF)")
    assert signed.value.suggested_filename == "signed.pdf"
    shot(page, "43-signed")
    verification = signing_session.verifications.get()
    verification.refresh_from_db()
    assert (verification.status, verification.result) == ("done", "passed")
