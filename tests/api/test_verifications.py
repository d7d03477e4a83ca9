"""Applicants, verifications, uploads and signed document downloads."""

from datetime import timedelta

import pytest
from django.core import signing
from jsonschema import Draft202012Validator

from onboarding import services
from onboarding.actors import Actor
from onboarding.api.documents import DOWNLOAD_SALT
from onboarding.models import Applicant, Document, Session
from tests.api.conftest import V1, client_for, pdf, png, problem, uploaded
from tests.dashboard.builders import blocked_session, session_in_manual_review
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_session(org):
    return make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), applicants=[{"label": "Anna"}])


def test_applicants_add_read_update_remove(api, form_session):
    url = f"{V1}/sessions/{form_session.id}/applicants"
    response = api.post(
        url, {"type": "legal_person", "company": {"company_name": "Acme SAS", "country_code": "FR"}}, format="json"
    )
    assert response.status_code == 201, response.json()
    applicant = response.json()
    assert applicant["type"] == "legal_person" and applicant["verifications"][0]["step_id"] == "details"
    response = api.patch(
        f"{V1}/applicants/{applicant['id']}", {"company": {"registration_number": "552100554"}}, format="json"
    )
    assert response.json()["company"] == {
        "company_name": "Acme SAS",
        "country_code": "FR",
        "registration_number": "552100554",
    }
    body = problem(api.patch(f"{V1}/applicants/{applicant['id']}", {"company": {"ceo": "x"}}, format="json"), 400)
    assert "applicant.company.ceo" in body["errors"]
    assert api.delete(f"{V1}/applicants/{applicant['id']}").status_code == 204
    problem(api.get(f"{V1}/applicants/{applicant['id']}"), 404)
    only = form_session.applicants.get()
    problem(api.delete(f"{V1}/applicants/{only.id}"), 400)  # a session keeps one applicant


def test_attach_by_type_or_step_and_resolve(api, form_session):
    applicant = form_session.applicants.get()
    response = api.post(
        f"{V1}/verifications", {"applicant_id": str(applicant.id), "type": "bank_account"}, format="json"
    )
    assert response.status_code == 201
    attached = response.json()
    assert (attached["type"], attached["status"], attached["documents"]) == ("bank_account", "awaiting_data", [])
    problem(api.post(f"{V1}/verifications", {"applicant_id": str(applicant.id), "step_id": "nope"}, format="json"), 400)
    problem(api.post(f"{V1}/verifications", {"applicant_id": str(applicant.id)}, format="json"), 400)
    body = problem(api.post(f"{V1}/verifications/{attached['id']}/resolve", {"result": "passed"}, format="json"), 400)
    assert body["errors"] == {"note": ["This field is required."]}
    response = api.post(
        f"{V1}/verifications/{attached['id']}/resolve", {"result": "passed", "note": "checked by phone"}, format="json"
    )
    assert (response.json()["status"], response.json()["result"], response.json()["resolution_note"]) == (
        "done",
        "passed",
        "checked by phone",
    )
    assert api.get(f"{V1}/verifications/{attached['id']}").json()["status"] == "done"


def test_upload_then_download_through_a_short_lived_signed_url(api, org, client):
    session = make_session(org)
    verification = session.verifications.get(step_id="identity")
    response = api.post(
        f"{V1}/verifications/{verification.id}/documents",
        {"file": uploaded(png(), "passport.png"), "kind": "passport", "side": "front"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    document = response.json()["document"]
    assert (document["mime_type"], document["kind"], document["side"]) == ("image/png", "passport", "front")
    assert response.json()["verification"]["status"] == "awaiting_data"

    url_body = api.get(f"{V1}/sessions/{session.id}/documents/{document['id']}/url").json()
    download = client.get(url_body["url"])  # no key needed: the signature is the credential
    assert download.status_code == 200
    # Named from its kind and detected type, not from the client's file name.
    assert download["Content-Disposition"] == f'attachment; filename="passport-{document["id"][:8]}.png"'
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == Document.objects.get(id=document["id"]).file.read()
    problem(client.get(url_body["url"].replace("/documents/", "/documents/x")), 404)


def test_an_expired_download_url_is_gone(api, org, client, monkeypatch):
    session = make_session(org)
    verification = session.verifications.get(step_id="identity")
    document_id = api.post(
        f"{V1}/verifications/{verification.id}/documents", {"file": uploaded(pdf(), "id.pdf")}, format="multipart"
    ).json()["document"]["id"]
    url = api.get(f"{V1}/sessions/{session.id}/documents/{document_id}/url").json()["url"]
    monkeypatch.setattr("onboarding.document_links.TTL", timedelta(seconds=-1))
    problem(client.get(url), 410)
    monkeypatch.undo()
    forged = signing.dumps({"d": document_id, "o": "another-org"}, salt=DOWNLOAD_SALT)
    problem(client.get(f"{V1}/documents/{forged}/"), 404)


def test_upload_and_submit_runs_the_check(api, org):
    session = make_session(org, make_workflow(org, steps=[{"id": "sign", "type": "signature"}]), input={})
    verification = session.verifications.get()
    response = api.post(
        f"{V1}/verifications/{verification.id}/documents",
        {"file": uploaded(pdf(), "contract.pdf"), "submit": "true"},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["verification"]["status"] in ("submitted", "processing", "done")


def test_bad_uploads_are_refused_with_the_reason(api, org):
    verification = make_session(org).verifications.get(step_id="identity")
    url = f"{V1}/verifications/{verification.id}/documents"
    body = problem(api.post(url, {"file": uploaded(b"plain text, not a document", "a.txt")}, format="multipart"), 400)
    assert "PDF" in " ".join(body["errors"]["file"])
    problem(api.post(url, {"kind": "passport"}, format="multipart"), 400)
    problem(api.post(url, {"file": "x"}, format="json"), 415)
    assert not Document.objects.exists()


def test_other_tenant_cannot_upload_or_read_documents(org, other_org):
    session = make_session(org)
    verification = session.verifications.get(step_id="identity")
    other, _ = client_for(other_org)
    problem(
        other.post(
            f"{V1}/verifications/{verification.id}/documents", {"file": uploaded(png(), "a.png")}, format="multipart"
        ),
        404,
    )
    assert not Document.objects.exists()
    assert Applicant.objects.get(session=session).status == "initiated"


def test_with_s3_storage_the_url_is_the_buckets_presigned_attachment_url(api, org, settings, monkeypatch):
    from storages.backends.s3 import S3Storage

    session = make_session(org)
    verification = session.verifications.get(step_id="identity")
    document_id = api.post(
        f"{V1}/verifications/{verification.id}/documents", {"file": uploaded(png(), "id.png")}, format="multipart"
    ).json()["document"]["id"]
    settings.USE_S3 = True
    bucket = S3Storage(
        bucket_name="threshold",
        endpoint_url="http://127.0.0.1:9000",
        access_key="test",
        secret_key="test-secret",
        region_name="eu-west-1",
        querystring_auth=True,
    )
    monkeypatch.setattr("onboarding.api.documents.default_storage", bucket)
    url = api.get(f"{V1}/sessions/{session.id}/documents/{document_id}/url").json()["url"]
    assert url.startswith("http://127.0.0.1:9000/threshold/documents/")
    assert "Signature=" in url and "Expires=" in url
    assert "response-content-disposition=attachment" in url


def test_a_blocked_applicants_step_resolved_through_the_api_completes_the_session(api, org, run_on_commit):
    session, verification = blocked_session(org)
    response = api.post(
        f"{V1}/verifications/{verification.id}/resolve",
        {"result": "passed", "note": "IBAN confirmed by phone"},
        format="json",
    )
    assert response.json()["status"] == "done"
    body = api.get(f"{V1}/sessions/{session.id}").json()
    assert body["status"] == "processed"
    assert api.patch(f"{V1}/sessions/{session.id}", {"status": "approved"}, format="json").status_code == 200


def test_unblock_through_the_api_grants_more_attempts(api, org, run_on_commit):
    session, verification = blocked_session(org)
    response = api.post(f"{V1}/verifications/{verification.id}/unblock", {"note": "new attempts"}, format="json")
    assert (response.json()["status"], response.json()["attempts"]) == ("awaiting_data", 0)
    assert api.get(f"{V1}/sessions/{session.id}").json()["applicants"][0]["status"] == "in_progress"
    body = problem(api.post(f"{V1}/verifications/{verification.id}/unblock", {}, format="json"), 409)
    assert "awaiting_data" in body["detail"]


def test_previous_attempt_is_null_or_the_typed_object_the_schema_describes(api, org, client):
    session = make_session(
        org,
        make_workflow(
            org,
            steps=[
                {"id": "bank", "type": "bank_account", "config": {"allow_typed_iban": False, "require_document": True}}
            ],
        ),
        input={},
    )
    verification = session.verifications.get()
    schema = client.get(f"{V1}/schema?format=json").json()
    validator = Draft202012Validator({**schema, "$ref": "#/components/schemas/VerificationDetail"})
    fresh = api.get(f"{V1}/verifications/{verification.id}").json()
    assert fresh["previous_attempt"] is None
    validator.validate(fresh)

    # A blank image holds no bank details: the attempt is unusable and a new one starts.
    response = api.post(
        f"{V1}/verifications/{verification.id}/documents",
        {"file": uploaded(png(color=(255, 255, 255), size=(400, 300)), "blank.png"), "submit": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    retried = api.get(f"{V1}/verifications/{verification.id}").json()
    assert retried["status"] == "awaiting_data" and retried["attempts"] == 1
    previous = retried["previous_attempt"]
    assert previous["attempt"] == 1 and previous["reason_codes"]
    assert previous["document_ids"] == [response.json()["document"]["id"]]
    validator.validate(retried)


def test_reason_codes_come_with_their_descriptions(api, org, run_on_commit):
    session = session_in_manual_review(org)
    verification = session.verifications.get(step_id="bank")
    body = api.get(f"{V1}/verifications/{verification.id}").json()
    assert {"code": "iban_mismatch", "description": "IBAN does not match"} in body["reasons"]
    french = api.get(f"{V1}/verifications/{verification.id}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert {"code": "iban_mismatch", "description": "L’IBAN ne correspond pas"} in french["reasons"]


def test_an_id_card_with_its_front_only_is_not_submitted(api, org):
    verification = make_session(org).verifications.get(step_id="identity")
    url = f"{V1}/verifications/{verification.id}/documents"
    body = problem(
        api.post(
            url,
            {"file": uploaded(png(), "front.png"), "kind": "id_card", "side": "front", "submit": "true"},
            format="multipart",
        ),
        400,
    )
    assert list(body["errors"]) == ["back"]
    verification.refresh_from_db()
    assert verification.status == "awaiting_data"
    response = api.post(
        url,
        {"file": uploaded(png(), "back.png"), "kind": "id_card", "side": "back", "submit": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["verification"]["status"] in ("submitted", "processing", "done")


def test_a_second_front_replaces_the_first(api, org):
    verification = make_session(org).verifications.get(step_id="identity")
    url = f"{V1}/verifications/{verification.id}/documents"
    first, second = (
        api.post(
            url, {"file": uploaded(png(color), "front.png"), "kind": "id_card", "side": "front"}, format="multipart"
        ).json()["document"]["id"]
        for color in ((1, 2, 3), (4, 5, 6))
    )
    current = api.get(f"{V1}/verifications/{verification.id}").json()["documents"]
    assert [d["id"] for d in current if not d.get("superseded")] == [second]
    assert Document.objects.get(id=first).superseded


def test_a_form_step_takes_no_document_and_stays_open(api, form_session):
    verification = form_session.verifications.get()
    body = problem(
        api.post(
            f"{V1}/verifications/{verification.id}/documents",
            {"file": uploaded(png(), "scan.png"), "submit": "true"},
            format="multipart",
        ),
        400,
    )
    assert body["errors"] == {"file": ["The step 'details' (form) takes no documents."]}
    assert not Document.objects.exists()
    assert api.get(f"{V1}/verifications/{verification.id}").json()["status"] == "awaiting_data"


def test_an_applicant_added_to_a_session_created_without_one_replaces_the_blank_placeholder(api, org):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    created = api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id)}, format="json").json()
    (placeholder,) = created["applicants"]
    response = api.post(
        f"{V1}/sessions/{created['id']}/applicants",
        {"type": "natural_person", "email": "anna@example.com"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = api.get(f"{V1}/sessions/{created['id']}").json()
    assert [a["email"] for a in body["applicants"]] == ["anna@example.com"]
    assert len(body["steps_data"]) == 1
    problem(api.get(f"{V1}/applicants/{placeholder['id']}"), 404)
    events = [e["action"] for e in api.get(f"{V1}/sessions/{created['id']}/events").json()["data"]]
    assert "applicant.replaced" in events

    # A second explicit applicant is added beside the first.
    api.post(f"{V1}/sessions/{created['id']}/applicants", {"email": "bo@example.com"}, format="json")
    assert len(api.get(f"{V1}/sessions/{created['id']}").json()["applicants"]) == 2


def test_an_applicant_with_data_or_a_link_is_never_replaced(api, org):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    with_data = api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "input": {"form": {"email": "anna@example.com"}}},
        format="json",
    ).json()
    with_link = api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), "links": True}, format="json").json()
    for created in (with_data, with_link):
        api.post(f"{V1}/sessions/{created['id']}/applicants", {"email": "bo@example.com"}, format="json")
        assert len(api.get(f"{V1}/sessions/{created['id']}").json()["applicants"]) == 2


def test_during_corrections_neither_a_step_nor_an_applicant_can_join(api, org, run_on_commit):
    # The link then opens only the steps the reviewer named, and the session completes once those are
    # resolved: a step or a person added now would never be asked for.
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    services.links_generate(actor=system(org), session_id=session.id)
    applicant = session.applicants.get()
    services.verification_submit(
        actor=Actor.for_applicant(applicant),
        verification_id=applicant.verifications.get().id,
        data={"email": "anna@example.com"},
    )
    services.session_request_corrections(
        actor=system(org),
        session_id=session.id,
        corrections=[{"step_id": "details", "message": "Use your work email."}],
    )
    body = problem(
        api.post(f"{V1}/verifications", {"applicant_id": str(applicant.id), "type": "selfie"}, format="json"), 409
    )
    assert "awaiting_client_correction" in body["detail"]
    problem(api.post(f"{V1}/sessions/{session.id}/applicants", {"type": "natural_person"}, format="json"), 409)
    assert applicant.verifications.count() == 1


def test_a_filtered_list_summary_counts_check_results_as_they_are_resolved_and_overridden(api, org, run_on_commit):
    session, verification = blocked_session(org)
    make_session(org)  # another workflow's session, left out by the filter

    def counted():
        url = f"{V1}/sessions?workflow_id={session.workflow_id}&include_summary=true"
        return api.get(url).json()["meta"]["summary"]["validation_counts"]

    before = {verification.type: {verification.result: 1}} if verification.result else {}
    assert counted() == before
    resolve = f"{V1}/verifications/{verification.id}/resolve"
    api.post(resolve, {"result": "passed", "note": "IBAN confirmed by phone"}, format="json")
    assert counted() == {"bank_account": {"passed": 1}}
    read_before = Session.objects.get(id=session.id)
    api.post(resolve, {"result": "failed", "note": "the bank says the account is closed"}, format="json")
    assert counted() == {"bank_account": {"failed": 1}}
    read_before.save()  # a whole save from an older read puts no old counts back
    assert counted() == {"bank_account": {"failed": 1}}
