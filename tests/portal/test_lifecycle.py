"""The portal across the session's life: attempts, blocking, corrections, finishing, decided sessions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding import services
from onboarding.checks import INCONCLUSIVE, PASSED, CheckResult
from onboarding.models import Session
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system
from tests.portal.conftest import open_link, post_refused
from tests.portal.images import photo_bytes

pytestmark = pytest.mark.django_db

SELFIE_AND_FORM = [{"id": "selfie", "type": "selfie"}, *FORM_ONLY_STEPS]


@pytest.fixture
def unreadable_selfies(monkeypatch):
    """Every selfie is unusable (costs an attempt); forms get their real check."""
    from onboarding.services import processing

    real = processing.get_check

    def get_check(step_type):
        if step_type == "selfie":
            return lambda documents, known, config: CheckResult(
                INCONCLUSIVE, reason_codes=["face_not_found"], unusable=True
            )
        return real(step_type)

    monkeypatch.setattr(processing, "get_check", get_check)


@pytest.fixture
def passing_selfies(monkeypatch):
    from onboarding.services import processing

    real = processing.get_check
    monkeypatch.setattr(
        processing,
        "get_check",
        lambda step_type: (
            (lambda documents, known, config: CheckResult(PASSED)) if step_type == "selfie" else real(step_type)
        ),
    )


def selfie_session(org, **settings):
    workflow = make_workflow(org, steps=SELFIE_AND_FORM, settings={"max_attempts": 2, **settings})
    return make_session(org, workflow)


def send_selfie(client, path, capture):
    with capture(execute=True):
        return client.post(path + "steps/selfie/", {"file": SimpleUploadedFile("me.jpg", photo_bytes())})


def send_form(client, path, capture, email="anna@example.com"):
    with capture(execute=True):
        return client.post(path + "steps/details/", {"email": email})


def test_unusable_document_reopens_the_step_with_attempts_left_and_the_reason(
    client, org, unreadable_selfies, django_capture_on_commit_callbacks
):
    applicant, path = open_link(client, selfie_session(org))
    send_selfie(client, path, django_capture_on_commit_callbacks)
    selfie = applicant.verifications.get(step_id="selfie")
    assert (selfie.status, selfie.attempts) == ("awaiting_data", 1)
    page = client.get(path + "steps/selfie/").content.decode()
    assert "Please send this step again" in page
    assert "No face could be found on the photo." in page
    assert "1 attempt left." in page
    assert "Please send it again: 1 attempt left." in client.get(path).content.decode()


def test_last_failed_attempt_blocks_the_applicant_and_names_the_contact(
    client, org, unreadable_selfies, django_capture_on_commit_callbacks
):
    org.support_contact = "support@bank.example"
    org.save()
    applicant, path = open_link(client, selfie_session(org))
    send_selfie(client, path, django_capture_on_commit_callbacks)
    send_selfie(client, path, django_capture_on_commit_callbacks)
    applicant.refresh_from_db()
    assert applicant.status == "blocked"
    page = client.get(path).content.decode()
    assert "We could not complete your verification" in page
    assert "All attempts for “Selfie” have been used" in page
    assert "Please contact support@bank.example to continue." in page
    # Nothing can be sent any more.
    response = post_refused(client, path + "steps/details/", {"email": "anna@example.com"})
    assert "This step cannot be changed now." in response.content.decode()


def test_blocked_page_falls_back_to_the_organization_name(
    client, org, unreadable_selfies, django_capture_on_commit_callbacks
):
    applicant, path = open_link(client, selfie_session(org, max_attempts=1))
    send_selfie(client, path, django_capture_on_commit_callbacks)
    assert f"Please contact {org.name} to continue." in client.get(path).content.decode()


def test_finishing_redirects_with_state_and_session_id(
    client, org, passing_selfies, django_capture_on_commit_callbacks
):
    workflow = make_workflow(org, steps=SELFIE_AND_FORM, settings={"redirect_allowlist": ["shop.example"]})
    session = make_session(
        org, workflow, redirect_url="https://shop.example/back?order=42&state=old", state="opaque=1&x"
    )
    applicant, path = open_link(client, session)
    overview = client.get(path).content.decode()
    assert "Finish" not in overview
    assert client.post(path + "finish/").status_code == 302
    send_selfie(client, path, django_capture_on_commit_callbacks)
    send_form(client, path, django_capture_on_commit_callbacks)
    session.refresh_from_db()
    assert session.status == "processed"
    overview = client.get(path).content.decode()
    assert "Your information is being reviewed" in overview and "Finish" in overview
    response = client.post(path + "finish/")
    assert response.status_code == 302
    assert response["Location"] == (f"https://shop.example/back?order=42&state=opaque%3D1%26x&session_id={session.id}")
    # Finished once: the overview no longer offers it, and a second post (Back, a double tap) changes nothing.
    assert "Finish" not in client.get(path).content.decode()
    assert client.post(path + "finish/")["Location"] == response["Location"]


def test_finishing_without_redirect_shows_the_thank_you_page(client, org, django_capture_on_commit_callbacks):
    workflow = make_workflow(org, steps=[*FORM_ONLY_STEPS, {"id": "sign", "type": "signature", "required": False}])
    session = make_session(org, workflow)
    applicant, path = open_link(client, session)
    client.post(path + "steps/details/", {"email": "anna@example.com"})  # sent; its check is still to run
    response = client.post(path + "finish/")
    assert response["Location"] == path + "thanks/"
    # The optional step left untouched is skipped, so the applicant owes nothing more.
    assert applicant.verifications.get(step_id="sign").status == "skipped"
    assert "You can close this page." in client.get(path + "thanks/").content.decode()


def test_finish_is_refused_while_required_steps_are_open(client, link):
    applicant, path = link
    response = client.post(path + "finish/")
    assert response["Location"] == path
    assert "Some required steps are not done yet." in client.get(path).content.decode()


def test_submitted_step_waits_for_its_check(client, link):
    applicant, path = link
    client.post(path + "steps/selfie/", {"file": SimpleUploadedFile("me.jpg", photo_bytes())})  # checked after commit
    overview = client.get(path).content.decode()
    assert "Received, being checked" in overview


def processed_form_session(org, client, capture):
    session = make_session(org, make_workflow(org, steps=[*FORM_ONLY_STEPS, {"id": "selfie", "type": "selfie"}]))
    applicant, path = open_link(client, session)
    send_form(client, path, capture)
    return session, applicant, path


def test_correction_round_trip_opens_only_the_named_step(
    client, org, passing_selfies, django_capture_on_commit_callbacks
):
    session, applicant, path = processed_form_session(org, client, django_capture_on_commit_callbacks)
    send_selfie(client, path, django_capture_on_commit_callbacks)
    session.refresh_from_db()
    assert session.status == "processed"
    services.session_request_corrections(
        actor=system(org),
        session_id=session.id,
        corrections=[
            {
                "step_id": "details",
                "field_ids": ["email"],
                "document_types": ["passport"],
                "message": "Please use your work email address.",
            }
        ],
    )

    overview = client.get(path).content.decode()
    assert "Some information needs to be sent again" in overview
    assert "Correction needed" in overview
    assert "Message from the reviewer:</strong> Please use your work email address." in overview
    assert f'href="{path}steps/details/"' in overview
    assert f'href="{path}steps/selfie/"' not in overview
    page = client.get(path + "steps/details/").content.decode()
    assert "Please use your work email address." in page
    assert 'value="anna@example.com"' in page and "Please check this field." in page
    assert "Documents asked for: Passport" in page
    locked = post_refused(client, path + "steps/selfie/", {"file": SimpleUploadedFile("me.jpg", photo_bytes())})
    assert "This step cannot be changed now." in locked.content.decode()

    response = send_form(client, path, django_capture_on_commit_callbacks, email="anna@work.example")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "processed"  # corrections resolved → completed → processed again
    assert not session.corrections.filter(status="open").exists()
    assert applicant.verifications.get(step_id="details").data["submitted"]["email"] == "anna@work.example"
    assert "Your information is being reviewed" in client.get(path).content.decode()


@pytest.mark.parametrize(
    "decision, heading, badge",
    [
        ("approved", "Your verification is approved", "Approved"),
        ("rejected", "Your verification was not approved", "Not approved"),
        ("manual_review", "Under review", "Received, under review"),
    ],
)
def test_decided_session_says_how_it_ended_and_offers_nothing_to_do(
    client, org, decision, heading, badge, passing_selfies, django_capture_on_commit_callbacks
):
    org.support_contact = "kyc@bank.example"
    org.save()
    session, applicant, path = processed_form_session(org, client, django_capture_on_commit_callbacks)
    send_selfie(client, path, django_capture_on_commit_callbacks)
    services.session_decide(actor=system(org), session_id=session.id, status=decision, note="checked")
    assert Session.objects.get(id=session.id).status == decision
    page = client.get(path).content.decode()
    assert heading in page and f'<span class="badge">{badge}</span>' in page
    assert ("please contact kyc@bank.example" in page) is (decision == "rejected")
    # An approved (or rejected) applicant reopening the link is not asked to finish again.
    assert ("Finish" in page) is (decision == "manual_review")
    assert 'href="' + path + "steps/" not in page


def test_a_failed_check_is_never_shown_as_done(client, org, django_capture_on_commit_callbacks, monkeypatch):
    from onboarding.checks import FAILED
    from onboarding.services import processing

    monkeypatch.setattr(
        processing,
        "get_check",
        lambda step_type: lambda documents, known, config: CheckResult(FAILED, reason_codes=["document_expired"]),
    )
    session, applicant, path = processed_form_session(org, client, django_capture_on_commit_callbacks)
    assert applicant.verifications.get(step_id="details").result == "failed"
    page = client.get(path).content.decode()
    assert '<span class="badge">Received, under review</span>' in page
    assert "Done" not in page


def test_processing_session_says_it_is_being_checked(client, org, django_capture_on_commit_callbacks):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS, settings={"auto_process": False})
    session = make_session(org, workflow)
    applicant, path = open_link(client, session)
    send_form(client, path, django_capture_on_commit_callbacks)
    assert Session.objects.get(id=session.id).status == "completed"
    assert "We have received everything and are checking it" in client.get(path).content.decode()
    services.session_process(actor=system(org), session_id=session.id)  # on_commit not run: stays processing
    assert Session.objects.get(id=session.id).status == "processing"
    page = client.get(path).content.decode()
    assert "We have received everything and are checking it" in page and "Finish" in page


# Committed for real, so the check runs (eagerly) before the page answers, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_unusable_upload_gets_no_thank_you(client, org, unreadable_selfies):
    applicant, path = open_link(client, selfie_session(org, max_attempts=3))
    response = client.post(path + "steps/selfie/", {"file": SimpleUploadedFile("me.jpg", photo_bytes())})
    # Its check ran at once and found it unusable: back to the same step, which says why, and nothing else.
    assert response["Location"] == path + "steps/selfie/"
    page = client.get(path + "steps/selfie/").content.decode()
    assert "Thank you" not in page and "was received" not in page
    assert "No face could be found on the photo." in page and "2 attempts left." in page
    assert '<span class="badge">New document needed</span>' in client.get(path).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_last_unusable_upload_leads_to_the_blocked_page_without_a_thank_you(client, org, unreadable_selfies):
    applicant, path = open_link(client, selfie_session(org, max_attempts=1))
    response = client.post(path + "steps/selfie/", {"file": SimpleUploadedFile("me.jpg", photo_bytes())})
    assert response["Location"] == path
    page = client.get(path).content.decode()
    assert "We could not complete your verification" in page and "Thank you" not in page


def test_a_refused_post_redirects_so_back_never_resubmits(client, link):
    applicant, path = link
    response = client.post(path + "steps/details/", {"email": "not an email", "phone": "+33 6 12 34 56 78"})
    assert response.status_code == 302 and response["Location"] == path + "steps/details/"
    page = client.get(path + "steps/details/").content.decode()
    assert "Enter a valid email address." in page
    assert 'value="not an email"' in page and 'value="+33 6 12 34 56 78"' in page
    # Shown once: reloading the page (or coming back to it) starts clean.
    again = client.get(path + "steps/details/").content.decode()
    assert "Enter a valid email address." not in again and "not an email" not in again


def test_corrected_document_step_needs_a_new_document(client, org, passing_selfies, django_capture_on_commit_callbacks):
    session, applicant, path = processed_form_session(org, client, django_capture_on_commit_callbacks)
    send_selfie(client, path, django_capture_on_commit_callbacks)
    services.session_request_corrections(
        actor=system(org),
        session_id=session.id,
        corrections=[{"step_id": "selfie", "message": "The photo is too dark."}],
    )
    page = client.get(path + "steps/selfie/").content.decode()
    assert "The photo is too dark." in page
    assert "Received:" not in page  # the photo the reviewer turned down is not offered as received
    with django_capture_on_commit_callbacks(execute=True):
        unchanged = post_refused(client, path + "steps/selfie/", {})
    assert "Send a new document, as the reviewer asked." in unchanged.content.decode()
    assert "Received:" not in unchanged.content.decode()
    assert send_selfie(client, path, django_capture_on_commit_callbacks).status_code == 302
    session.refresh_from_db()
    assert session.status == "processed"
    assert applicant.verifications.get(step_id="selfie").documents.filter(superseded=False).count() == 1
