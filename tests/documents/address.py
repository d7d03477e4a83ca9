"""Proofs of address drawn in code: a French electricity bill, a German
Stromrechnung, an English water bill and a French income tax notice.

A document is a list of styled lines; it is drawn on an A4 page (150 dpi) with
DejaVu fonts, or written to a PDF whose text layer holds the same lines, and can
carry a 2D-Doc DataMatrix in its bottom right corner. Photos go through
``identity.photograph``. Everything is deterministic.
"""

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tests.documents.twoddoc import encode, render
from tests.documents.identity import Capture, photograph

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

DPI = 150
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 110
# Pixel heights per style: body text near 14 pt, which Tesseract reads comfortably.
STYLES = {"title": (SANS_BOLD, 46), "bold": (SANS_BOLD, 30), "normal": (SANS, 30), "small": (SANS, 24)}
LINE_SPACING = 1.45


# -- pages: styled lines drawn on paper or written to a PDF text layer ---------------------


@dataclass(frozen=True)
class Line:
    text: str
    style: str = "normal"


def lines(*items):
    """Lines from strings ('' for a gap) and (text, style) pairs."""
    return [Line(*item) if isinstance(item, tuple) else Line(item) for item in items]


def _layout(page_lines):
    """(x, y, line) for every line with text, top to bottom."""
    y = MARGIN
    placed = []
    for line in page_lines:
        size = STYLES[line.style][1]
        if line.text:
            placed.append((MARGIN, y, line))
        y += round(size * LINE_SPACING)
    return placed


def draw_page(page_lines, barcode=None, size=PAGE_SIZE):
    """The page as an RGB image; ``barcode`` is a grayscale DataMatrix image or None."""
    page = Image.new("RGB", size, "white")
    if barcode is not None:
        corner = (size[0] - MARGIN, size[1] - MARGIN)
        page.paste(barcode.convert("RGB"), (corner[0] - barcode.width, corner[1] - barcode.height))
    draw = ImageDraw.Draw(page)
    fonts = {style: ImageFont.truetype(path, size) for style, (path, size) in STYLES.items()}
    for x, y, line in _layout(page_lines):
        draw.text((x, y), line.text, font=fonts[line.style], fill=(20, 20, 20))
    return page


def _pdf_string(text):
    encoded = text.encode("cp1252")
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_stream(page_lines, height):
    """PDF operators writing the lines in Helvetica at the positions of the drawn page."""
    scale = 72 / DPI
    height_pt = height * scale
    ops = [b"BT"]
    for x, y, line in _layout(page_lines):
        font = b"/F2" if line.style in ("title", "bold") else b"/F1"
        size = STYLES[line.style][1] * scale
        baseline = height_pt - (y + STYLES[line.style][1] * 0.8) * scale
        ops.append(b"%s %.1f Tf 1 0 0 1 %.1f %.1f Tm %s Tj" % (font, size, x * scale, baseline, _pdf_string(line.text)))
    ops.append(b"ET")
    return b"\n".join(ops)


def _helvetica(base_font):
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(base_font),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def text_pdf(page_lines, barcode=None, size=PAGE_SIZE):
    """A one-page PDF with a real text layer (Helvetica) and the DataMatrix as an image."""
    background = io.BytesIO()
    draw_page([], barcode, size).save(background, format="PDF", resolution=DPI)
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(background.getvalue())).pages[0])
    text_page = PdfWriter().add_blank_page(float(page.mediabox.width), float(page.mediabox.height))
    text_page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject(
                {NameObject("/F1"): _helvetica("/Helvetica"), NameObject("/F2"): _helvetica("/Helvetica-Bold")}
            )
        }
    )
    stream = DecodedStreamObject()
    stream.set_data(_text_stream(page_lines, size[1]))
    text_page.replace_contents(stream)
    page.merge_page(text_page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -- proofs of address ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bill:
    template: str  # a key of TEMPLATES
    title: str  # "M.", "Herrn", "Mr", ... as printed before the name
    first_name: str
    last_name: str
    line_1: str
    zip_code: str
    city: str
    issue_date: date
    with_twoddoc: bool = False
    # Fields written into the 2D-Doc instead of the printed ones (a tampered document).
    twoddoc_overrides: dict = field(default_factory=dict)


def _fr(value):
    return value.strftime("%d/%m/%Y")


def _de(value):
    return value.strftime("%d.%m.%Y")


def _en(value):
    return f"{value.day} {value.strftime('%B %Y')}"


def _edf_bill(bill):
    start = bill.issue_date - timedelta(days=65)
    return lines(
        ("EDF", "title"),
        ("Électricité de France - Service clients", "small"),
        ("22-30 avenue de Wagram, 75008 Paris", "small"),
        "",
        ("FACTURE D'ÉLECTRICITÉ", "bold"),
        f"Date de facture : {_fr(bill.issue_date)}",
        "N° de facture : 10 0123 4567",
        "Référence client : 6 012 345 678",
        "",
        ("Titulaire du contrat", "bold"),
        f"{bill.title} {bill.first_name} {bill.last_name}".upper(),
        bill.line_1.upper(),
        f"{bill.zip_code} {bill.city}".upper(),
        "",
        f"Période de consommation : du {_fr(start)} au {_fr(bill.issue_date - timedelta(days=5))}",
        "Consommation : 412 kWh",
        "Montant TTC : 98,45 €",
        f"À payer avant le {_fr(bill.issue_date + timedelta(days=15))}",
    )


def _stromrechnung(bill):
    return lines(
        ("Stadtwerke Musterstadt GmbH", "title"),
        ("Energieweg 1, 80331 München", "small"),
        "",
        ("Stromrechnung", "bold"),
        f"Rechnungsdatum: {_de(bill.issue_date)}",
        "Kundennummer: 4711 0815",
        "",
        bill.title,
        f"{bill.first_name} {bill.last_name}",
        bill.line_1,
        f"{bill.zip_code} {bill.city}",
        "",
        f"Abrechnungszeitraum: {_de(bill.issue_date - timedelta(days=365))} - {_de(bill.issue_date)}",
        "Verbrauch: 2.450 kWh",
        "Rechnungsbetrag: 812,40 EUR",
    )


def _water_bill(bill):
    return lines(
        ("Thames Water", "title"),
        ("Clearwater Court, Vastern Road, Reading RG1 8DB", "small"),
        "",
        ("Water and sewerage bill", "bold"),
        f"Bill date: {_en(bill.issue_date)}",
        "Account number: 9001 2345 6789",
        "",
        f"{bill.title} {bill.first_name} {bill.last_name}",
        bill.line_1,
        bill.city,
        bill.zip_code,
        "",
        f"Billing period: {_en(bill.issue_date - timedelta(days=180))} to {_en(bill.issue_date - timedelta(days=2))}",
        "Amount due: £184.20",
    )


def _avis_impot(bill):
    return lines(
        ("DIRECTION GÉNÉRALE DES FINANCES PUBLIQUES", "bold"),
        ("AVIS D'IMPÔT SUR LE REVENU", "title"),
        f"Établi au titre des revenus de {bill.issue_date.year - 1}",
        f"Date d'établissement : {_fr(bill.issue_date)}",
        "Numéro fiscal : 1234567890123",
        "Référence de l'avis : 2675A12345678",
        "",
        f"{bill.title} {bill.first_name} {bill.last_name}".upper(),
        bill.line_1.upper(),
        f"{bill.zip_code} {bill.city}".upper(),
        "",
        "Revenu fiscal de référence : 34 512",
        "Nombre de parts : 2",
    )


TEMPLATES = {"edf": _edf_bill, "stromrechnung": _stromrechnung, "water": _water_bill, "avis_impot": _avis_impot}


def _ascii_upper(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper().replace("'", " ")


def twoddoc_text(bill, private_key=None):
    """The 2D-Doc a French issuer would print on the bill (invoice, or income tax notice)."""
    name = _ascii_upper(f"{bill.title} {bill.first_name} {bill.last_name}").replace(".", "")
    if bill.template == "avis_impot":
        fields = {
            "tax_number_declarant_1": "1234567890123",
            "declarant_1": _ascii_upper(f"{bill.last_name} {bill.first_name}"),
            "tax_notice_reference": "2675A12345678",
            "income_year": str(bill.issue_date.year - 1),
            "declarant_address_line_4": _ascii_upper(bill.line_1),
            "declarant_zip_code": bill.zip_code,
            "declarant_city": _ascii_upper(bill.city),
        }
        document_type = "04"
    else:
        fields = {
            "beneficiary_address_line_1": name,
            "service_address_line_4": _ascii_upper(bill.line_1),
            "service_zip_code": bill.zip_code,
            "service_city": _ascii_upper(bill.city),
            "service_country": "FR",
            "invoice_number": "1001234567",
            "amount_including_tax": "98.45",
        }
        document_type = "01"
    fields.update(bill.twoddoc_overrides)
    return encode(fields, issue_date=bill.issue_date, document_type=document_type, private_key=private_key)


def _barcode(bill, private_key):
    return render(twoddoc_text(bill, private_key), scale=6) if bill.with_twoddoc else None


def bill_lines(bill):
    return TEMPLATES[bill.template](bill)


def bill_image(bill, private_key=None):
    return draw_page(bill_lines(bill), _barcode(bill, private_key))


def bill_png(bill, private_key=None):
    return png_bytes(bill_image(bill, private_key))


def bill_pdf(bill, private_key=None):
    """The bill as an issuer's PDF: a text layer, plus the 2D-Doc image when it has one."""
    return text_pdf(bill_lines(bill), _barcode(bill, private_key))


def bill_photo(bill, capture=Capture(rotation=2.5, blur=0.8, jpeg_quality=70), seed=0, private_key=None):
    """The bill photographed by a phone: slightly turned, soft, JPEG."""
    return photograph(bill_image(bill, private_key), capture, seed)


def blank_page_png():
    return png_bytes(Image.new("RGB", PAGE_SIZE, "white"))


def french_bill(**overrides):
    values = dict(
        template="edf", title="M.", first_name="Jean", last_name="Dupont", line_1="12 rue des Lilas",
        zip_code="75011", city="Paris", issue_date=date.today() - timedelta(days=20),
    )  # fmt: skip
    return Bill(**{**values, **overrides})


def german_bill(**overrides):
    values = dict(
        template="stromrechnung", title="Herrn", first_name="Max", last_name="Mustermann",
        line_1="Lindenstraße 5", zip_code="10115", city="Berlin", issue_date=date.today() - timedelta(days=12),
    )  # fmt: skip
    return Bill(**{**values, **overrides})


def english_bill(**overrides):
    values = dict(
        template="water", title="Mr", first_name="John", last_name="Smith", line_1="221B Baker Street",
        zip_code="NW1 6XE", city="London", issue_date=date.today() - timedelta(days=30),
    )  # fmt: skip
    return Bill(**{**values, **overrides})


def tax_notice(**overrides):
    values = dict(
        template="avis_impot", title="Mme", first_name="Marie", last_name="Martin", line_1="8 avenue Jean Jaurès",
        zip_code="69007", city="Lyon", issue_date=date.today() - timedelta(days=40),
    )  # fmt: skip
    return Bill(**{**values, **overrides})
