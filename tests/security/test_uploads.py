"""Hostile uploads through both doors, the API and the applicant portal.

Each bad file is refused with a clear reason in under a second, and a document
stored earlier on the same verification is still there afterwards. Files that
are acceptable but carry extras (EXIF with GPS, an appended ZIP, a comment) are
stored re-encoded without them. Client filenames never reach the storage path.
"""

import functools
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onboarding import services
from onboarding.models import Document
from tests.api.conftest import V1, client_for, problem
from tests.factories import make_session, make_workflow, system
from tests.portal.conftest import enter
from tests.security import hostile_files as hostile

pytestmark = pytest.mark.django_db

STEPS = [{"id": "identity", "type": "identity_document"}]
STORAGE_NAME = re.compile(r"^documents/[0-9a-f-]{36}/[0-9a-f-]{36}/[0-9a-f]{32}\.(jpg|png|pdf)$")
BOUNDARY = "----threshold-test-boundary"

# name -> (bytes maker, client filename, client content type, words of the refusal)
REFUSED = {
    "decompression bomb": (hostile.bomb_png, "scan.png", "image/png", "too large to open"),
    "PNG header then HTML": (hostile.png_header_then_html, "scan.png", "image/png", "Only JPEG, PNG"),
    "SVG with script": (hostile.svg_with_script, "id.svg", "image/svg+xml", "Only JPEG, PNG"),
    "HTML named .jpg": (hostile.html_page, "id.jpg", "image/jpeg", "Only JPEG, PNG"),
    "encrypted PDF": (hostile.encrypted_pdf, "id.pdf", "application/pdf", "Encrypted PDFs"),
    "PDF opening with JavaScript": (hostile.pdf_with_javascript, "id.pdf", "application/pdf", "scripts"),
    "PDF page with JavaScript": (hostile.pdf_with_page_javascript, "id.pdf", "application/pdf", "scripts"),
    "PDF with an embedded file": (hostile.pdf_with_embedded_file, "id.pdf", "application/pdf", "attached files"),
    "PDF deflate bomb": (hostile.pdf_deflate_bomb, "id.pdf", "application/pdf", "too large to open once unpacked"),
    "PDF of 3000 pages": (lambda: hostile.blank_pdf(3000), "id.pdf", "application/pdf", "3000 pages"),
    "PDF bomb behind a hex filter": (
        hostile.pdf_filter_chain_bomb,
        "id.pdf",
        "application/pdf",
        "too large to open once unpacked",
    ),
    "PDF of 20 pages of 40 megapixels": (
        hostile.pdf_of_huge_pages,
        "id.pdf",
        "application/pdf",
        "too large or oddly shaped",
    ),
    "PDF page a billion points wide": (
        hostile.pdf_stripe_page,
        "id.pdf",
        "application/pdf",
        "too large or oddly shaped",
    ),
    "zero-byte file": (lambda: b"", "id.jpg", "image/jpeg", "empty"),
    "truncated image": (hostile.truncated_jpeg, "id.jpg", "image/jpeg", "damaged, truncated"),
}
HOSTILE_NAMES = {
    "parent path": "../../etc/passwd",
    "absolute windows path": "C:\\Windows\\system32\\id.jpg",
    "NUL": "id\x00.php.jpg",
    "CR/LF": "id\r\nX-Injected: 1.jpg",
    "right-to-left override": "id\u202egpj.exe",
    "1000 characters": "a" * 996 + ".jpg",
    "device name": "CON.jpg",
}


@functools.cache
def content_of(name):
    return REFUSED[name][0]()


def multipart(parts):
    """A raw multipart body, so filenames reach the server exactly as a hostile client sends them.
    parts: (field, value) or (field, filename, content)."""
    lines = []
    for part in parts:
        lines.append(f"--{BOUNDARY}\r\n".encode())
        if len(part) == 2:
            lines.append(f'Content-Disposition: form-data; name="{part[0]}"\r\n\r\n{part[1]}\r\n'.encode())
        else:
            field, filename, content = part
            # RFC 5987 form: control characters travel percent-encoded, as they must.
            lines.append(
                f"Content-Disposition: form-data; name=\"{field}\"; filename*=UTF-8''{quote(filename)}\r\n"
                f"Content-Type: image/jpeg\r\n\r\n".encode()
            )
            lines.append(content + b"\r\n")
    lines.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(lines)


def timed(call):
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    # Decoding what a bomb holds takes far longer; the margin leaves room for a busy machine.
    assert elapsed < 3.0, f"took {elapsed:.2f} s"
    return response


def assert_stored_safely(document):
    assert STORAGE_NAME.match(document.file.name), document.file.name
    name = document.original_name
    assert len(name) <= 255
    assert not set(name) & set("/\\\x00\r\n\u202e"), repr(name)


# API -----------------------------------------------------------------------------------------------


@pytest.fixture
def api_upload(org):
    """(api client, upload url, the document already stored on that verification)."""
    api, _ = client_for(org)
    verification = make_session(org, make_workflow(org, steps=STEPS)).verifications.get()
    url = f"{V1}/verifications/{verification.id}/documents"
    response = api.post(
        url,
        {"file": SimpleUploadedFile("front.jpg", hostile.photo()), "kind": "passport", "side": "front"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return api, url, Document.objects.get(id=response.json()["document"]["id"])


def assert_still_there(document):
    document.refresh_from_db()
    assert not document.superseded and document.file.storage.exists(document.file.name)
    assert Document.objects.filter(verification_id=document.verification_id).count() == 1


@pytest.mark.parametrize("case", REFUSED)
def test_api_refuses_the_file_with_its_reason(api_upload, case):
    api, url, earlier = api_upload
    _, filename, content_type, reason = REFUSED[case]
    upload = SimpleUploadedFile(filename, content_of(case), content_type=content_type)
    body = problem(timed(lambda: api.post(url, {"file": upload, "side": "front"}, format="multipart")), 400)
    assert reason in " ".join(body["errors"]["file"])
    assert_still_there(earlier)


def test_api_file_one_byte_over_the_limit_is_413(api_upload, settings):
    api, url, earlier = api_upload
    content = hostile.photo()
    settings.MAX_UPLOAD_BYTES = len(content) - 1
    body = problem(
        timed(lambda: api.post(url, {"file": SimpleUploadedFile("big.jpg", content)}, format="multipart")), 413
    )
    assert "larger than" in " ".join(body["errors"]["file"])
    settings.MAX_UPLOAD_BYTES = len(content)
    assert api.post(url, {"file": SimpleUploadedFile("fits.jpg", content)}, format="multipart").status_code == 201
    earlier.refresh_from_db()
    assert earlier.file.storage.exists(earlier.file.name)


def test_api_a_thousand_multipart_parts_are_refused(api_upload):
    api, url, earlier = api_upload
    files = multipart([("file", f"{index}.jpg", b"x") for index in range(1000)])
    problem(timed(lambda: api.post(url, files, content_type=f"multipart/form-data; boundary={BOUNDARY}")), 413)
    fields = multipart([(f"field{index}", "x") for index in range(1001)])
    problem(timed(lambda: api.post(url, fields, content_type=f"multipart/form-data; boundary={BOUNDARY}")), 400)
    assert_still_there(earlier)


def back_side(earlier, response):
    """The back side stored by a request with a hostile filename, or None when the request was
    refused whole (a part header over Django's 1 KB limit is a 400 before any file is read)."""
    back = Document.objects.filter(verification_id=earlier.verification_id, side="back").first()
    assert back is not None or response.status_code == 400, response.status_code
    return back


@pytest.mark.parametrize("case", HOSTILE_NAMES)
def test_api_hostile_filenames_never_reach_the_storage_path(api_upload, case, tmp_path):
    api, url, earlier = api_upload
    body = multipart([("file", HOSTILE_NAMES[case], hostile.photo()), ("side", "back")])
    response = timed(lambda: api.post(url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"))
    back = back_side(earlier, response)
    if back is None:
        problem(response, 400)
    else:
        assert response.status_code == 201
        assert_stored_safely(back)
    assert not any(path.name in ("passwd", "CON.jpg") for path in tmp_path.rglob("*"))


@pytest.mark.parametrize("filename", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES)
def test_the_upload_service_cleans_any_name_it_is_given(org, filename):
    """Names that no multipart parser lets through, straight to the service every door uses."""
    verification = make_session(org, make_workflow(org, steps=STEPS)).verifications.get()
    document = services.document_add(
        actor=system(org), verification_id=verification.id, content=hostile.photo(), filename=filename
    )
    assert_stored_safely(document)


def stored_bytes(document):
    with document.file.open("rb") as handle:
        return handle.read()


def test_api_stores_a_jpeg_with_an_appended_zip_re_encoded_without_it(api_upload):
    api, url, _ = api_upload
    response = api.post(
        url, {"file": SimpleUploadedFile("id.jpg", hostile.jpeg_with_zip()), "side": "back"}, format="multipart"
    )
    assert response.status_code == 201
    stored = stored_bytes(Document.objects.get(id=response.json()["document"]["id"]))
    assert stored.startswith(b"\xff\xd8") and b"PK\x03\x04" not in stored and b"payload.html" not in stored


def test_api_strips_gps_exif_and_comments(api_upload):
    api, url, _ = api_upload
    image = Image.new("RGB", (200, 100), "white")
    commented = io.BytesIO()
    image.save(commented, format="JPEG", comment=b"<?php system($_GET['c']); ?>")
    for content in (hostile.photo_with_gps(), commented.getvalue()):
        response = api.post(url, {"file": SimpleUploadedFile("id.jpg", content), "side": "back"}, format="multipart")
        stored = stored_bytes(Document.objects.get(id=response.json()["document"]["id"]))
        assert hostile.GPS_IFD not in Image.open(io.BytesIO(stored)).getexif()
        assert b"Exif" not in stored and b"PhoneMaker" not in stored and b"<?php" not in stored


# Portal --------------------------------------------------------------------------------------------


@pytest.fixture
def portal_upload(org, client):
    """(step page path, the front side already stored on the identity step)."""
    session = make_session(org, make_workflow(org, steps=STEPS))
    link = services.links_generate(actor=system(org), session_id=session.id)[0]
    path = enter(client, link.token) + "steps/identity/"
    client.post(path, {"kind": "id_card", "file_front": SimpleUploadedFile("front.jpg", hostile.photo())})
    return path, Document.objects.get(verification__session=session)


@pytest.mark.parametrize("case", REFUSED)
def test_portal_refuses_the_file_with_a_plain_message(client, portal_upload, case):
    path, earlier = portal_upload
    _, filename, content_type, reason = REFUSED[case]
    upload = SimpleUploadedFile(filename, content_of(case), content_type=content_type)
    response = timed(lambda: client.post(path, {"kind": "id_card", "file_front": upload}))
    # Refused with a redirect to the step (Back never re-posts), which then says why.
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path).content.decode()
    assert reason in page and "Traceback" not in page
    assert_still_there(earlier)


def test_portal_file_one_byte_over_the_limit_is_refused(client, portal_upload, settings):
    path, earlier = portal_upload
    content = hostile.photo()
    settings.MAX_UPLOAD_BYTES = len(content) - 1
    response = timed(lambda: client.post(path, {"kind": "id_card", "file_front": SimpleUploadedFile("a.jpg", content)}))
    assert response.status_code == 302 and "larger than" in client.get(path).content.decode()
    assert_still_there(earlier)


def test_portal_a_thousand_multipart_parts_are_refused(client, portal_upload):
    path, earlier = portal_upload
    body = multipart([("kind", "id_card"), *[("file_front", f"{index}.jpg", b"x") for index in range(1000)]])
    response = timed(lambda: client.post(path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"))
    assert response.status_code == 400
    assert_still_there(earlier)


@pytest.mark.parametrize("case", HOSTILE_NAMES)
def test_portal_hostile_filenames_never_reach_the_storage_path(client, portal_upload, case):
    path, earlier = portal_upload
    body = multipart([("kind", "id_card"), ("file_back", HOSTILE_NAMES[case], hostile.photo())])
    response = timed(lambda: client.post(path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"))
    back = back_side(earlier, response)
    if back is not None:
        assert_stored_safely(back)


def test_portal_strips_gps_exif(client, portal_upload):
    path, earlier = portal_upload
    client.post(path, {"kind": "id_card", "file_back": SimpleUploadedFile("back.jpg", hostile.photo_with_gps())})
    stored = stored_bytes(Document.objects.get(verification_id=earlier.verification_id, side="back"))
    assert hostile.GPS_IFD not in Image.open(io.BytesIO(stored)).getexif()
    assert b"Exif" not in stored


# Memory ---------------------------------------------------------------------------------------------

MEASURE = """
import resource, sys
import django
django.setup()
from onboarding.errors import ValidationFailed
from onboarding.uploads import prepare_upload
for path in sys.argv[1:]:
    try:
        prepare_upload(open(path, "rb").read())
    except ValidationFailed:
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak_megabytes(paths):
    """Peak resident memory of a fresh process checking these files (MB)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, paths)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout.split()[-1])


def test_checking_bombs_keeps_memory_bounded(tmp_path):
    paths = []
    for case in ("decompression bomb", "PDF deflate bomb", "PDF of 3000 pages"):
        path = tmp_path / f"{len(paths)}.bin"
        path.write_bytes(content_of(case))
        paths.append(path)
    growth = peak_megabytes(paths) - peak_megabytes([])
    assert growth < 64, f"checking the bombs took {growth} MB"
