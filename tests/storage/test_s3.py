"""Documents in S3 for real: a moto server on 127.0.0.1 with USE_S3=1, through the portal, the
worker, the dashboard, the API, erasure and retention."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dashboard.documents import document_view
from onboarding import services
from onboarding.models import Document
from tests.api.conftest import V1, client_for, problem
from tests.dashboard.conftest import login
from tests.documents.faces import ASTRONAUT, selfie
from tests.factories import make_session, make_workflow
from tests.portal.conftest import open_link, post_refused

pytestmark = pytest.mark.django_db
SELFIE_STEPS = [{"id": "selfie", "type": "selfie"}]


@pytest.fixture
def selfie_link(client, org):
    return open_link(client, make_session(org, make_workflow(org, steps=SELFIE_STEPS)))


def photo():
    return SimpleUploadedFile("me.jpg", selfie(ASTRONAUT), content_type="image/jpeg")


def upload_selfie(client, path):
    """The file is stored before the transaction; its check (scheduled on commit) does not run here."""
    response = client.post(path + "steps/selfie/", {"file": photo()})
    assert response.status_code == 302


def test_portal_upload_lands_in_the_bucket_and_the_worker_reads_it_there(
    client, bucket, selfie_link, media_root, django_capture_on_commit_callbacks
):
    applicant, path = selfie_link
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path + "steps/selfie/", {"file": photo()}).status_code == 302
    document = Document.objects.get(applicant=applicant)
    assert bucket.keys() == [document.file.name]
    assert bucket.read(document.file.name)[:3] == b"\xff\xd8\xff"  # the re-encoded JPEG
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
    # The check ran on the bytes read back from the bucket: it found the face.
    verification = applicant.verifications.get(step_id="selfie")
    assert verification.result == "passed", verification.data
    assert verification.data["checks"]["details"]["faces_found"] == {"selfie": 1}


def presigned_expiry(url):
    query = parse_qs(urlsplit(url).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))


def test_api_download_is_a_presigned_bucket_url_that_serves_the_file_and_expires(
    bucket, org, other_org, selfie_link, client
):
    applicant, path = selfie_link
    upload_selfie(client, path)
    document = Document.objects.get(applicant=applicant)
    api = client_for(org)[0]
    body = api.get(f"{V1}/sessions/{applicant.session_id}/documents/{document.id}/url").json()
    url = body["url"]
    assert url.startswith(f"{bucket.client.meta.endpoint_url}/{bucket.name}/")
    assert "X-Amz-Signature=" in url
    # The bucket's URL expires with the API's expires_at (five minutes), to the second.
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert abs((presigned_expiry(url) - expires_at).total_seconds()) <= 2
    assert timedelta(minutes=4) < expires_at - timezone.now() <= timedelta(minutes=5)
    # Fetched like a browser would, with no credentials but the URL's own.
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == bucket.read(document.file.name)
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    # Another organization's key learns nothing about it.
    problem(client_for(other_org)[0].get(f"{V1}/sessions/{applicant.session_id}/documents/{document.id}/url"), 404)


def test_dashboard_preview_serves_the_bucket_object_for_five_minutes(client, bucket, org, reviewer, selfie_link):
    applicant, path = selfie_link
    upload_selfie(client, path)
    document = Document.objects.get(applicant=applicant)
    preview_url = document_view(document).preview_urls[0]
    reviewer_client = login(client, reviewer)
    response = reviewer_client.get(preview_url)
    assert response.status_code == 200
    assert response.content == bucket.read(document.file.name)
    assert response["Content-Disposition"].startswith("attachment")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert reviewer_client.get(preview_url).status_code == 404


def test_erasure_deletes_the_objects_from_the_bucket(client, bucket, org, selfie_link):
    applicant, path = selfie_link
    upload_selfie(client, path)
    assert len(bucket.keys()) == 1
    api = client_for(org)[0]
    assert api.delete(f"{V1}/sessions/{applicant.session_id}").status_code in (200, 202, 204)
    assert bucket.keys() == []
    assert not Document.objects.filter(session_id=applicant.session_id).exists()


def test_retention_deletes_the_objects_from_the_bucket(
    client, bucket, org, selfie_link, django_capture_on_commit_callbacks
):
    applicant, path = selfie_link
    upload_selfie(client, path)
    assert len(bucket.keys()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        erased = services.sessions_apply_retention(now=timezone.now() + timedelta(days=4000))
    assert erased == 1
    assert bucket.keys() == []


def test_a_bucket_refusing_writes_asks_the_applicant_to_retry_and_keeps_nothing(client, s3_settings, selfie_link):
    """The bucket does not exist: every write is refused. The applicant is told to send the file
    again; no document row points at a missing object, and the step is still open."""
    applicant, path = selfie_link
    page = post_refused(client, path + "steps/selfie/", {"file": photo()})
    assert page.status_code == 200
    assert "could not be saved just now and nothing was kept" in page.content.decode()
    assert not Document.objects.filter(applicant=applicant).exists()
    assert applicant.verifications.get(step_id="selfie").status == "awaiting_data"
    # Once the bucket takes writes again, the same upload goes through.
    s3_settings.client.create_bucket(
        Bucket=s3_settings.name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert client.post(path + "steps/selfie/", {"file": photo()}).status_code == 302
    assert len(s3_settings.keys()) == 1


def test_a_bucket_refusing_writes_is_a_503_problem_in_the_api(s3_settings, org):
    session = make_session(org, make_workflow(org, steps=SELFIE_STEPS))
    verification = session.verifications.get(step_id="selfie")
    response = client_for(org)[0].post(
        f"{V1}/verifications/{verification.id}/documents", {"file": photo()}, format="multipart"
    )
    body = problem(response, 503)
    assert response["Retry-After"] == "60"
    assert "nothing was saved" in body["detail"]
    assert not verification.documents.exists()
