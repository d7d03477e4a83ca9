"""Uploads have quotas per step and per session; a replaced file's object is deleted (its hash
stays in the audit trail); downloads are named from the detected type, never the client's name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding import services
from onboarding.actors import Actor
from onboarding.errors import ValidationFailed
from onboarding.models import Document
from tests.api.conftest import V1, client_for
from tests.factories import make_session, make_workflow, sample_png, system
from tests.security import hostile_files as hostile

pytestmark = pytest.mark.django_db

STEPS = [{"id": "bill", "type": "proof_of_address"}, {"id": "bank", "type": "bank_account"}]


@pytest.fixture
def verifications(org):
    session = make_session(org, make_workflow(org, steps=STEPS))
    services.links_generate(actor=system(org), session_id=session.id)
    return session.verifications.get(step_id="bill"), session.verifications.get(step_id="bank")


def upload(verification, color=0):
    return services.document_add(
        actor=Actor.for_applicant(verification.applicant),
        verification_id=verification.id,
        content=sample_png(color=(color, 10, 10)),
        filename="bill.png",
    )


def test_a_step_and_a_session_take_a_bounded_number_of_files(settings, verifications):
    settings.MAX_UPLOADS_PER_STEP, settings.MAX_UPLOADS_PER_SESSION = 3, 4
    bill, bank = verifications
    kept = [upload(bill, i) for i in range(3)]
    with pytest.raises(ValidationFailed) as refused:
        upload(bill, 9)
    assert "most files allowed (3)" in refused.value.errors["file"][0]
    upload(bank, 1)
    with pytest.raises(ValidationFailed) as refused:
        upload(bank, 2)
    assert "most files allowed (4)" in refused.value.errors["file"][0]
    # Nothing already saved is lost: the last file stays current.
    assert Document.objects.get(id=kept[-1].id).superseded is False
    assert Document.objects.filter(session=bill.session).count() == 4


def test_a_replaced_file_is_deleted_and_its_hash_kept_in_the_audit_trail(verifications, run_on_commit):
    bill, _ = verifications
    first = upload(bill, 1)
    stored = first.file.name
    upload(bill, 2)
    first.refresh_from_db()
    assert first.superseded and not first.file
    assert not first.file.storage.exists(stored)
    event = bill.session.events.get(action="document.replaced")
    assert event.data["sha256"] == first.sha256


def test_a_download_is_named_from_the_detected_type(org, verifications):
    api, _ = client_for(org)
    bill, _ = verifications
    response = api.post(
        f"{V1}/verifications/{bill.id}/documents",
        {"file": SimpleUploadedFile("statement.html", hostile.blank_pdf(), content_type="text/html")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = api.get(f"{V1}/sessions/{bill.session_id}/documents/{response.json()['document']['id']}/url").json()["url"]
    download = api.get(url)
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment") and ".pdf" in disposition and "statement" not in disposition
