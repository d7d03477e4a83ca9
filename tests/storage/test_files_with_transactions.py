"""Files are stored before a request's one transaction and kept only if it commits: whatever
refuses a request that sent files (the storage itself, a field, the session being created)
leaves neither a row nor a file behind, and an accepted request keeps both."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.models import Document, Session
from tests.api.conftest import V1, client_for, problem
from tests.documents import bank, company, faces
from tests.factories import make_session, make_workflow
from tests.portal.conftest import COMPANY_STEPS, open_link, post_refused

pytestmark = pytest.mark.django_db


def stored_files(media_root):
    return sorted(path.name for path in media_root.rglob("*") if path.is_file())


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def api(org):
    return client_for(org)[0]


@pytest.fixture(scope="module")
def id_card():
    return faces.id_card_front(faces.ASTRONAUT), faces.id_card_back()


def test_a_refused_second_file_leaves_neither_file_nor_row(client, org, media_root, monkeypatch, id_card):
    """The disk fills up between the front and the back: the front, already written, goes too."""
    session = make_session(org)
    applicant, path = open_link(client, session)
    save, saved = default_storage.save, []

    def full_after_one(name, content, **kwargs):
        if saved:
            raise OSError(28, "No space left on device")
        saved.append(save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", full_after_one)
    response = post_refused(
        client,
        path + "steps/identity/",
        {"kind": "id_card", "file_front": upload("front.jpg", id_card[0]), "file_back": upload("back.jpg", id_card[1])},
    )
    assert "nothing was kept" in response.content.decode()
    assert len(saved) == 1 and stored_files(media_root) == []
    assert not Document.objects.filter(session=session).exists()
    assert applicant.verifications.get(step_id="identity").status == "awaiting_data"


def test_a_front_and_back_sent_together_are_kept(client, org, media_root, id_card):
    session = make_session(org)
    applicant, path = open_link(client, session)
    response = client.post(
        path + "steps/identity/",
        {"kind": "id_card", "file_front": upload("front.jpg", id_card[0]), "file_back": upload("back.jpg", id_card[1])},
    )
    assert response.status_code == 302
    documents = Document.objects.filter(session=session)
    assert sorted(documents.values_list("side", flat=True)) == ["back", "front"]
    assert stored_files(media_root) == sorted(d.file.name.rsplit("/", 1)[-1] for d in documents)
    assert applicant.verifications.get(step_id="identity").status != "awaiting_data"


def bank_link(client, org):
    workflow = make_workflow(org, steps=[{"id": "bank", "type": "bank_account"}])
    session = make_session(org, workflow, input={"identity": {"first_name": "Anna", "last_name": "Eriksson"}})
    return open_link(client, session)


def test_a_bank_letter_sent_with_a_wrong_iban_is_not_kept(client, org, media_root):
    applicant, path = bank_link(client, org)
    letter = upload("rib.pdf", bank.bank_letter_pdf(), "application/pdf")
    response = post_refused(client, path + "steps/bank/", {"file": letter, "iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert "This IBAN is not valid" in response.content.decode()
    assert stored_files(media_root) == [] and not Document.objects.exists()
    letter = upload("rib.pdf", bank.bank_letter_pdf(), "application/pdf")
    assert client.post(path + "steps/bank/", {"file": letter}).status_code == 302
    bank_step = applicant.verifications.get(step_id="bank")
    assert bank_step.status != "awaiting_data"
    assert [d.kind for d in bank_step.documents.all()] == ["bank_details"]
    assert len(stored_files(media_root)) == 1


def test_a_certificate_sent_with_a_refused_country_is_not_kept(client, org, media_root):
    workflow = make_workflow(org, steps=COMPANY_STEPS[:1])
    session = make_session(org, workflow, input={"company": {"company_name": "Atelier Dubois"}})
    applicant, path = open_link(client, session)
    certificate = company.certificate_pdf()
    post_refused(
        client,
        path + "steps/registry/",
        {
            "registration_number": "552 100 554",
            "country_code": "DE",
            "file": upload("kbis.pdf", certificate, "application/pdf"),
        },
    )
    assert stored_files(media_root) == [] and not Document.objects.exists()
    response = client.post(
        path + "steps/registry/",
        {
            "registration_number": "552 100 554",
            "country_code": "FR",
            "file": upload("kbis.pdf", certificate, "application/pdf"),
        },
    )
    assert response.status_code == 302
    registry = applicant.verifications.get(step_id="registry")
    assert registry.data["submitted"]["country_code"] == "FR"
    assert [d.kind for d in registry.documents.all()] == ["company_certificate"]
    assert len(stored_files(media_root)) == 1


def test_an_api_creation_refused_after_its_files_were_stored_keeps_nothing(api, org, media_root, id_card):
    """The redirect address is refused by the session's own rules, after both files were written."""
    workflow = make_workflow(org)
    body = problem(
        api.post(
            f"{V1}/sessions",
            {
                "workflow_id": str(workflow.id),
                "redirect_url": "https://elsewhere.example/done",
                "input[documents][identity][kind]": "id_card",
                "input[documents][identity][front]": upload("front.jpg", id_card[0]),
                "input[documents][identity][back]": upload("back.jpg", id_card[1]),
            },
            format="multipart",
        ),
        400,
    )
    assert "redirect_url" in body["errors"]
    assert not Session.objects.exists() and not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_api_upload_is_kept_with_its_row(api, org, media_root, id_card):
    verification = make_session(org).verifications.get(step_id="identity")
    response = api.post(
        f"{V1}/verifications/{verification.id}/documents",
        {"file": upload("front.jpg", id_card[0]), "kind": "id_card", "side": "front"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    [document] = Document.objects.filter(verification=verification)
    assert stored_files(media_root) == [document.file.name.rsplit("/", 1)[-1]]
