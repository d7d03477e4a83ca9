"""Bank details letters (French RIB, English and German equivalents) drawn in code.

A document is a list of text lines laid out once and rendered twice: as a PNG
(what a phone or scanner gives us, read by OCR) and as a PDF with a real text
layer (what an online bank exports). ``bank_details_set`` draws harder ones for
France, Germany, Spain, Italy, the Netherlands and Belgium, each with its truth:
RIB-style pages with the holder and the branch side by side, letters with the
branch's address nearby, banking-app screenshots; holders with titles, labels
in each language, IBANs in groups of four or compact, BICs with or without
"XXX" or not printed; uploaded as text PDFs, phone photos, PDFs of a photo or
screenshots. A tuning split and a held-out split (other seeds, and layouts only
it uses). Everything is deterministic.
"""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from schwifty import IBAN

from onboarding.checks.bank import validate_iban
from tests.documents.address import SPLIT_SEEDS, Sample, beside, capture, draw_page, lines, text_pdf

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


def smudged_holder_letter(blur):
    """A bank letter photographed with the holder's surname smudged (ink rubbed on a fold)."""
    lines = [Line("Titulaire du compte : M. JEAN DUPONT"), Line("IBAN : FR76 3000 4000 0112 3456 7890 173"),
             Line("BIC : BNPAFRPPXXX")]  # fmt: skip
    image = Image.open(io.BytesIO(render_png(lines))).convert("RGB")
    baseline = _layout(lines)[0][0][1] * PX_PER_PT
    surname = (425, baseline - 26, 530, baseline + 8)
    image.paste(image.crop(surname).filter(ImageFilter.GaussianBlur(blur)), surname[:2])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def bank_letter_png(details=FRENCH_ACCOUNT, photo=False):
    return render_png(bank_letter_lines(details), photo=photo)


def bank_letter_pdf(details=FRENCH_ACCOUNT):
    return render_pdf(bank_letter_lines(details))


def bank_letter_scanned_pdf(details=FRENCH_ACCOUNT):
    return render_scanned_pdf(bank_letter_lines(details))


# -- six countries, with their truth ----------------------------------------------------------

COUNTRIES = {
    "FR": {"people": [("M.", "Jean", "Dupont"), ("Mme", "Claire", "Fontaine"), ("Mlle", "Inès", "Roux")],
           "branch": ("AGENCE PARIS OPÉRA", "29 boulevard Haussmann", "75009 PARIS"),
           "labels": ("RELEVÉ D'IDENTITÉ BANCAIRE", "Titulaire du compte", "Domiciliation", "BIC")},
    "DE": {"people": [("Herr", "Lukas", "Becker"), ("Frau", "Anna", "Schmidt"), ("Frau Dr.", "Eva", "Wolf")],
           "branch": ("Filiale Köln Hohe Straße", "Hohe Straße 12", "50667 Köln"),
           "labels": ("Kontoinformationen", "Kontoinhaber", "Filiale", "BIC")},
    "ES": {"people": [("Sr.", "Javier", "García López"), ("Sra.", "Lucía", "Martín Ruiz")],
           "branch": ("Oficina 0418 Gran Vía", "Calle Gran Vía 28", "28013 Madrid"),
           "labels": ("Certificado de titularidad de cuenta", "Titular de la cuenta", "Oficina", "BIC")},
    "IT": {"people": [("Sig.", "Marco", "Bianchi"), ("Sig.ra", "Giulia", "Rossi")],
           "branch": ("Filiale di Milano Centro", "Via Dante 7", "20121 Milano"),
           "labels": ("Coordinate bancarie", "Intestatario", "Filiale", "Codice BIC")},
    "NL": {"people": [("Dhr.", "Pieter", "Jansen"), ("Mevrouw", "Anna", "de Vries")],
           "branch": ("Kantoor Amsterdam Zuid", "Gustav Mahlerlaan 10", "1082 PP Amsterdam"),
           "labels": ("Rekeninggegevens", "Rekeninghouder", "Kantoor", "BIC")},
    "BE": {"people": [("M.", "Luc", "Peeters"), ("Mevrouw", "Els", "Claes")],
           "branch": ("Agence Bruxelles Louise", "Avenue Louise 54", "1050 Bruxelles"),
           "labels": ("Relevé d'identité bancaire", "Titulaire / Houder", "Agence / Kantoor", "BIC")},
}  # fmt: skip
HOLDER_STREETS = {"FR": ("12 rue des Lilas", "75011 Paris"), "DE": ("Gartenweg 3a", "50667 Köln"),
                  "ES": ("Calle Mayor 5, 2º B", "28013 Madrid"), "IT": ("Via Roma 21", "20121 Milano"),
                  "NL": ("Keizersgracht 112", "1015 CX Amsterdam"), "BE": ("Rue Haute 8", "1000 Bruxelles")}  # fmt: skip
LAYOUTS = ("rib_columns", "letter", "app")
HELD_OUT_LAYOUTS = ("letter_table",)


@dataclass(frozen=True)
class Account:
    country: str
    title: str
    first_name: str
    last_name: str
    iban: IBAN
    bic_printed: str  # "" when the document prints none
    compact_iban: bool

    @property
    def holder(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def printed_iban(self):
        return self.iban.compact if self.compact_iban else self.iban.formatted


def random_account(rng, country):
    """An account at a bank schwifty knows (so its BIC is known), with a numeric account number."""
    while True:
        drawn = IBAN.random(country_code=country, random=rng)
        if drawn.bic is None:
            continue
        digits = "".join(rng.choice("0123456789") for _ in drawn.account_code)
        iban = IBAN.generate(country, bank_code=drawn.bank_code, branch_code=drawn.branch_code or "",
                             account_code=digits)  # fmt: skip
        if iban.bic is not None and validate_iban(iban.compact)[0]:  # German account numbers have check digits
            break
    title, first, last = rng.choice(COUNTRIES[country]["people"])
    bic = str(iban.bic)
    bic = {0: "", 1: bic.removesuffix("XXX"), 2: bic if len(bic) == 11 else bic + "XXX"}[rng.randint(0, 2)]
    return Account(country, title, first, last, iban, bic, rng.random() < 0.4)


def _rib_columns(account):
    title, holder_label, branch_label, bic_label = COUNTRIES[account.country]["labels"]
    branch, branch_street, branch_city = COUNTRIES[account.country]["branch"]
    street, city = HOLDER_STREETS[account.country]
    return lines(
        (account.iban.bank_name[:40], "title"),
        (title, "bold"),
        "",
        (holder_label, "bold"),
        beside(branch_label, style="bold"),
        f"{account.title} {account.holder}".upper(),
        beside(branch.upper()),
        street.upper(),
        beside(branch_street.upper()),
        city.upper(),
        beside(branch_city.upper()),
        "",
        f"IBAN : {account.printed_iban}",
        *([f"{bic_label} : {account.bic_printed}"] if account.bic_printed else []),
    )


def _letter(account):
    """A bank's letter: its branch address in the header, the holder after its label."""
    title, holder_label, branch_label, bic_label = COUNTRIES[account.country]["labels"]
    branch, branch_street, branch_city = COUNTRIES[account.country]["branch"]
    return lines(
        (account.iban.bank_name[:40], "title"),
        (f"{branch} - {branch_street}, {branch_city}", "small"),
        "",
        (title, "bold"),
        f"{holder_label}: {account.title} {account.holder}",
        f"{branch_label}: {branch}",
        f"IBAN: {account.printed_iban}",
        *([f"{bic_label}: {account.bic_printed}"] if account.bic_printed else []),
    )


def _letter_table(account):
    """Labels in a left column, values in a right one, the branch's address under them."""
    title, holder_label, branch_label, bic_label = COUNTRIES[account.country]["labels"]
    branch, branch_street, branch_city = COUNTRIES[account.country]["branch"]
    return lines(
        (account.iban.bank_name[:40], "title"),
        "",
        (title, "bold"),
        f"{holder_label} :",
        beside(f"{account.title} {account.holder}", x=560),
        f"{branch_label} :",
        beside(branch, x=560),
        "",
        beside(f"{branch_street}, {branch_city}", x=560),
        "IBAN :",
        beside(account.printed_iban, x=560),
        *([f"{bic_label} :", beside(account.bic_printed, x=560)] if account.bic_printed else []),
    )


PAGE_TEMPLATES = {"rib_columns": _rib_columns, "letter": _letter, "letter_table": _letter_table}
APP_COLOURS = [((0, 130, 90), (255, 255, 255)), ((20, 60, 140), (255, 255, 255)), ((236, 0, 0), (255, 255, 255))]


def app_screenshot(account, rng):
    """A banking app's account details screen (PNG): labels in grey over values."""
    _, holder_label, branch_label, bic_label = COUNTRIES[account.country]["labels"]
    width, height = 1080, 1920
    bar, ink = rng.choice(APP_COLOURS)
    image = Image.new("RGB", (width, height), (246, 246, 248))
    draw = ImageDraw.Draw(image)
    font = lambda path, size: ImageFont.truetype(path, size)  # noqa: E731
    draw.rectangle((0, 0, width, 90), fill=(20, 20, 20))
    draw.text((40, 25), "9:41", font=font(SANS_BOLD, 38), fill="white")
    draw.rectangle((0, 90, width, 300), fill=bar)
    draw.text((60, 150), account.iban.bank_name[:28], font=font(SANS_BOLD, 52), fill=ink)
    rows = [(holder_label.split(" / ")[0], f"{account.title} {account.holder}"), ("IBAN", account.printed_iban)]
    if account.bic_printed:
        rows.append((bic_label, account.bic_printed))
    rows.append((branch_label.split(" / ")[0], COUNTRIES[account.country]["branch"][0]))
    y = 380
    for label, value in rows:
        draw.rounded_rectangle((30, y - 30, width - 30, y + 150), 24, fill="white")
        draw.text((70, y), label, font=font(SANS, 36), fill=(120, 120, 128))
        draw.text((70, y + 56), value, font=font(SANS_BOLD, 44 if len(value) < 32 else 38), fill=(15, 15, 20))
        y += 220
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def bank_details_set(split, count=18):
    """``count`` bank details documents of ``split`` (a key of SPLIT_SEEDS), three
    per country: a page uploaded as a text PDF, the same kind photographed (or a PDF
    of the photo), and an app screenshot."""
    rng = random.Random(SPLIT_SEEDS[split] + 1)
    layouts = [name for name in PAGE_TEMPLATES if split != "tuning" or name not in HELD_OUT_LAYOUTS]
    samples = []
    for index in range(count):
        country = list(COUNTRIES)[index // 3 % len(COUNTRIES)]
        account = random_account(rng, country)
        kind = ("text_pdf", rng.choice(("photo", "pdf_of_photo")), "app")[index % 3]
        if kind == "app":
            content, mime_type, layout = app_screenshot(account, rng), "image/png", "app"
        else:
            layout = rng.choice(list(layouts))
            page_lines = PAGE_TEMPLATES[layout](account)
            content, mime_type = capture(draw_page(page_lines), kind, SPLIT_SEEDS[split] + 500 + index,
                                         text_pdf(page_lines) if kind == "text_pdf" else None)  # fmt: skip
        truth = {"iban": account.iban.compact, "bic": account.bic_printed or None, "holder_name": account.holder}
        samples.append(Sample(f"{split}-{index:02d}-{country}-{layout}-{kind}", content, mime_type, truth))
    return samples
