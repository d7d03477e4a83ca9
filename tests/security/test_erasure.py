"""DELETE /sessions/{id} leaves no personal data in any table that can hold it (README,
security model), and the audit chain still verifies."""

import json

import pytest
from django.core.management import call_command

from onboarding import services, webhooks
from onboarding.audit import verify_chain
from onboarding.models import DeliveryAttempt, IdempotencyRecord, Session, WebhookDelivery
from onboarding.services.api_support import idempotency_response
from tests.api.conftest import V1, client_for
from tests.factories import make_workflow, sample_png, system

pytestmark = pytest.mark.django_db

EMAIL = "anna.eriksson@example.com"
PHONE = "+46701234567"
NOTE = f"Spoke to Anna Eriksson, born 1974-08-12, on {PHONE}"
STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email"}]}},
    {"id": "bill", "type": "proof_of_address", "required": False},
]


def every_row():
    """All onboarding rows as text, sealed idempotency replies opened."""
    dumped = json.dumps(json.loads(_dump()))
    replies = [json.dumps(idempotency_response(r)) for r in IdempotencyRecord.objects.exclude(sealed_response="")]
    return dumped + "".join(replies)


def _dump():
    import io

    out = io.StringIO()
    call_command("dumpdata", "onboarding", stdout=out)
    return out.getvalue()


def test_erasure_leaves_no_personal_data_anywhere(org, settings, run_on_commit):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    api, _ = client_for(org)
    webhooks.endpoint_create(actor=system(org), url="http://127.0.0.1:9/hooks")
    workflow = make_workflow(org, steps=STEPS)
    created = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "name": "Anna Eriksson",
            "reference_id": EMAIL,
            "metadata": {"crm_email": EMAIL, "phone": PHONE},
            "state": EMAIL,
            "input": {"identity": {"first_name": "Anna", "last_name": "Eriksson"}},
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-anna",
    )
    assert created.status_code == 201, created.content
    session = Session.objects.get(id=created.json()["id"])
    actor = system(org)
    services.links_generate(actor=actor, session_id=session.id)
    details, bill = session.verifications.get(step_id="details"), session.verifications.get(step_id="bill")
    document = services.document_add(
        actor=actor, verification_id=bill.id, content=sample_png(), filename="a.png", kind="utility_bill"
    )
    services.session_add_note(actor=actor, session_id=session.id, note=NOTE)
    services.verification_resolve(actor=actor, verification_id=details.id, result="passed", note=NOTE)
    services.session_request_corrections(
        actor=actor, session_id=session.id, comment=NOTE, corrections=[{"step_id": "details", "message": NOTE}]
    )
    # A receiver's answer that echoes the payload, kept in the delivery log.
    delivery = WebhookDelivery.objects.filter(message__payload__session_id=str(session.id)).first()
    DeliveryAttempt.objects.create(delivery=delivery, status_code=200, response_excerpt=f"got {EMAIL}")
    rows = every_row()
    assert EMAIL in rows and PHONE in rows and "Eriksson" in rows  # every kind of place was seeded
    stored = document.file.name

    assert api.delete(f"{V1}/sessions/{session.id}").status_code == 204

    rows = every_row()
    for personal in (EMAIL, PHONE, "Eriksson", "1974-08-12"):
        assert personal not in rows, personal
    assert not document.file.storage.exists(stored)
    assert verify_chain(org) == (True, None)
    session.refresh_from_db()
    assert session.data_anonymized and session.events.filter(action="session.note").exists()
