"""Sessions in the states a reviewer meets, built through the services as the portal and workers would."""

from dataclasses import replace

from schwifty import IBAN

from onboarding import services
from onboarding.models import Session
from tests.documents.bank import GERMAN_ACCOUNT, Line, bank_letter_pdf, render_pdf
from tests.factories import make_session, make_workflow, system

# Anna's bank letter as the applicant first sends it: another account than the one the company knows.
WRONG_ACCOUNT = replace(GERMAN_ACCOUNT, iban=str(IBAN.generate("DE", bank_code="37040044", account_code="0532013099")))
FORM_DATA = {"email": "anna@example.com"}
REVIEW_STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "bank", "type": "bank_account"},
]
DOCUMENT_STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "bank", "type": "bank_account", "title": "Bank account", "config": {"require_document": True}},
]
ANNA = {
    "identity": {"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12"},
    "bank_account": {"iban": GERMAN_ACCOUNT.iban},
}


def document_workflow(organization):
    return make_workflow(organization, steps=DOCUMENT_STEPS, name="Bank onboarding")


def submit_steps(session, bank_letter):
    """The applicant fills the open steps: the form, then the bank letter (a text-layer PDF)."""
    actor = system(session.organization)
    for verification in session.verifications.filter(status__in=["awaiting_data", "needs_correction"]):
        if verification.type == "bank_account":
            services.document_add(
                actor=actor, verification_id=verification.id, content=bank_letter, filename="rib.pdf", kind="rib"
            )
            services.verification_submit(actor=actor, verification_id=verification.id)
        else:
            services.verification_submit(
                actor=actor, verification_id=verification.id, data={"email": "anna@example.com"}
            )


def session_in_manual_review(organization, workflow=None, name="Anna Eriksson"):
    """A session whose bank letter shows another IBAN than the known one: the check fails and the
    integrator sends the processed session to manual review.

    Needs the on-commit callbacks to run (django_capture_on_commit_callbacks(execute=True), or real
    commits) so the checks run.
    """
    workflow = workflow or document_workflow(organization)
    session = make_session(
        organization, workflow, name=name, reference_id="cust-42", input={k: dict(v) for k, v in ANNA.items()}
    )
    services.links_generate(actor=system(organization), session_id=session.id)
    submit_steps(session, bank_letter_pdf(WRONG_ACCOUNT))
    return session


def send_to_review(session):
    return services.session_decide(
        actor=system(session.organization), session_id=session.id, status="manual_review", note="Bank check failed"
    )


def resubmit_correct_letter(session):
    submit_steps(session, bank_letter_pdf(GERMAN_ACCOUNT))


def submit_all(session, data=None):
    """The applicant fills every step through the services, as the portal would."""
    actor = system(session.organization)
    for verification in session.verifications.filter(status__in=["awaiting_data", "needs_correction"]):
        services.verification_submit(
            actor=actor,
            verification_id=verification.id,
            data=data or (FORM_DATA if verification.type == "form" else None),
        )


BANK_STEPS = [{"id": "bank", "type": "bank_account", "title": "Bank account", "config": {"require_document": True}}]


def blocked_session(org, **settings):
    """The applicant sent two letters without any IBAN on them: the bank step is blocked."""
    workflow = make_workflow(org, steps=BANK_STEPS, settings={"max_attempts": 2, **settings})
    session = make_session(org, workflow, input={k: dict(v) for k, v in ANNA.items()})
    services.links_generate(actor=system(org), session_id=session.id)
    verification = session.verifications.get()
    for _ in range(2):
        send_letter(verification, render_pdf([Line("Nothing about a bank account here")]))
    verification.refresh_from_db()
    assert (verification.status, verification.applicant.status) == ("blocked", "blocked")
    return Session.objects.get(id=session.id), verification


def send_letter(verification, content):
    actor = system(verification.organization)
    services.document_add(actor=actor, verification_id=verification.id, content=content, filename="rib.pdf", kind="rib")
    services.verification_submit(actor=actor, verification_id=verification.id)
