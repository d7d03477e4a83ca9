"""Company certificates drawn in code: a French Kbis-like extract and a UK
certificate of incorporation, as PNG or as PDF with a text layer. Deterministic."""

from dataclasses import dataclass
from datetime import date

from tests.documents.bank import Line, render_pdf, render_png, render_scanned_pdf

FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True)
class Company:
    name: str
    registration_number: str  # as printed, e.g. "443 061 841"
    address: str
    registered_on: date
    issued_on: date
    legal_form: str = "Société par actions simplifiée"
    city: str = "Paris"
    representative: str = "DUPONT Jean"
    country: str = "FR"


# 443 061 841 satisfies the SIREN Luhn check.
FRENCH_COMPANY = Company(
    name="ACME SOLUTIONS",
    registration_number="443 061 841",
    address="12 rue de la Paix 75002 Paris",
    registered_on=date(2010, 6, 1),
    issued_on=date(2025, 3, 12),
)
BRITISH_COMPANY = Company(
    name="OXFORD WIDGETS LIMITED",
    registration_number="SC123456",
    address="1 Princes Street, Edinburgh EH2 2EQ",
    registered_on=date(2015, 9, 21),
    issued_on=date(2025, 1, 8),
    legal_form="Private company limited by shares",
    city="Edinburgh",
    representative="Oliver Smith",
    country="GB",
)


def _french_date(value):
    return f"{value.day} {FRENCH_MONTHS[value.month - 1]} {value.year}"


def kbis_lines(company):
    return [
        Line(f"Greffe du Tribunal de Commerce de {company.city}", size=10, gap=0),
        Line("Extrait Kbis", size=18, bold=True, gap=14),
        Line("EXTRAIT D'IMMATRICULATION PRINCIPALE AU REGISTRE DU COMMERCE ET DES SOCIÉTÉS", size=9, bold=True),
        Line(f"à jour au {_french_date(company.issued_on)}", size=10),
        Line("IDENTIFICATION DE LA PERSONNE MORALE", size=11, bold=True, gap=18),
        Line(f"Immatriculation au RCS, numéro : {company.registration_number} R.C.S. {company.city}", size=10, gap=10),
        Line(f"Date d'immatriculation : {company.registered_on:%d/%m/%Y}", size=10),
        Line(f"Dénomination ou raison sociale : {company.name}", size=10),
        Line(f"Forme juridique : {company.legal_form}", size=10),
        Line("Capital social : 10 000,00 Euros", size=10),
        Line(f"Adresse du siège : {company.address}", size=10),
        Line("GESTION, DIRECTION, ADMINISTRATION, CONTRÔLE, ASSOCIÉS OU MEMBRES", size=11, bold=True, gap=18),
        Line(f"Président : {company.representative}", size=10, gap=10),
    ]


def incorporation_lines(company):
    return [
        Line("CERTIFICATE OF INCORPORATION", size=16, bold=True, gap=0),
        Line("OF A PRIVATE LIMITED COMPANY", size=12, bold=True),
        Line(f"Company number : {company.registration_number}", size=11, gap=18),
        Line(f"Company name : {company.name}", size=11),
        Line(f"Registered office : {company.address}", size=11),
        Line(f"Incorporated on : {company.registered_on.day} {company.registered_on:%B %Y}", size=11),
        Line(f"Company type : {company.legal_form}", size=11),
        Line(f"Issued on : {company.issued_on.day} {company.issued_on:%B %Y}", size=11, gap=18),
    ]


def certificate_lines(company):
    return kbis_lines(company) if company.country == "FR" else incorporation_lines(company)


def certificate_png(company=FRENCH_COMPANY, photo=False):
    return render_png(certificate_lines(company), photo=photo)


def certificate_pdf(company=FRENCH_COMPANY):
    return render_pdf(certificate_lines(company))


def certificate_scanned_pdf(company=FRENCH_COMPANY):
    return render_scanned_pdf(certificate_lines(company))
