"""Demo cases for `make run`: one session waiting in each inbox, made through the same
services as real ones and checked by the real checks, so a newcomer sees evidence,
recommendations and actions at once. Most documents are bank letters drawn here as text
PDFs (their checks read them in well under a second); the identity case sends an ID card,
a selfie, an electricity bill and a bank letter through the private customer KYC workflow.
"""

import io

from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from schwifty import IBAN

from onboarding import services, watchlist
from onboarding.actors import Actor
from onboarding.models import Session, Workflow

KYC_WORKFLOW = "Private customer KYC"
CASE_WORKFLOW = "Bank account opening"
IDENTITY_CASE = "demo-case-processed"
# Titles and labels in each of the portal's languages (a plain string is the same in all of them).
EMAIL_FIELD = {
    "id": "email",
    "type": "email",
    "required": True,
    "label": {"en": "Email", "de": "E-Mail-Adresse", "fr": "Adresse e-mail"},
}
PHONE_FIELD = {
    "id": "phone",
    "type": "phone",
    "required": False,
    "label": {"en": "Mobile phone", "de": "Mobiltelefon", "fr": "Téléphone mobile"},
}
BANK_TITLE = {"en": "Bank account", "de": "Bankkonto", "fr": "Compte bancaire"}


def details_step(*fields):
    return {
        "id": "details",
        "type": "form",
        "title": {"en": "Your details", "de": "Ihre Angaben", "fr": "Vos informations"},
        "config": {"fields": list(fields)},
    }


KYC_STEPS = [
    details_step(EMAIL_FIELD, PHONE_FIELD),
    {
        "id": "identity",
        "type": "identity_document",
        "title": {"en": "Identity document", "de": "Ausweisdokument", "fr": "Pièce d’identité"},
    },
    {"id": "selfie", "type": "selfie", "title": {"en": "Selfie", "de": "Selfie", "fr": "Selfie"}},
    {
        "id": "address",
        "type": "proof_of_address",
        "title": {"en": "Proof of address", "de": "Adressnachweis", "fr": "Justificatif de domicile"},
        "config": {"max_age_months": 3},
    },
    {"id": "bank", "type": "bank_account", "title": BANK_TITLE},
]
CASE_STEPS = [
    details_step(EMAIL_FIELD),
    {"id": "bank", "type": "bank_account", "title": BANK_TITLE, "config": {"require_document": True}},
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


def kyc_workflow(organization):
    """The KYC workflow with KYC_STEPS: a database an older demo seeded gets them as a new version."""
    system = Actor.system(organization.id)
    workflow = Workflow.objects.filter(organization=organization, name=KYC_WORKFLOW, deleted_at__isnull=True).first()
    if workflow is None:
        return services.workflow_create(
            actor=system,
            name=KYC_WORKFLOW,
            steps=KYC_STEPS,
            description="Identity, selfie, address and bank details.",
            publish=True,
        )
    services.workflow_update(actor=system, workflow_id=workflow.id, steps=KYC_STEPS)  # no change: no version
    if workflow.versions.filter(published_at__isnull=True).exists():
        services.workflow_publish(actor=system, workflow_id=workflow.id)
    return workflow


def seed_cases(organization, reviewer):
    """Create the demo cases once per organization; returns their sessions by reference."""
    references = [*CASES, IDENTITY_CASE]
    existing = {
        s.reference_id: s for s in Session.objects.filter(organization=organization, reference_id__in=references)
    }
    if len(existing) == len(references):
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
    sessions[IDENTITY_CASE] = existing.get(IDENTITY_CASE) or _identity_case(system, kyc_workflow(organization))
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


def _identity_case(system, workflow):
    """Eileen Collins sends every step of the KYC workflow; the checks run and the session waits,
    processed, for a person to follow the recommendation or not."""
    # Drawn by the test suite's generators, which a development install has (`make run` makes one):
    # the card carries a real MRZ, the face is scikit-image's public-domain photograph.
    from tests.documents import address, faces

    holder = faces.HOLDER
    iban = account("0532013004")
    session = services.session_create(
        actor=system,
        workflow_id=workflow.id,
        name="Eileen Collins",
        reference_id=IDENTITY_CASE,
        locale="fr",
        input={
            "identity": {
                "first_name": holder.given_names,
                "last_name": holder.surname,
                "birth_date": holder.birth_date.isoformat(),
                "nationality": "FR",
            },
            "address": {"line_1": "12 rue des Lilas", "zip_code": "75011", "city": "Paris", "country": "FR"},
            "bank_account": {"iban": iban},
        },
    )
    name = f"{holder.given_names} {holder.surname}"
    bill = address.french_bill(first_name=holder.given_names, last_name=holder.surname)
    attempts = [
        (
            "identity",
            [
                ("id_card", "front", "carte-recto.jpg", faces.id_card_front(faces.ASTRONAUT)),
                ("id_card", "back", "carte-verso.jpg", faces.id_card_back()),
            ],
        ),
        ("selfie", [("selfie", "", "selfie.jpg", faces.selfie(faces.ASTRONAUT))]),
        ("address", [("utility_bill", "", "facture.png", address.bill_png(bill))]),
        ("bank", [("rib", "", "rib.pdf", bank_letter(name, iban))]),
    ]
    return _applicant_sends(system, session, "eileen@example.com", attempts)


def _applicant_sends(system, session, email, attempts):
    """The applicant opens their link, fills the form, then sends each attempt's files: (step id,
    [(kind, side, filename, bytes)]). Each service commits on its own, so the checks (eager tasks)
    run as the applicant goes."""
    services.links_generate(actor=system, session_id=session.id)
    applicant = session.applicants.get()
    applicant_actor = Actor.for_applicant(applicant)
    services.applicant_open(actor=applicant_actor, applicant_id=applicant.id)
    details = session.verifications.get(step_id="details")
    services.verification_submit(actor=applicant_actor, verification_id=details.id, data={"email": email})
    for step_id, documents in attempts:
        verification = session.verifications.get(step_id=step_id)
        for kind, side, filename, content in documents:
            services.document_add(
                actor=applicant_actor,
                verification_id=verification.id,
                content=content,
                filename=filename,
                kind=kind,
                side=side,
            )
        services.verification_submit(actor=applicant_actor, verification_id=verification.id)
    return Session.objects.get(id=session.id)


def _case(system, person, workflow, reference, name, identity, known, letters):
    """One applicant sends their details and letters (each letter an attempt); the reviewer then
    does what the case needs."""
    session = services.session_create(
        actor=system,
        workflow_id=workflow.id,
        name=name,
        reference_id=reference,
        locale="de",
        input={"identity": identity, "bank_account": {"iban": account(known)}},
    )
    holder = f"{identity['first_name']} {identity['last_name']}"
    attempts = [
        ("bank", [("rib", "", "kontoinformationen.pdf", bank_letter(holder, account(n)) if n else blank_letter())])
        for n in letters
    ]
    session = _applicant_sends(system, session, f"{identity['first_name'].lower()}@example.com", attempts)
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
