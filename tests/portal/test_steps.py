"""Every step type through its page: what the applicant sends, and every refusal they can meet."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.models import Applicant, Session
from tests.factories import make_session, make_workflow, system
from tests.portal.conftest import ALL_STEPS, enter, open_link, post_refused
from tests.portal.images import bomb_png, pdf_bytes, photo_bytes

pytestmark = pytest.mark.django_db


def upload(name="photo.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else photo_bytes(), content_type=content_type)


def verification(applicant, step_id):
    return applicant.verifications.get(step_id=step_id)


# Form ---------------------------------------------------------------------------------------------

FORM_OK = {
    "email": "Anna@Example.COM",
    "phone": "06 12 34 56 78",
    "birth_date": "1974-08-12",
    "nationality": "SE",
    "home.line_1": "12 rue de la Paix",
    "home.zip_code": "75002",
    "home.city": "Paris",
    "home.country": "FR",
    "terms": "on",
}


def test_form_step_submits_cleaned_values_and_moves_to_the_next_step(client, link):
    applicant, path = link
    data = {**FORM_OK, "phone": "+33 6 12 34 56 78"}
    response = client.post(path + "steps/details/", data)
    assert response.status_code == 302
    assert response["Location"] == path + "steps/identity/"
    details = verification(applicant, "details")
    assert details.status == "submitted"
    assert details.data["submitted"]["phone"] == "+33612345678"
    assert details.data["submitted"]["email"] == "Anna@example.com"
    assert details.data["submitted"]["home"]["city"] == "Paris"
    assert details.data["submitted"]["terms"] is True
    overview = client.get(path).content.decode()
    assert "Thank you, “Your details” was received." in overview
    assert "1 of 7 steps sent" in overview


def test_form_errors_are_tied_to_their_fields_and_keep_what_was_typed(client, link):
    applicant, path = link
    data = {**FORM_OK, "email": "not-an-email", "phone": "12", "home.city": "", "terms": ""}
    data.pop("terms")
    response = post_refused(client, path + "steps/details/", data)
    body = response.content.decode()
    assert 'aria-describedby="f-email-error"' in body
    assert 'id="f-email-error">Enter a valid email address.' in body
    assert 'id="f-phone-hint"' in body and "f-phone-hint f-phone-error" in body
    assert 'id="f-home-city-error">This field is required.' in body
    assert 'id="f-terms-error">This box must be checked to continue.' in body
    assert 'value="not-an-email"' in body and 'value="12 rue de la Paix"' in body
    assert '<a href="#f-email">' in body  # the summary links to the field
    assert verification(applicant, "details").status == "awaiting_data"


def test_form_prefills_what_the_integrator_sent(client, org, portal_workflow):
    session = make_session(org, portal_workflow, input={"form": {"email": "known@example.com"}})
    _, path = open_link(client, session)
    assert 'value="known@example.com"' in client.get(path + "steps/details/").content.decode()


# Identity document --------------------------------------------------------------------------------


def test_identity_card_needs_front_and_back(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/identity/", {"kind": "id_card", "file_front": upload("front.jpg")})
    body = response.content.decode()
    assert 'id="f-file-back-error">Add this file to continue.' in body
    # The front is kept: the page says so and the next post only needs the back.
    assert "Received: front.jpg" in body
    response = client.post(path + "steps/identity/", {"kind": "id_card", "file_back": upload("back.jpg")})
    assert response.status_code == 302
    identity = verification(applicant, "identity")
    assert identity.status == "submitted"
    assert "Received: front.jpg, back.jpg" in client.get(path).content.decode()
    documents = identity.documents.filter(superseded=False)
    assert sorted(documents.values_list("kind", "side")) == [("id_card", "back"), ("id_card", "front")]
    assert identity.data["submitted"]["document_kind"] == "id_card"


def test_passport_needs_only_the_front(client, link):
    applicant, path = link
    assert client.post(path + "steps/identity/", {"kind": "passport", "file_front": upload()}).status_code == 302
    assert verification(applicant, "identity").status == "submitted"


def test_identity_page_offers_the_camera_and_the_document_kinds(client, link):
    _, path = link
    body = client.get(path + "steps/identity/").content.decode()
    assert 'capture="environment"' in body
    assert "Identity card" in body and "Passport" in body and "Residence permit" in body


def test_identity_requires_a_document_kind(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/identity/", {"file_front": upload()})
    assert "Choose the kind of document." in response.content.decode()
    assert not verification(applicant, "identity").documents.exists()


def test_a_passport_only_step_asks_for_no_back_side(client, org):
    workflow = make_workflow(
        org, steps=[{"id": "identity", "type": "identity_document", "config": {"document_types": ["passport"]}}]
    )
    _, path = open_link(client, make_session(org, workflow))
    page = client.get(path + "steps/identity/").content.decode()
    assert 'id="f-file-front"' in page and 'id="f-file-back"' not in page


def test_a_new_upload_replaces_the_previous_one_of_the_same_side(client, link):
    applicant, path = link
    client.post(path + "steps/identity/", {"kind": "id_card", "file_front": upload("first.jpg")})
    client.post(path + "steps/identity/", {"kind": "id_card", "file_front": upload("second.jpg", photo_bytes("2"))})
    identity = verification(applicant, "identity")
    assert list(identity.documents.filter(superseded=False).values_list("original_name", flat=True)) == ["second.jpg"]
    assert identity.documents.filter(superseded=True).count() == 1


def test_refused_file_shows_a_clear_message_and_keeps_the_good_one(client, link):
    applicant, path = link
    response = post_refused(
        client,
        path + "steps/identity/",
        {
            "kind": "id_card",
            "file_front": upload("front.jpg"),
            "file_back": upload("notes.txt", b"just some text", "text/plain"),
        },
    )
    body = response.content.decode()
    assert "Only JPEG, PNG, HEIC photos and PDF documents are accepted." in body
    assert "Received: front.jpg" in body
    assert verification(applicant, "identity").documents.filter(side="front").count() == 1


def test_image_bomb_is_refused(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/selfie/", {"file": upload("bomb.png", bomb_png(), "image/png")})
    assert "too large to open" in response.content.decode()
    assert not verification(applicant, "selfie").documents.exists()


def test_file_over_the_size_limit_is_refused(client, link, settings):
    applicant, path = link
    settings.MAX_UPLOAD_BYTES = 1024
    response = post_refused(client, path + "steps/selfie/", {"file": upload()})
    assert "The file is larger than" in response.content.decode()


def test_uploaded_photo_is_re_encoded_without_exif_under_a_generated_name(client, link):
    applicant, path = link
    client.post(path + "steps/selfie/", {"file": upload("../../me.jpg", photo_bytes(exif=True))})
    document = verification(applicant, "selfie").documents.get()
    assert document.mime_type == "image/jpeg"
    assert "me.jpg" not in document.file.name and ".." not in document.file.name
    assert document.original_name == "me.jpg"
    assert b"PhoneMaker" not in document.file.open("rb").read()


# Selfie, proof of address, analysis ---------------------------------------------------------------


def test_selfie_uses_the_front_camera(client, link):
    applicant, path = link
    body = client.get(path + "steps/selfie/").content.decode()
    assert 'capture="user"' in body and 'accept="image/jpeg,image/png,image/heic,image/heif"' in body
    assert client.post(path + "steps/selfie/", {"file": upload()}).status_code == 302
    assert verification(applicant, "selfie").documents.get().kind == "selfie"


def test_selfie_without_a_photo_is_refused(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/selfie/", {})
    assert 'id="f-file-error">Add this file to continue.' in response.content.decode()


def test_proof_of_address_accepts_a_pdf_of_the_chosen_kind(client, link):
    applicant, path = link
    body = client.get(path + "steps/address/").content.decode()
    assert "application/pdf" in body and "Utility bill" in body
    response = client.post(
        path + "steps/address/", {"kind": "tax_notice", "file": upload("bill.pdf", pdf_bytes(), "application/pdf")}
    )
    assert response.status_code == 302
    document = verification(applicant, "address").documents.get()
    assert (document.kind, document.mime_type) == ("tax_notice", "application/pdf")


def test_document_analysis_takes_the_configured_document_type(client, link):
    applicant, path = link
    assert client.post(path + "steps/analysis/", {"file": upload()}).status_code == 302
    assert verification(applicant, "analysis").documents.get().kind == "driver_licence"


# Bank account -------------------------------------------------------------------------------------


def test_typed_iban_is_checked_at_once(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/bank/", {"iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert "This IBAN is not valid" in response.content.decode()
    assert verification(applicant, "bank").status == "awaiting_data"


def test_valid_typed_iban_is_submitted(client, org):
    workflow = make_workflow(org, steps=[{"id": "bank", "type": "bank_account"}])
    session = make_session(org, workflow, input={"identity": {"first_name": "Anna", "last_name": "Eriksson"}})
    applicant, path = open_link(client, session)
    assert client.post(path + "steps/bank/", {"iban": "de89 3704 0044 0532 0130 00"}).status_code == 302
    bank = verification(applicant, "bank")
    assert bank.data["submitted"]["bank_account"]["iban"] == "DE89370400440532013000"
    applicant.refresh_from_db()
    assert applicant.bank_account["iban"] == "DE89370400440532013000"


def test_bank_step_takes_a_document_instead(client, link):
    applicant, path = link
    assert (
        client.post(path + "steps/bank/", {"file": upload("rib.pdf", pdf_bytes(), "application/pdf")}).status_code
        == 302
    )
    assert verification(applicant, "bank").documents.get().kind == "bank_details"


def test_bank_step_needs_an_iban_or_a_document(client, link):
    _, path = link
    response = post_refused(client, path + "steps/bank/", {})
    assert "Type your IBAN or add a bank details document." in response.content.decode()


@pytest.mark.parametrize(
    "language, either, optional",
    [
        ("en", "one of the two is required", "(optional)"),
        ("fr", "l’un des deux est obligatoire", "(facultatif)"),
    ],
)
def test_bank_labels_say_iban_or_document_and_bic_optional_once(client, link, language, either, optional):
    _, path = link
    body = client.get(path + f"steps/bank/?lang={language}").content.decode()
    assert either in body
    iban = re.search(r'<label for="f-iban">(.*?)</label>', body, re.S).group(1)
    bic = re.search(r'<label for="f-bic">(.*?)</label>', body, re.S).group(1)
    assert "optional" not in iban and optional not in iban  # the IBAN or the document is required
    assert bic.count("(") == 1 and optional in bic


# Company registry and related parties --------------------------------------------------------------


def test_company_registry_number_and_country(client, company_link):
    applicant, path = company_link
    response = post_refused(client, path + "steps/registry/", {"registration_number": "", "country_code": "DE"})
    body = response.content.decode()
    assert 'id="f-registration-number-error">This field is required.' in body
    assert "Companies from this country are not accepted here." in body
    response = client.post(path + "steps/registry/", {"registration_number": "552 100 554", "country_code": "fr"})
    assert response.status_code == 302
    submitted = verification(applicant, "registry").data["submitted"]
    assert submitted == {"registration_number": "552 100 554", "country_code": "FR"}


def test_related_parties_each_get_a_subsession_and_a_link(client, company_link, django_capture_on_commit_callbacks):
    applicant, path = company_link
    response = client.post(
        path + "steps/people/",
        {"action": "add", "first_name": "Jean", "last_name": "Dubois", "email": "jean@example.com", "role": "director"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    subsession = Session.objects.get(parent=applicant.session)
    assert subsession.name == "Jean Dubois"
    assert subsession.status == "active"
    party = subsession.applicants.get()
    assert party.email == "jean@example.com" and party.identity["last_name"] == "Dubois"
    assert "Link for Jean Dubois" in body
    assert 'value="jean@example.com"' not in body  # the form is ready for the next person
    link_path = body.split('class="link" value="')[1].split('"')[0].split("/s/")[1]
    assert client.get(f"/s/{link_path}", follow=True).status_code == 200
    # A new link replaces the old one.
    response = client.post(path + "steps/people/", {"action": "link", "party": str(subsession.id)})
    assert client.get(f"/s/{link_path}").status_code == 404
    assert "Link for Jean Dubois" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path + "steps/people/", {"action": "submit"}).status_code == 302
    people = verification(applicant, "people")
    assert people.data["submitted"]["parties"] == [
        {"session_id": str(subsession.id), "name": "Jean Dubois", "role": "director"}
    ]
    assert (people.status, people.result) == ("done", "passed")


def test_related_parties_refusals(client, company_link):
    applicant, path = company_link
    response = post_refused(client, path + "steps/people/", {"action": "submit"})
    assert "Add at least one person." in response.content.decode()
    response = post_refused(
        client,
        path + "steps/people/",
        {"action": "add", "first_name": "J3an", "last_name": "", "email": "x", "role": "king"},
    )
    body = response.content.decode()
    assert "Enter a name using letters" in body and "Enter a valid email address." in body
    assert "Select one of the proposed choices." in body
    for name in ("Ann", "Bob"):
        client.post(
            path + "steps/people/",
            {"action": "add", "first_name": name, "last_name": "Lee", "email": f"{name}@example.com", "role": "ubo"},
        )
    response = post_refused(
        client,
        path + "steps/people/",
        {"action": "add", "first_name": "Cid", "last_name": "Lee", "email": "cid@example.com", "role": "ubo"},
    )
    assert "You can add at most 2 people." in response.content.decode()
    assert Session.objects.filter(parent=applicant.session).count() == 2


# Signature ----------------------------------------------------------------------------------------


@pytest.fixture
def signing_link(client, org, signing_settings):
    from onboarding import signing
    from tests.signing.pdfs import form_pdf

    session, link = signing.signing_session_create(
        actor=system(org),
        email="anna@example.com",
        document=form_pdf(),
        sign_fields=[{"field_id": "signature", "actor_id": "signer"}],
        fill_fields=[{"field_id": "last_name", "value": "${identity.last_name}"}],
        identity={"first_name": "Anna", "last_name": "Eriksson"},
    )
    return session.applicants.get(), enter(client, link.token)


def test_signature_shows_the_filled_pdf_and_needs_explicit_consent(client, signing_link):
    from tests.signing.pdfs import page_text

    applicant, path = signing_link
    page = client.get(path + "steps/signature/").content.decode()
    assert f'href="{path}steps/signature/document.pdf"' in page
    preview = client.get(path + "steps/signature/document.pdf")
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("attachment")
    assert "Eriksson" in page_text(preview.content)
    response = post_refused(client, path + "steps/signature/", {})
    assert "Tick the box to give your consent." in response.content.decode()
    assert not applicant.documents.filter(kind="signed_pdf").exists()


def test_signature_step_shows_the_contracts_pages_before_consent(client, signing_link):
    from io import BytesIO

    from PIL import Image

    applicant, path = signing_link
    page = client.get(path + "steps/signature/").content.decode()
    image_url = f"{path}steps/signature/document-page-1.png"
    # The page is on the step itself, above the consent box, without JavaScript.
    assert page.index(f'<img src="{image_url}"') < page.index('id="f-consent"')
    assert 'alt="Page 1 of 1 of the document to sign"' in page
    image = client.get(image_url)
    assert image["Content-Type"] == "image/png" and image["Cache-Control"] == "no-store"
    rendered = Image.open(BytesIO(image.content))
    assert rendered.width > 500 and rendered.getextrema() != ((255, 255), (255, 255), (255, 255))
    assert client.get(f"{path}steps/signature/document-page-2.png").status_code == 404
    assert client.get("/s/not-a-token/steps/signature/document-page-1.png").status_code == 404


def test_signing_returns_the_signed_pdf(client, signing_link):
    from onboarding import signing_certificate, signing_pdf

    applicant, path = signing_link
    response = client.post(path + "steps/signature/", {"consent": "on"}, HTTP_USER_AGENT="PhoneBrowser/1.0")
    assert response.status_code == 302
    signature = verification(applicant, "signature")
    evidence = signature.data["submitted"]["signature_evidence"]
    assert evidence["consent_text"] == "I have read the document and I agree to sign it electronically."
    assert evidence["user_agent"] == "PhoneBrowser/1.0"
    assert f'href="{path}steps/signature/"' in client.get(path).content.decode()
    page = client.get(path + "steps/signature/").content.decode()
    assert "Download the signed document (PDF)" in page
    signed = client.get(path + "steps/signature/signed.pdf")
    assert signed["Content-Disposition"].startswith("attachment")
    (status,) = signing_pdf.validate(signed.content, [signing_certificate.certificate()])
    assert status.intact and status.valid


def test_signature_step_without_a_document_says_so(client, link):
    applicant, path = link
    response = post_refused(client, path + "steps/sign/", {"consent": "on"})
    assert "The document to sign is not available." in response.content.decode()
    assert verification(applicant, "sign").status == "awaiting_data"


# Skipping and closed steps --------------------------------------------------------------------------


def test_optional_step_can_be_skipped_required_cannot(client, link):
    applicant, path = link
    assert "Skip this step" in client.get(path + "steps/analysis/").content.decode()
    assert "Skip this step" not in client.get(path + "steps/details/").content.decode()
    client.post(path + "steps/analysis/skip/")
    assert verification(applicant, "analysis").status == "skipped"
    client.post(path + "steps/details/skip/")
    assert verification(applicant, "details").status == "awaiting_data"


def test_a_submitted_step_cannot_be_sent_twice(client, link):
    applicant, path = link
    client.post(path + "steps/selfie/", {"file": upload()})
    page = client.get(path + "steps/selfie/").content.decode()
    assert "We have received this step and are checking it." in page
    response = post_refused(client, path + "steps/selfie/", {"file": upload()})
    assert "This step cannot be changed now." in response.content.decode()


def test_unknown_step_goes_back_to_the_overview(client, link):
    _, path = link
    response = client.get(path + "steps/nope/")
    assert response.status_code == 302 and response["Location"] == path


def test_steps_of_the_other_applicant_type_are_not_shown(client, org):
    workflow = make_workflow(org, steps=[*ALL_STEPS[:1], {"id": "registry", "type": "company_registry"}])
    session = make_session(org, workflow)
    applicant, path = open_link(client, session)
    assert Applicant.objects.get(id=applicant.id).type == "natural_person"
    body = client.get(path).content.decode()
    assert "Company registration" not in body


def test_optional_address_left_blank_is_accepted_but_a_partial_one_is_not(client, link):
    applicant, path = link
    partial = post_refused(
        client, path + "steps/details/", {"email": "anna@example.com", "terms": "on", "home.city": "Paris"}
    )
    assert 'id="f-home-line-1-error">This field is required.' in partial.content.decode()
    blank = client.post(path + "steps/details/", {"email": "anna@example.com", "terms": "on"})
    assert blank.status_code == 302
    assert "home" not in verification(applicant, "details").data["submitted"]


def test_heic_photo_is_converted_to_jpeg(client, link):
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(out, format="HEIF")
    applicant, path = link
    assert (
        client.post(path + "steps/selfie/", {"file": upload("IMG_0001.HEIC", out.getvalue(), "image/heic")}).status_code
        == 302
    )
    assert verification(applicant, "selfie").documents.get().mime_type == "image/jpeg"
