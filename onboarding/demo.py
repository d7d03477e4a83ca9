"""Demo cases for `make run`: one session waiting in each inbox, made through the same
services as real ones and checked by the real checks, so a newcomer sees evidence,
recommendations and actions at once. The documents are bank letters drawn here as text
PDFs (their checks read them in well under a second).
"""

import io

from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from schwifty import IBAN

from onboarding import services, watchlist
from onboarding.actors import Actor
from onboarding.models import Session, Workflow

CASE_WORKFLOW = "Bank account opening"
CASE_STEPS = [
    {
        "id": "details",
        "type": "form",
        "title": {"en": "Your details", "de": "Ihre Angaben", "fr": "Vos informations"},
        "config": {
            "fields": [
                {
                    "id": "email",
                    "type": "email",
                    "required": True,
                    "label": {"en": "Email", "de": "E-Mail-Adresse", "fr": "Adresse e-mail"},
                }
            ]
        },
    },
    {
        "id": "bank",
        "type": "bank_account",
        "title": {"en": "Bank account", "de": "Bankkonto", "fr": "Compte bancaire"},
        "config": {"require_document": True},
    },
]
# Two unreadable letters block an applicant, so the demo shows a blocked case quickly.
CASE_SETTINGS = {"max_attempts": 2}
BANK = {"name": "Commerzbank", "bic": "COBADEFFXXX", "code": "37040044"}
WATCHLIST = "Demo sanctions list"
WATCHLIST_VERSION = "2026-12-01"


def account(number):
    return str(IBAN.generate("DE", bank_code=BANK["code"], account_code=number))


def bank_letter(holder, iban):
    """A German bank's account details letter, as a one-page text PDF."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle("Kontoinformationen")
    lines = [
        ("Helvetica-Bold", 16, BANK["name"].upper()),
        ("Helvetica-Bold", 13, "Kontoinformationen"),
        ("Helvetica", 11, f"Kontoinhaber : {holder}"),
        ("Helvetica", 11, "Hauptstraße 5, 10115 Berlin"),
        ("Helvetica", 11, f"Bank : {BANK['name']}"),
        ("Helvetica", 12, "IBAN : " + " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))),
        ("Helvetica", 12, f"BIC : {BANK['bic']}"),
    ]
    y = 780
    for font, size, text in lines:
        page.setFont(font, size)
        page.drawString(60, y, text)
        y -= 28
    page.showPage()
    page.save()
    return buffer.getvalue()


def blank_letter():
    """A page with nothing a bank check can use: it costs the applicant an attempt."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 11)
    page.drawString(60, 780, "Sehr geehrte Damen und Herren, anbei wie besprochen.")
    page.showPage()
    page.save()
    return buffer.getvalue()


CASES = {
    # reference: (name, identity, known IBAN, letters the applicant sends)
    "demo-case-approved": (
        "Lena Vogel",
        {"first_name": "Lena", "last_name": "Vogel", "birth_date": "1988-03-14"},
        "0532013000",
        ["0532013000"],
    ),
    "demo-case-watchlist": (
        "Viktor Petrov",
        {"first_name": "Viktor", "last_name": "Petrov", "birth_date": "1965-11-02", "nationality": "RU"},
        "0532013001",
        ["0532013001"],
    ),
    "demo-case-correction": (
        "Jonas Keller",
        {"first_name": "Jonas", "last_name": "Keller", "birth_date": "1992-06-30"},
        "0532013002",
        ["0532013099"],
    ),
    "demo-case-blocked": (
        "Mira Hoffmann",
        {"first_name": "Mira", "last_name": "Hoffmann", "birth_date": "1979-01-21"},
        "0532013003",
        [None, None],
    ),
}


def seed_cases(organization, reviewer):
    """Create the demo cases once per organization; returns their sessions by reference."""
    existing = {
        s.reference_id: s for s in Session.objects.filter(organization=organization, reference_id__in=list(CASES))
    }
    if len(existing) == len(CASES):
        return existing
    system = Actor.system(organization.id)
    _load_watchlist(organization)
    workflow = Workflow.objects.filter(
        organization=organization, name=CASE_WORKFLOW
    ).first() or services.workflow_create(
        actor=system,
        name=CASE_WORKFLOW,
        steps=CASE_STEPS,
        settings=CASE_SETTINGS,
        description="Contact details and a bank account letter.",
        publish=True,
    )
    person = Actor.for_user(reviewer, organization)
    sessions = {}
    for reference, (name, identity, known, letters) in CASES.items():
        sessions[reference] = existing.get(reference) or _case(
            system, person, workflow, reference, name, identity, known, letters
        )
    return sessions


def _load_watchlist(organization):
    record = watchlist.WatchlistRecord(
        entity_id="demo-petrov",
        name="Viktor Petrov",
        birth_dates=["1965-11-02"],
        countries=["ru"],
        lists=["demo_sanctions"],
    )
    with transaction.atomic():
        watchlist.load_records(organization, [record], WATCHLIST, WATCHLIST_VERSION, source_file="demo")


def _case(system, person, workflow, reference, name, identity, known, letters):
    """One applicant sends their details and letters; the reviewer then does what the case needs.
    Each service commits on its own, so the checks (eager tasks) run as the applicant goes."""
    session = services.session_create(
        actor=system,
        workflow_id=workflow.id,
        name=name,
        reference_id=reference,
        locale="de",
        input={"identity": identity, "bank_account": {"iban": account(known)}},
    )
    services.links_generate(actor=system, session_id=session.id)
    applicant = session.applicants.get()
    applicant_actor = Actor.for_applicant(applicant)
    services.applicant_open(actor=applicant_actor, applicant_id=applicant.id)
    details = session.verifications.get(step_id="details")
    services.verification_submit(
        actor=applicant_actor,
        verification_id=details.id,
        data={"email": f"{identity['first_name'].lower()}@example.com"},
    )
    bank = session.verifications.get(step_id="bank")
    holder = f"{identity['first_name']} {identity['last_name']}"
    for number in letters:
        content = bank_letter(holder, account(number)) if number else blank_letter()
        services.document_add(
            actor=applicant_actor,
            verification_id=bank.id,
            content=content,
            filename="kontoinformationen.pdf",
            kind="rib",
        )
        services.verification_submit(actor=applicant_actor, verification_id=bank.id)
    session.refresh_from_db()
    if reference == "demo-case-approved":
        services.session_decide(
            actor=person,
            session_id=session.id,
            status="approved",
            note="All checks passed",
            reasons=["all_checks_passed"],
        )
    elif reference == "demo-case-watchlist":
        services.session_decide(
            actor=person,
            session_id=session.id,
            status="manual_review",
            note="Possible sanctions match: compare birth date and nationality.",
        )
    elif reference == "demo-case-correction":
        services.session_request_corrections(
            actor=person,
            session_id=session.id,
            corrections=[
                {
                    "step_id": "bank",
                    "document_types": ["rib"],
                    "message": "Bitte senden Sie die Kontoinformationen des Kontos, das Sie bei uns angegeben haben.",
                }
            ],
            comment="The letter shows another account.",
        )
    session.refresh_from_db()
    return session
