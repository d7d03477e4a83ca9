"""What an applicant reads at each point of their case, on a phone in Chromium, in en/fr/de, with
JavaScript on and off: a failed check, the reviewer's correction and the approval; an applicant
blocked, given more attempts and completed; tap targets. Every status on a page is compared with
onboarding.standing for the session's state at that moment."""

from pathlib import Path

import pytest
from django.utils import translation

from onboarding import services
from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.models import Applicant, Session
from onboarding.standing import applicant_standing
from portal.labels import standing_text
from tests.e2e.test_portal import (  # noqa: F401 (browser: fixture)
    browser,
    file_payload,
    link_for,
    phone_page,
    portal_address,
)
from tests.factories import OrganizationFactory, make_session, make_workflow, sample_png, system

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal-status"

STEPS = [
    {
        "id": "details",
        "type": "form",
        "title": {"en": "Your details", "de": "Ihre Angaben", "fr": "Vos informations"},
        "config": {
            "fields": [
                {
                    "id": "email",
                    "type": "email",
                    "required": True,
                    "label": {"en": "Email", "de": "E-Mail", "fr": "E-mail"},
                }
            ]
        },
    },
    {"id": "identity", "type": "identity_document", "config": {"document_types": ["passport"]}},
]
WORDS = {
    "en": {"send": "Send", "finish": "Finish", "title": "Your steps"},
    "fr": {"send": "Envoyer", "finish": "Terminer", "title": "Vos étapes"},
    "de": {"send": "Senden", "finish": "Abschließen", "title": "Ihre Schritte"},
}


class Checks:
    """What the identity check concludes next (the form keeps its real check)."""

    def __init__(self, monkeypatch):
        from onboarding.services import processing

        self.outcome = CheckResult(PASSED)
        real = processing.get_check
        monkeypatch.setattr(
            processing,
            "get_check",
            lambda step_type: (
                (lambda documents, known, config: self.outcome)
                if step_type in ("identity_document", "selfie")
                else real(step_type)
            ),
        )


@pytest.fixture
def checks(monkeypatch):
    return Checks(monkeypatch)


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def expected(applicant_id, language):
    """(case state, {step id: badge text}) as onboarding.standing says them now, in `language`."""
    applicant = Applicant.objects.select_related("session__workflow_version").get(id=applicant_id)
    standing = applicant_standing(applicant)
    types = {v.step_id: v.type for v in applicant.verifications.all()}
    with translation.override(language):
        return standing, {s.step_id: str(standing_text(s.state, types[s.step_id])) for s in standing.steps}


def assert_overview_tells(page, applicant_id, language):
    """The overview's case and every badge are exactly what the session's state means."""
    standing, badges = expected(applicant_id, language)
    case = page.locator("[data-case]")
    shown_case = case.get_attribute("data-case") if case.count() else None
    assert shown_case == (None if standing.state == "to_do" else standing.state)
    for step_id, text in badges.items():
        assert page.locator(f'[data-step="{step_id}"] .badge').inner_text() == text
    assert (page.locator("form[action$='/finish/'] button").count() == 1) is standing.can_finish
    return standing


def assert_step_page_tells(page, overview, step_id, applicant_id, language):
    """A step nothing is asked of says where it stands, in the same words as the overview's badge."""
    standing, badges = expected(applicant_id, language)
    page.goto(f"{overview}steps/{step_id}/")
    assert page.locator("[data-standing]").get_attribute("data-standing") == standing.step(step_id).state
    assert page.locator("[data-standing] .standing").inner_text() == badges[step_id]
    page.goto(overview)


def send(page, language):
    page.click(f"button:has-text('{WORDS[language]['send']}')")


# Each flow runs once per language, and between them every language is seen with JavaScript on
# and off: six browser runs instead of twelve, and no combination left out.
FAILED_CHECK_RUNS = [("en", True), ("fr", False), ("de", True)]
BLOCKED_RUNS = [(language, not javascript) for language, javascript in FAILED_CHECK_RUNS]


@pytest.mark.parametrize("language, javascript", FAILED_CHECK_RUNS)
def test_failed_check_then_correction_then_approval(live_server, browser, checks, language, javascript):  # noqa: F811
    organization = OrganizationFactory(name="Acme Bank", support_contact="kyc@acme.example")
    session = make_session(organization, make_workflow(organization, steps=STEPS), locale=language)
    link = link_for(session)
    applicant_id = link.applicant.id
    page = phone_page(browser, javascript=javascript)
    overview = portal_address(page, live_server, link)
    assert page.locator("h1").inner_text() == WORDS[language]["title"]
    assert_overview_tells(page, applicant_id, language)

    page.goto(overview + "steps/details/")
    page.fill("#f-email", "eileen@example.com")
    send(page, language)
    # One message, and it is about what was just sent.
    assert page.locator(".notice").count() == 1
    checks.outcome = CheckResult(FAILED, reason_codes=["document_expired"])
    page.set_input_files("#f-file-front", file_payload("passport.png", sample_png()))
    send(page, language)
    assert Session.objects.get(id=session.id).status == "processed"
    page.goto(overview)
    standing = assert_overview_tells(page, applicant_id, language)
    # A check that failed reads "under review", in every language: never done, never approved.
    assert standing.step("identity").state == "under_review"
    shot(page, f"{language}-1-failed-check-under-review")
    assert_step_page_tells(page, overview, "identity", applicant_id, language)
    page.click(f"button:has-text('{WORDS[language]['finish']}')")
    page.goto(overview)
    assert_overview_tells(page, applicant_id, language)  # finished: no Finish any more

    services.session_request_corrections(
        actor=system(organization),
        session_id=session.id,
        corrections=[{"step_id": "identity", "message": "Your passport has expired: please send a valid one."}],
    )
    page.goto(overview)
    standing = assert_overview_tells(page, applicant_id, language)
    assert standing.state == "needs_new_document"
    assert "Your passport has expired" in page.inner_text("main")
    page.goto(overview + "steps/identity/")
    assert page.locator(".current").count() == 0  # the refused passport is not "received"
    send(page, language)  # nothing chosen: refused, and the answer is a redirect
    assert page.url == overview + "steps/identity/"
    assert page.locator("#error-summary").count() == 1 and page.locator(".notice").count() == 0
    shot(page, f"{language}-2-correction-refused")
    page.go_back()  # a page Back can show again, not "Confirm Form Resubmission"
    assert page.url == overview + "steps/identity/" and page.locator("h1").count() == 1
    page.goto(overview + "steps/identity/")
    checks.outcome = CheckResult(PASSED)
    page.set_input_files("#f-file-front", file_payload("passport-new.png", sample_png(color=(90, 120, 150))))
    send(page, language)
    assert Session.objects.get(id=session.id).status == "processed"

    services.session_decide(actor=system(organization), session_id=session.id, status="approved", note="valid")
    page.goto(overview)
    standing = assert_overview_tells(page, applicant_id, language)
    assert standing.state == "approved" and not standing.can_finish
    assert_step_page_tells(page, overview, "identity", applicant_id, language)
    shot(page, f"{language}-3-approved")


SELFIE_STEPS = [{"id": "selfie", "type": "selfie"}, STEPS[0]]


@pytest.mark.parametrize("language, javascript", BLOCKED_RUNS)
def test_blocked_then_given_attempts_then_completed(live_server, browser, checks, language, javascript):  # noqa: F811
    organization = OrganizationFactory(name="Acme Bank", support_contact="kyc@acme.example")
    workflow = make_workflow(organization, steps=SELFIE_STEPS, settings={"max_attempts": 2})
    session = make_session(organization, workflow, locale=language)
    link = link_for(session)
    applicant_id = link.applicant.id
    page = phone_page(browser, javascript=javascript)
    overview = portal_address(page, live_server, link)
    page.goto(overview + "steps/details/")
    page.fill("#f-email", "eileen@example.com")
    send(page, language)

    checks.outcome = CheckResult(INCONCLUSIVE, reason_codes=["face_not_found"], unusable=True)
    page.goto(overview + "steps/selfie/")
    page.set_input_files("#f-file", file_payload("me.png", sample_png()))
    send(page, language)
    # Unusable: back on the step, told why and how many attempts are left; no thank-you anywhere.
    assert page.url == overview + "steps/selfie/"
    assert page.locator(".notice").count() == 0 and page.locator(".callout.warning").count() == 1
    page.set_input_files("#f-file", file_payload("me-again.png", sample_png(color=(10, 10, 10))))
    send(page, language)
    assert page.url == overview and page.locator(".notice").count() == 0
    assert expected(applicant_id, language)[0].state == "blocked"
    assert "kyc@acme.example" in page.inner_text("main")
    shot(page, f"{language}-4-blocked")

    selfie = Applicant.objects.get(id=applicant_id).verifications.get(step_id="selfie")
    services.verification_unblock(actor=system(organization), verification_id=selfie.id, note="New photo allowed")
    page.goto(overview)
    standing = assert_overview_tells(page, applicant_id, language)
    assert standing.step("selfie").actionable
    checks.outcome = CheckResult(PASSED)
    page.goto(overview + "steps/selfie/")
    page.set_input_files("#f-file", file_payload("me-light.png", sample_png(color=(200, 180, 160))))
    send(page, language)
    assert Session.objects.get(id=session.id).status == "processed"
    page.goto(overview)
    standing = assert_overview_tells(page, applicant_id, language)
    assert standing.state == "under_review"
    shot(page, f"{language}-5-completed-after-unblock")


def test_tap_targets_are_at_least_44_px_on_a_phone(live_server, browser, checks):  # noqa: F811
    organization = OrganizationFactory(name="Acme Bank")
    steps = [
        {
            "id": "details",
            "type": "form",
            "config": {
                "fields": [
                    {"id": "email", "type": "email", "required": True},
                    {"id": "terms", "type": "checkbox", "required": True, "label": "I accept the terms"},
                ]
            },
        },
        {"id": "identity", "type": "identity_document"},
        {"id": "bank", "type": "bank_account"},
    ]
    session = make_session(organization, make_workflow(organization, steps=steps))
    link = link_for(session)
    page = phone_page(browser)
    base = portal_address(page, live_server, link)
    targets = {
        "": ["#lang", ".language button", ".step-row > a", "a.button"],
        "steps/details/": ["#f-email", "label[for=f-terms]", ".actions button", ".back a"],
        "steps/identity/": ["label[for=f-kind-id_card]", "#f-file-front", "#f-file-back"],
        "steps/bank/": ["#f-iban", "#f-bic", "#f-file"],
    }
    for path, selectors in targets.items():
        page.goto(base + path)
        for selector in selectors:
            for box in (page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())):
                assert box and box["height"] >= 44, (path, selector, box)
    shot(page, "6-bank-tap-targets")


def test_a_new_warning_replaces_the_old_error_instead_of_stacking(live_server, browser, checks, settings):  # noqa: F811
    settings.MAX_UPLOAD_BYTES = 2000  # so a small generated photo is "too large" for the page's own check
    organization = OrganizationFactory(name="Acme Bank")
    session = make_session(organization, make_workflow(organization, steps=SELFIE_STEPS))
    link = link_for(session)
    page = phone_page(browser)
    step = portal_address(page, live_server, link) + "steps/selfie/"
    page.goto(step)
    send(page, "en")  # no photo: refused
    assert page.locator("#f-file-error").is_visible()
    page.set_input_files("#f-file", file_payload("big.png", sample_png(size=(400, 400), color=(1, 2, 3)) * 3))
    assert page.locator("#f-file-size").is_visible()
    visible = [e for e in page.locator(".field.file .error").all() if e.is_visible()]
    assert len(visible) == 1, [e.inner_text() for e in visible]
