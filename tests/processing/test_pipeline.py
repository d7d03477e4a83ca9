"""A session from document upload to final_decision through the Celery tasks (eager here)."""

from datetime import date

import pytest

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Session
from onboarding.services.processing import run_session_processing
from onboarding.watchlist import WatchlistRecord, load_records
from tests.documents.address import bill_pdf, french_bill
from tests.documents.bank import FRENCH_ACCOUNT, bank_letter_pdf
from tests.documents.identity import IdentityDocument, photograph, render
from tests.factories import make_session, make_workflow, system

# Real OCR of a passport photo, a bill and a bank letter: several seconds per session.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

STEPS = [
    {"id": "identity", "type": "identity_document"},
    {"id": "address", "type": "proof_of_address", "config": {"max_age_months": 3}},
    {"id": "bank", "type": "bank_account"},
]
JEAN = {
    "identity": {"first_name": "Jean", "last_name": "Dupont", "birth_date": "1980-05-17", "nationality": "FR"},
    "address": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
    "bank_account": {"iban": FRENCH_ACCOUNT.iban},
}
PASSPORT = IdentityDocument(
    surname="Dupont",
    given_names="Jean",
    birth_date=date(1980, 5, 17),
    sex="M",
    nationality="FRA",
    document_number="X4RTBPFW4",
    expiry_date=date(2032, 1, 1),
)


def passport_png(doc=PASSPORT):
    return photograph(render(doc)[0])


def jean_bill_pdf():
    return bill_pdf(french_bill(line_1="12 rue de la Paix", zip_code="75002"))


def open_session(org, settings=None, identity=None, environment="live", metadata=None):
    workflow = make_workflow(org, steps=STEPS, settings=settings or {}, environment=environment)
    data = {**JEAN, "identity": identity or JEAN["identity"]}
    session = make_session(
        org, workflow, input={k: dict(v) for k, v in data.items()}, environment=environment, metadata=metadata or {}
    )
    services.links_generate(actor=system(org), session_id=session.id)
    return Session.objects.get(id=session.id)


def upload_and_submit(session, documents):
    """The applicant uploads each step's file and submits it, as the portal does."""
    applicant = session.applicants.get()
    actor = Actor.for_applicant(applicant)
    for step_id, (content, filename, kind) in documents.items():
        verification = session.verifications.get(step_id=step_id)
        services.document_add(
            actor=actor, verification_id=verification.id, content=content, filename=filename, kind=kind
        )
        services.verification_submit(actor=actor, verification_id=verification.id)
    session.refresh_from_db()
    return session


def all_documents(passport=None):
    return {
        "identity": (passport or passport_png(), "passport.png", "passport"),
        "address": (jean_bill_pdf(), "bill.pdf", "utility_bill"),
        "bank": (bank_letter_pdf(FRENCH_ACCOUNT), "rib.pdf", "rib"),
    }


def load_list(org, *records):
    load_records(org, records, "sanctions", "2026-11-01")


def test_upload_to_final_decision(org, run_on_commit):
    load_list(org, WatchlistRecord(entity_id="ofac-1", name="Ivan Petrov", birth_dates=["1961-02-03"]))
    session = upload_and_submit(open_session(org), all_documents())

    assert session.status == "processed"
    results = session.processing_results
    assert set(results) >= {
        "extraction_results",
        "cross_validation",
        "external_validations",
        "final_decision",
        "risk_score",
        "processed_at",
        "processing_time_ms",
    }
    by_step = {r["step_id"]: r for r in results["extraction_results"]}
    assert by_step["identity"]["fields"]["surname"] == "DUPONT"
    assert by_step["identity"]["fields"]["birth_date"] == "1980-05-17"
    assert by_step["bank"]["fields"]["iban"] == FRENCH_ACCOUNT.iban
    assert by_step["address"]["fields"]["address"]["zip_code"] == "75002"
    assert all(r["result"] == "passed" for r in by_step.values()), by_step
    assert results["cross_validation"]["status"] == "passed", results["cross_validation"]
    compared = {tuple(c["sources"]) for c in results["cross_validation"]["comparisons"]}
    assert ("identity", "bank") in compared and ("identity", "address") in compared
    watchlist = results["external_validations"]["watchlist"]
    assert (watchlist["is_match"], watchlist["match_count"], watchlist["matches"]) == (False, 0, [])
    assert watchlist["datasets"] == [{"name": "sanctions", "version": "2026-11-01", "entry_count": 1}]
    assert "face_match_result" not in results  # no selfie step
    assert (results["final_decision"], results["risk_score"]) == ("approved", 0)
    assert (session.final_decision, session.risk_score) == ("approved", 0)
    for document in session.documents.all():
        assert document.extracted_at is not None and document.extraction["result"] == "passed"


def test_processing_twice_changes_nothing(org, run_on_commit):
    session = upload_and_submit(open_session(org), all_documents())
    before = session.processing_results
    events = session.events.count()
    assert run_session_processing(session.id) is None
    session.refresh_from_db()
    assert session.processing_results == before and session.events.count() == events


def test_an_unreadable_passport_costs_an_attempt(org, run_on_commit):
    from tests.portal.images import photo_bytes

    session = open_session(org)
    applicant = session.applicants.get()
    actor = Actor.for_applicant(applicant)
    identity = session.verifications.get(step_id="identity")
    services.document_add(
        actor=actor, verification_id=identity.id, content=photo_bytes("HOLIDAY"), filename="beach.jpg", kind="passport"
    )
    services.verification_submit(actor=actor, verification_id=identity.id)
    identity.refresh_from_db()
    assert (identity.status, identity.attempts) == ("awaiting_data", 1)
    assert identity.previous_attempt["reason_codes"] == ["mrz_unreadable"]
    discarded = session.documents.get()
    assert discarded.superseded and discarded.extraction["unusable"] is True
