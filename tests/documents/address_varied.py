"""More proofs of address, drawn the way other issuers lay them out, with their truth.

Beside the templates of tests/documents/address.py: a phone bill with the
addressee in the window and a "Titulaire du compte" line, a British energy bill
with "Account holder:" inline and the supply address under its own label, a
German phone bill with the sender's return line over the window, a rent receipt
dated "Fait à Lyon, le ...", a water bill whose addressee block sits beside a
"Vos références" column, and a "Bill to:" invoice. Holders are people (with
their titles) or companies; uploads are text PDFs, folded-letter photos, PDFs
of them, or hurried phone photos (tests/documents/camera.py).

``varied_address_set`` draws the "tuning_3" split (tuned on) and the
"held_out_3" split (other seeds, and templates only it uses). The first eight
documents are French and carry a 2D-Doc. Deterministic for a given split.
"""

import random
from dataclasses import replace
from datetime import date, timedelta

from tests.documents.address import (
    ADDRESSES,
    PEOPLE,
    RIGHT_COLUMN,
    TEMPLATE_COUNTRY,
    TEMPLATES,
    Bill,
    Line,
    Sample,
    _barcode,
    _de,
    _en,
    _fr,
    beside,
    capture,
    draw_page,
    lines,
    text_pdf,
)
from tests.documents.camera import photograph, random_shot

VARIED_SEEDS = {"tuning_3": 3200, "held_out_3": 54000}
COMPANIES = {"FR": "SARL BOULANGERIE MARTIN", "DE": "Müller Logistik GmbH", "GB": "Hughes Joinery Ltd"}


def _name(bill):
    return f"{bill.title} {bill.first_name} {bill.last_name}".strip()


def _orange_fr(bill):
    return lines(
        ("orange", "title"),
        ("Orange - Service Clients - 33734 Bordeaux Cedex 9", "small"),
        "",
        Line(_name(bill).upper(), x=RIGHT_COLUMN),
        *[Line(text.upper(), x=RIGHT_COLUMN) for text in bill.address_lines],
        Line(f"{bill.zip_code} {bill.city}".upper(), x=RIGHT_COLUMN),
        "",
        ("Votre facture mobile", "bold"),
        f"Date de facture : {_fr(bill.issue_date)}",
        f"Titulaire du compte : {_name(bill)}",
        "Numéro de compte client : 7012 3344 55",
        f"Période du {_fr(bill.issue_date - timedelta(days=31))} au {_fr(bill.issue_date - timedelta(days=1))}",
        "Montant total : 29,99 €",
    )


def _british_gas(bill):
    return lines(
        ("British Gas", "title"),
        ("PO Box 227, Rotherham S98 1PD", "small"),
        "",
        ("Your gas and electricity bill", "bold"),
        f"Account holder: {_name(bill)}",
        beside(f"Bill date: {_en(bill.issue_date)}", x=720, style="small"),
        "Account number: 850 012 345 678",
        "",
        ("Supply address", "bold"),
        *bill.address_lines,
        bill.city,
        bill.zip_code,
        "",
        f"Payment due: {_en(bill.issue_date + timedelta(days=14))}",
        "Total to pay: £142.77",
    )


def _vodafone_de(bill):
    return lines(
        ("Vodafone", "title"),
        ("Vodafone GmbH · Ferdinand-Braun-Platz 1 · 40549 Düsseldorf", "small"),
        "",
        bill.title,
        beside(f"Datum: {_de(bill.issue_date)}", x=760, style="small"),
        f"{bill.first_name} {bill.last_name}",
        beside("Kundennummer: 112 233 445", x=760, style="small"),
        *[Line(text) for text in bill.address_lines],
        beside(f"Fällig am: {_de(bill.issue_date + timedelta(days=10))}", x=760, style="small"),
        f"{bill.zip_code} {bill.city}",
        "",
        ("Ihre Rechnung", "bold"),
        "Rechnungsbetrag: 44,99 EUR",
    )


def _rent_receipt(bill):
    return lines(
        ("QUITTANCE DE LOYER", "title"),
        "Bailleur : SCI Les Marronniers, 8 place Bellecour, 69002 Lyon",
        "",
        f"Locataire : {_name(bill)}",
        ("Adresse du logement", "bold"),
        *bill.address_lines,
        f"{bill.zip_code} {bill.city}",
        "",
        f"Loyer du mois de {bill.issue_date.strftime('%m/%Y')} : 780,00 €",
        "Charges : 60,00 €",
        f"Fait à Lyon, le {_fr(bill.issue_date)}",
    )


def _veolia_columns(bill):
    """The addressee block beside a column of references and dates."""
    left = [("Vos références", "bold"), "Contrat n° 4 500 123", f"Date d'émission : {_fr(bill.issue_date)}", "", ""]
    right = [_name(bill), *bill.address_lines, f"{bill.zip_code} {bill.city}"]
    rows = []
    for index, text in enumerate(right):
        rows += [left[index], beside(text.upper())]
    return lines(
        ("VEOLIA EAU", "title"),
        ("Veolia Eau - TSA 90001 - 69388 Lyon Cedex 03", "small"),
        "",
        *rows,
        "",
        ("Facture d'eau", "bold"),
        f"Échéance : {_fr(bill.issue_date + timedelta(days=20))}",
        "Montant TTC : 64,30 €",
    )


def _bill_to(bill):
    return lines(
        ("Hyperoptic Ltd", "title"),
        ("Hyperoptic, 1 Rockfield Business Park, Old Station Drive, Leckhampton GL53 0AN", "small"),
        "",
        ("Invoice", "bold"),
        f"Invoice date: {_en(bill.issue_date)}",
        "",
        ("Bill to:", "bold"),
        _name(bill),
        *bill.address_lines,
        bill.city,
        bill.zip_code,
        "",
        "Broadband 500Mb: £35.00",
    )


VARIED_TEMPLATES = {"orange_fr": _orange_fr, "british_gas": _british_gas, "vodafone_de": _vodafone_de,
                    "rent_receipt": _rent_receipt}  # fmt: skip
HELD_OUT_TEMPLATES = {"veolia_columns": _veolia_columns, "bill_to": _bill_to}
COUNTRY = {"orange_fr": "FR", "british_gas": "GB", "vodafone_de": "DE", "rent_receipt": "FR", "veolia_columns": "FR",
           "bill_to": "GB"}  # fmt: skip


def _page_lines(bill):
    return {**TEMPLATES, **VARIED_TEMPLATES, **HELD_OUT_TEMPLATES}[bill.template](bill)


def hurried_photo(page, seed):
    """A phone photo of the page on a table, as camera.py takes it, body text 14-20 px high."""
    rng = random.Random(seed)
    shot = random_shot(rng, text_height=(14, 20), motion_blur=(2, 4), defocus=(0.4, 0.9), jpeg_quality=(55, 75),
                       width=(1100, 1400), perspective=(0.02, 0.06), rotation=(0.5, 3.0))  # fmt: skip
    return photograph([page], shot, seed=seed, text_px=30), "image/jpeg"


def varied_address_set(split, count=15, with_twoddoc=8):
    rng = random.Random(VARIED_SEEDS[split])
    templates = {
        **{name: TEMPLATE_COUNTRY[name] for name in TEMPLATES},
        **{name: COUNTRY[name] for name in VARIED_TEMPLATES},
    }
    if split == "held_out_3":
        templates.update({name: COUNTRY[name] for name in HELD_OUT_TEMPLATES})
    samples = []
    for index in range(count):
        french = index < with_twoddoc
        template = rng.choice([name for name, country in templates.items() if not french or country == "FR"])
        country = templates[template]
        title, first, last = rng.choice(PEOPLE[country])
        line_1, line_2, zip_code, city = rng.choice(ADDRESSES[country])
        bill = Bill(template, title, first, last, line_1, zip_code, city,
                    date.today() - timedelta(days=rng.randint(5, 60)), with_twoddoc=french, line_2=line_2)  # fmt: skip
        holder = f"{first} {last}"
        if rng.random() < 0.15 and not french:
            bill, holder = replace(bill, title="", first_name="", last_name=COMPANIES[country]), COMPANIES[country]
        kind = ("text_pdf", "photo", rng.choice(("pdf_of_photo", "hurried")))[index % 3]
        page_lines = _page_lines(bill)
        page = draw_page(page_lines, _barcode(bill, None))
        seed = VARIED_SEEDS[split] + index
        if kind == "hurried":
            content, mime_type = hurried_photo(page, seed)
        else:
            pdf = text_pdf(page_lines, _barcode(bill, None)) if kind == "text_pdf" else None
            content, mime_type = capture(page, kind, seed, pdf)
        truth = {"holder_name": holder, "line_1": line_1, "zip_code": zip_code, "city": city,
                 "issue_date": bill.issue_date}  # fmt: skip
        samples.append(Sample(f"{split}-{index:02d}-{template}-{kind}", content, mime_type, truth))
    return samples
