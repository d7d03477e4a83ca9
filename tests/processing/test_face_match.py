"""Face match in processing: the selfie against the identity card's portrait, with the real dlib check."""

import pytest

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Session
from tests.documents.faces import ASTRONAUT, HOLDER, OTHER, id_card_back, id_card_front, selfie
from tests.factories import make_session, make_workflow, system

# OCR of the card's MRZ and dlib face descriptors: a few seconds per session.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]
STEPS = [{"id": "identity", "type": "identity_document"}, {"id": "selfie", "type": "selfie"}]
EILEEN = {"first_name": "Eileen Marie", "last_name": "Collins", "birth_date": HOLDER.birth_date.isoformat()}


def process(org, selfie_content, settings=None):
    workflow = make_workflow(org, steps=STEPS, settings=settings or {})
    session = make_session(org, workflow, input={"identity": dict(EILEEN)})
    services.links_generate(actor=system(org), session_id=session.id)
    actor = Actor.for_applicant(session.applicants.get())
    uploads = {
        "identity": [(id_card_front(ASTRONAUT), "id_card", "front"), (id_card_back(), "id_card", "back")],
        "selfie": [(selfie_content, "selfie", "")],
    }
    for step_id, files in uploads.items():
        verification = session.verifications.get(step_id=step_id)
        for content, kind, side in files:
            services.document_add(
                actor=actor,
                verification_id=verification.id,
                content=content,
                filename=f"{step_id}-{side or 'photo'}.jpg",
                kind=kind,
                side=side,
            )
        services.verification_submit(actor=actor, verification_id=verification.id)
    return Session.objects.get(id=session.id)


def test_same_person_matches_and_is_approved(org, run_on_commit):
    session = process(org, selfie(ASTRONAUT))
    face = session.processing_results["face_match_result"]
    assert face["status"] == "passed" and face["distance"] <= face["threshold"] == 0.5
    assert face["confidence"] > 0.9
    identity = next(r for r in session.processing_results["extraction_results"] if r["step_id"] == "identity")
    assert identity["fields"]["surname"] == "COLLINS"
    assert session.final_decision == "approved", session.processing_results


def test_another_person_is_a_face_mismatch(org, run_on_commit):
    session = process(org, selfie(OTHER))
    face = session.processing_results["face_match_result"]
    assert face["status"] == "failed" and "face_mismatch" in face["reason_codes"]
    assert session.risk_score >= 60 and session.final_decision == "manual_review"


def test_face_match_off_leaves_no_result(org, run_on_commit):
    session = process(org, selfie(ASTRONAUT), settings={"validations": {"face_match": False}})
    assert "face_match_result" not in session.processing_results


def test_selfie_taken_before_the_identity_document_is_compared_at_processing(org, run_on_commit):
    steps = list(reversed(STEPS))
    workflow = make_workflow(org, steps=steps)
    session = make_session(org, workflow, input={"identity": dict(EILEEN)})
    services.links_generate(actor=system(org), session_id=session.id)
    actor = Actor.for_applicant(session.applicants.get())
    selfie_step = session.verifications.get(step_id="selfie")
    services.document_add(
        actor=actor, verification_id=selfie_step.id, content=selfie(ASTRONAUT), filename="me.jpg", kind="selfie"
    )
    services.verification_submit(actor=actor, verification_id=selfie_step.id)
    identity_step = session.verifications.get(step_id="identity")
    for content, side in ((id_card_front(ASTRONAUT), "front"), (id_card_back(), "back")):
        services.document_add(
            actor=actor,
            verification_id=identity_step.id,
            content=content,
            filename=f"{side}.png",
            kind="id_card",
            side=side,
        )
    services.verification_submit(actor=actor, verification_id=identity_step.id)
    session.refresh_from_db()
    face = session.processing_results["face_match_result"]
    assert face["status"] == "passed" and face["distance"] <= 0.5
