"""Bank details letters (French RIB, English and German equivalents) drawn in code.

A document is a list of text lines laid out once and rendered twice: as a PNG
(what a phone or scanner gives us, read by OCR) and as a PDF with a real text
layer (what an online bank exports). Everything is deterministic.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from schwifty import IBAN

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

PAGE_WIDTH_PT = 595  # A4
MARGIN_PT = 50
PX_PER_PT = 2  # 144 dpi: sharp enough for Tesseract, small enough to stay fast


@dataclass(frozen=True)
class Line:
    text: str
    size: int = 11  # points
    bold: bool = False
    gap: int = 8  # points of space above


def _layout(lines):
    """(line, baseline y from the top in points) for every line, and the page height."""
    placed, y = [], MARGIN_PT
    for line in lines:
        y += line.gap + line.size
        placed.append((line, y))
    return placed, y + MARGIN_PT


def render_png(lines, photo=False):
    """The lines drawn black on white; ``photo`` adds a slight tilt, blur and JPEG
    compression, like a phone picture of a printed page."""
    placed, height = _layout(lines)
    image = Image.new("RGB", (PAGE_WIDTH_PT * PX_PER_PT, height * PX_PER_PT), "white")
    draw = ImageDraw.Draw(image)
    for line, baseline in placed:
        font = ImageFont.truetype(SANS_BOLD if line.bold else SANS, line.size * PX_PER_PT)
        draw.text((MARGIN_PT * PX_PER_PT, baseline * PX_PER_PT), line.text, font=font, fill="black", anchor="ls")
    buffer = io.BytesIO()
    if photo:
        image = image.rotate(0.8, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(235, 235, 230))
        image.filter(ImageFilter.GaussianBlur(0.7)).save(buffer, "JPEG", quality=75)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _pdf_string(text):
    """A PDF literal string in WinAnsiEncoding (Latin-1 plus a few signs)."""
    escaped = []
    for byte in text.encode("cp1252", errors="replace"):
        char = chr(byte)
        if char in "()\\":
            escaped.append("\\" + char)
        elif 32 <= byte < 127:
            escaped.append(char)
        else:
            escaped.append(f"\\{byte:03o}")
    return "(" + "".join(escaped) + ")"


def render_pdf(lines):
    """A one-page PDF whose text is a real, extractable text layer (Helvetica)."""
    placed, height = _layout(lines)
    content = "\n".join(
        f"BT /{'F2' if line.bold else 'F1'} {line.size} Tf {MARGIN_PT} {height - baseline} Td {_pdf_string(line.text)} Tj ET"
        for line, baseline in placed
    ).encode("ascii")
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH_PT} {height}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        font.format("Helvetica").encode(),
        font.format("Helvetica-Bold").encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def render_scanned_pdf(lines):
    """A PDF holding only a picture of the page: no text layer, OCR needed."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(render_png(lines))).save(buffer, "PDF", resolution=72 * PX_PER_PT)
    return buffer.getvalue()


@dataclass(frozen=True)
class BankDetails:
    iban: str
    bic: str
    bank_name: str
    holder_name: str
    holder_address: str
    language: str = "fr"


# Real-checksum IBANs whose bank schwifty knows, with that bank's BIC.
FRENCH_ACCOUNT = BankDetails(
    iban=str(IBAN.generate("FR", bank_code="30004", branch_code="00001", account_code="12345678901")),
    bic="BNPAFRPPXXX",
    bank_name="BNP PARIBAS",
    holder_name="M. JEAN DUPONT",
    holder_address="12 RUE DE LA PAIX, 75002 PARIS",
)
GERMAN_ACCOUNT = BankDetails(
    iban=str(IBAN.generate("DE", bank_code="37040044", account_code="0532013000")),
    bic="COBADEFFXXX",
    bank_name="Commerzbank",
    holder_name="Anna Maria Eriksson",
    holder_address="Hauptstraße 5, 10115 Berlin",
    language="de",
)
BRITISH_ACCOUNT = BankDetails(
    iban=str(IBAN.generate("GB", bank_code="NWBK", branch_code="601613", account_code="31926819")),
    bic="NWBKGB2L",
    bank_name="National Westminster Bank",
    holder_name="Mr Oliver Smith",
    holder_address="10 Downing Street, London SW1A 2AA",
    language="en",
)

LABELS = {
    "fr": ("RELEVÉ D'IDENTITÉ BANCAIRE", "Titulaire du compte", "Domiciliation", "Code BIC"),
    "de": ("Kontoinformationen", "Kontoinhaber", "Bank", "BIC"),
    "en": ("Bank account details", "Account holder", "Bank", "BIC / SWIFT"),
}


def bank_letter_lines(details):
    title, holder_label, bank_label, bic_label = LABELS[details.language]
    compact = details.iban.replace(" ", "")
    lines = [
        Line(details.bank_name.upper(), size=16, bold=True, gap=0),
        Line(title, size=13, bold=True, gap=16),
        Line(f"{holder_label} : {details.holder_name}", gap=18),
        Line(details.holder_address),
        Line(f"{bank_label} : {details.bank_name}", gap=14),
    ]
    if details.language == "fr" and compact.startswith("FR"):
        bban = compact[4:]
        lines += [
            Line("Code banque   Code guichet   N° de compte   Clé RIB", size=10, gap=14),
            Line(f"{bban[:5]}          {bban[5:10]}            {bban[10:21]}      {bban[21:]}", size=10),
        ]
    lines += [
        # Printed as-is in groups of four, so tests can print a wrong IBAN too.
        Line("IBAN : " + " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)), size=12, gap=16),
        Line(f"{bic_label} : {details.bic}", size=12),
    ]
    return lines


def bank_letter_png(details=FRENCH_ACCOUNT, photo=False):
    return render_png(bank_letter_lines(details), photo=photo)


def bank_letter_pdf(details=FRENCH_ACCOUNT):
    return render_pdf(bank_letter_lines(details))


def bank_letter_scanned_pdf(details=FRENCH_ACCOUNT):
    return render_scanned_pdf(bank_letter_lines(details))
