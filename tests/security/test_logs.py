"""No secret or personal data in the logs, whatever the log level.

A whole flow runs with every logger at DEBUG: an integrator creates a session
through the API (with a webhook endpoint that cannot be reached, so delivery
failures are logged too), generates the link, the applicant opens it, fills a
form, uploads a bank document and finishes, the checks run, a reviewer
decides. Then no log record, and nothing written to stdout or stderr, holds
the API key, the bearer token, the link token, the IBAN, the name or the email.
"""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from tests.api.conftest import V1, bearer
from tests.factories import make_api_key, make_workflow
from tests.portal.conftest import enter

# Real commits: what services schedule on commit (checks, processing, webhooks) runs and logs too.
pytestmark = pytest.mark.django_db(transaction=True)

FIRST_NAME, LAST_NAME = "Zbigniewa", "Quatermass-Ollerenshaw"
EMAIL = "zq.private@example.org"
IBAN = "FR7630006000011234567890189"
STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "bank", "type": "bank_account"},
]


def bank_document():
    image = Image.new("RGB", (900, 160), "white")
    ImageDraw.Draw(image).text((20, 60), f"{FIRST_NAME} {LAST_NAME}  IBAN {IBAN}", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def grouped(iban):
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.NOTSET)


def run_flow(org):
    workflow = make_workflow(org, steps=STEPS)
    _, plain = make_api_key(org)
    api = bearer(plain)
    token = api.post(f"{V1}/auth/token").json()["access_token"]
    api = bearer(token)
    api.post(f"{V1}/webhook-endpoints", {"url": "http://127.0.0.1:9/hook"}, format="json")
    created = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "name": "Onboarding",
            "applicants": [
                {
                    "type": "natural_person",
                    "email": EMAIL,
                    "identity": {"first_name": FIRST_NAME, "last_name": LAST_NAME},
                    "bank_account": {"iban": IBAN},
                }
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    session_id = created.json()["id"]
    link = api.post(f"{V1}/sessions/{session_id}/links").json()["links"][0]["link_url"]
    link_token = link.split("/s/", 1)[1].strip("/")
    browser = Client()
    path = enter(browser, link_token)
    assert browser.get(path).status_code == 200
    browser.post(path + "steps/details/", {"email": EMAIL})
    browser.post(
        path + "steps/bank/",
        {"iban": grouped(IBAN), "file": SimpleUploadedFile("rib.png", bank_document(), "image/png")},
    )
    browser.post(path + "finish/")
    browser.get(f"/s/{link_token}/no-such-page/")  # Django logs a 404 with its path, which holds the token
    browser.get("/s/" + "x" * 43 + "/")  # a bad link
    detail = api.get(f"{V1}/sessions/{session_id}").json()
    assert detail["status"] in ("processed", "manual_review", "approved", "rejected"), detail["status"]
    if detail["status"] in ("processed", "manual_review"):
        decided = api.patch(f"{V1}/sessions/{session_id}", {"status": "approved", "notes": "checked"}, format="json")
        assert decided.status_code == 200, decided.content
    return [plain, token, link_token]


def test_a_whole_flow_logs_no_secret_and_no_personal_data(org, everything_logged, capfd):
    secrets = run_flow(org)
    personal = [FIRST_NAME, LAST_NAME, EMAIL, IBAN, grouped(IBAN), IBAN.lower()]
    records = everything_logged.records
    assert records, "the flow logged nothing: the capture is not working"
    written = "\n".join(everything_logged.text.splitlines() + [capfd.readouterr().out, capfd.readouterr().err])
    for record in records:
        text = record.getMessage() + (record.exc_text or "") + repr(getattr(record, "args", ""))
        for value in secrets + personal:
            assert value not in text, f"{record.name}: {text[:300]}"
    for value in secrets + personal:
        assert value not in written
