"""Documents for document analysis drawn in code: a French RNE certificate, an
INSEE Sirene registration notice, a German Gewerbeanmeldung, a carte grise, a
temporary registration certificate, a driving licence (French and German) and a
Carte Vitale. The Kbis extract comes from ``company``.

Pages use the layout of ``address`` (A4 at 150 dpi, or an ID-1 card), as PNG,
photo or text-layer PDF. Numbers carry valid check digits (SIREN/SIRET Luhn,
NIR key). Everything is deterministic.
"""

from dataclasses import dataclass
from datetime import date

from stdnum.fr import nir

from tests.documents.address import PAGE_SIZE, draw_page, lines, png_bytes, text_pdf
from tests.documents.identity import Capture, photograph

CARD_SIZE = (1012, 638)  # ID-1 (85.6 x 54 mm) at 300 dpi


@dataclass(frozen=True)
class Drawn:
    """A document's lines and the paper they are printed on."""

    lines: list
    size: tuple = PAGE_SIZE

    def png(self):
        return png_bytes(draw_page(self.lines, size=self.size))

    def pdf(self):
        return text_pdf(self.lines, size=self.size)

    def photo(self, capture=Capture(rotation=-1.5, blur=0.7, jpeg_quality=75), seed=0):
        return photograph(draw_page(self.lines, size=self.size), capture, seed)


def rne_certificate(name="BOULANGERIE MARTIN", siren="552 100 554"):
    return Drawn(
        lines(
            ("INPI", "title"),
            ("Institut national de la propriété industrielle", "small"),
            "",
            ("Attestation d'immatriculation", "bold"),
            ("au Registre national des entreprises", "bold"),
            "Délivrée le 02/11/2026",
            "",
            f"Dénomination : {name}",
            f"SIREN : {siren}",
            "Forme juridique : Société à responsabilité limitée",
            "Adresse du siège : 5 place Bellecour 69002 Lyon",
            "Date d'immatriculation : 15/03/2023",
            "Activité principale : Boulangerie",
            "Gérant : MARTIN Paul",
        )
    )


def sirene_notice(name="ATELIER DUBOIS", siret="732 829 320 00074"):
    return Drawn(
        lines(
            ("INSEE", "title"),
            ("Avis de situation au répertoire Sirene", "bold"),
            "à la date du 02/11/2026",
            "",
            f"Identifiant SIRET du siège : {siret}",
            f"Dénomination : {name}",
            "Catégorie juridique : Entrepreneur individuel",
            "Activité principale : 43.32A Travaux de menuiserie",
            "Adresse : 3 rue Victor Hugo 33000 Bordeaux",
            "Date de création : 01/09/2019",
        )
    )


def gewerbeanmeldung():
    return Drawn(
        lines(
            ("Stadt Köln - Gewerbeamt", "bold"),
            ("Gewerbeanmeldung", "title"),
            "Bescheinigung über den Empfang der Gewerbeanzeige",
            "",
            "Firma: Schreinerei Becker",
            "Rechtsform: Einzelunternehmen",
            "Anschrift: Domstraße 10, 50668 Köln",
            "Tätigkeit: Schreinerei und Möbelbau",
            "Ausstellungsdatum: 14.10.2026",
            "Handelsregister: HRA 12345",
        )
    )


@dataclass(frozen=True)
class Vehicle:
    plate: str = "AB-123-CD"
    vin: str = "VF7SA9HZC8M052846"
    holder: str = "DUPONT JEAN"
    make: str = "RENAULT"
    model: str = "CLIO"
    first_registration: date = date(2019, 5, 14)
    issued: date = date(2024, 9, 3)


def carte_grise(vehicle=Vehicle()):
    return Drawn(
        lines(
            ("RÉPUBLIQUE FRANÇAISE", "bold"),
            ("CERTIFICAT D'IMMATRICULATION", "title"),
            "",
            f"A. Numéro d'immatriculation : {vehicle.plate}",
            f"B. Date de première immatriculation : {vehicle.first_registration:%d/%m/%Y}",
            f"C.1 Titulaire : {vehicle.holder}",
            "C.3 Adresse : 12 RUE DES LILAS 75011 PARIS",
            f"D.1 Marque : {vehicle.make}",
            f"D.3 Dénomination commerciale : {vehicle.model}",
            f"E. Numéro d'identification du véhicule : {vehicle.vin}",
            f"I. Date de délivrance : {vehicle.issued:%d/%m/%Y}",
        ),
        size=(1240, 900),
    )


def provisional_certificate(vehicle=Vehicle(plate="WW-482-KT", issued=date(2026, 10, 20))):
    return Drawn(
        lines(
            ("RÉPUBLIQUE FRANÇAISE", "bold"),
            ("CERTIFICAT PROVISOIRE D'IMMATRICULATION", "title"),
            "",
            f"A. Numéro d'immatriculation : {vehicle.plate}",
            f"B. Date de première immatriculation : {vehicle.first_registration:%d/%m/%Y}",
            f"C.1 Titulaire : {vehicle.holder}",
            f"D.1 Marque : {vehicle.make}",
            f"E. Numéro d'identification du véhicule : {vehicle.vin}",
            f"Date de délivrance : {vehicle.issued:%d/%m/%Y}",
            "Valable jusqu'au : 19/11/2026",
        ),
        size=(1240, 900),
    )


@dataclass(frozen=True)
class Licence:
    last_name: str = "DUPONT"
    first_names: str = "JEAN PIERRE"
    birth: date = date(1985, 7, 14)
    birth_place: str = "PARIS"
    issued: date = date(2020, 2, 1)
    expires: date = date(2035, 2, 1)
    authority: str = "PRÉFECTURE DE PARIS"
    number: str = "123456789012"
    categories: str = "AM/A1/B1/B"


def driving_licence(licence=Licence(), title="PERMIS DE CONDUIRE", country="RÉPUBLIQUE FRANÇAISE"):
    """An EU card licence: the fields carry the numbers of Directive 2006/126/EC."""
    return Drawn(
        lines(
            (title, "bold"),
            (country, "small"),
            f"1. {licence.last_name}",
            f"2. {licence.first_names}",
            f"3. {licence.birth:%d.%m.%Y} {licence.birth_place}",
            f"4a. {licence.issued:%d.%m.%Y}",
            f"4b. {licence.expires:%d.%m.%Y}",
            f"4c. {licence.authority}",
            f"5. {licence.number}",
            f"9. {licence.categories}",
        ),
        size=(1012, 760),
    )


def fuhrerschein():
    return driving_licence(
        Licence(last_name="MUSTERMANN", first_names="ERIKA", birth_place="BERLIN", authority="Stadt Berlin",
                number="B072RRE2I55", categories="AM/B/L"),
        title="FÜHRERSCHEIN", country="BUNDESREPUBLIK DEUTSCHLAND",
    )  # fmt: skip


def social_security_number(sex="1", born=date(1985, 7, 1), department="75", commune="123", order="456"):
    """A French NIR with its key, spaced as printed on the Carte Vitale."""
    base = f"{sex}{born:%y}{born:%m}{department}{commune}{order}"
    key = nir.calc_check_digits(base)
    return f"{base[0]} {base[1:3]} {base[3:5]} {base[5:7]} {base[7:10]} {base[10:13]} {key}"


def carte_vitale(holder="JEAN DUPONT", number=None):
    return Drawn(
        lines(
            ("carte Vitale", "title"),
            ("Assurance Maladie", "bold"),
            "",
            "",
            holder,
            number or social_security_number(),
        ),
        size=CARD_SIZE,
    )
