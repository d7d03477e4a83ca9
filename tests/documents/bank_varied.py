"""Bank details in the forms real banks print them, drawn in code with their truth.

Each of France, Germany, Spain, Italy, the Netherlands and Belgium has several
holder labels ("Titulaire du compte", "Kontoinhaber", "Titular", "Intestatario",
"Tenaamstelling", "Houder"...), titles (M., Frau, Sra., Sig.ra, Dhr., Mevr.),
people and companies as holders, and branches whose names carry no word like
"agence" ("LYON BELLECOUR", "Amsterdam Zuid"). Page layouts: a French-style RIB
box with the holder's address right under the name and the branch in the next
column, a letter with the label and value on one line, label and value
separated by spaces only, a two-column table; banking-app screens in light or
dark mode, with labels over values or beside them, in small fonts. Uploaded as
a text PDF, a folded-letter photo, a PDF of that photo, a hurried phone photo
(tests/documents/camera.py) or a screenshot.

``varied_bank_set`` draws the "tuning_3" split (tuned on) and the "held_out_3"
split: other seeds, and labels, holders, branches, layouts and app screens
only it uses. Everything is deterministic for a given split.
"""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from tests.documents.address import Line, Sample, beside, capture, draw_page, lines, text_pdf
from tests.documents.address_varied import hurried_photo
from tests.documents.bank import random_account

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CONDENSED = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"
CONDENSED_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"

VARIED_SEEDS = {"tuning_3": 3100, "held_out_3": 53000}
# About one document in six prints an IBAN whose checksum fails: it must never pass.
INVALID_SHARE = 0.17


@dataclass(frozen=True)
class Country:
    title: str  # the document's heading
    holder_labels: tuple
    branch_labels: tuple
    bic_labels: tuple
    titles: tuple
    people: tuple  # (first name, last name)
    companies: tuple
    branches: tuple  # (name, street, postcode and town)
    homes: tuple  # (street, postcode and town) of the holder


COUNTRIES = {
    "FR": Country(
        "RELEVÉ D'IDENTITÉ BANCAIRE",
        ("Titulaire du compte", "Titulaire", "Intitulé du compte", "Nom du titulaire"),
        ("Domiciliation", "Agence"), ("BIC", "Code BIC", "BIC (Bank Identifier Code)"),
        ("M.", "Mme", "Monsieur", "Madame", "Mlle"),
        (("Jean", "Dupont"), ("Claire", "Fontaine"), ("Marc-Antoine", "Lefebvre"), ("Nathalie", "Dubois-Martin"),
         ("Karim", "Benali")),
        ("SARL BOULANGERIE MARTIN", "ACME SOLUTIONS SAS", "Cabinet Moreau et Associés"),
        (("LYON BELLECOUR", "12 place Bellecour", "69002 LYON"), ("AGENCE PARIS OPÉRA", "29 bd Haussmann", "75009 PARIS"),
         ("NANTES CENTRE", "4 rue Crébillon", "44000 NANTES")),
        (("12 rue des Lilas", "75011 Paris"), ("Le Clos des Vignes", "33000 Bordeaux"),
         ("3 allée des Tilleuls", "44000 Nantes")),
    ),
    "DE": Country(
        "Kontoinformationen",
        ("Kontoinhaber", "Kontoinhaber/in", "Name des Kontoinhabers", "Inhaber"),
        ("Filiale", "Kreditinstitut"), ("BIC", "BIC (SWIFT)"),
        ("Herr", "Frau", "Herrn", "Frau Dr."),
        (("Lukas", "Becker"), ("Anna", "Schmidt"), ("Jürgen", "Weiß"), ("Eva-Maria", "Wolf")),
        ("Müller Logistik GmbH", "Bäckerei Schulz e.K.", "Wagner & Söhne KG"),
        (("Köln Hohe Straße", "Hohe Straße 12", "50667 Köln"), ("Filiale München Marienplatz", "Marienplatz 8", "80331 München"),
         ("Berlin Mitte", "Friedrichstraße 90", "10117 Berlin")),
        (("Gartenweg 3a", "50667 Köln"), ("Lindenallee 17", "10115 Berlin"), ("Am Anger 2", "80331 München")),
    ),
    "ES": Country(
        "Certificado de titularidad de cuenta",
        ("Titular de la cuenta", "Titular", "Titulares", "Nombre del titular"),
        ("Oficina", "Sucursal"), ("BIC", "Código BIC", "BIC/SWIFT"),
        ("Sr.", "Sra.", "D.", "Dña."),
        (("Javier", "García López"), ("Lucía", "Martín Ruiz"), ("Carmen", "Fernández Gil"), ("Pablo", "Navarro")),
        ("Construcciones Pérez S.L.", "Talleres Ibáñez S.A.", "Distribuciones Sol S.L."),
        (("Madrid Castellana", "Paseo de la Castellana 77", "28046 Madrid"),
         ("Oficina 0418 Gran Vía", "Calle Gran Vía 28", "28013 Madrid"), ("Valencia Centro", "Calle Colón 12", "46004 Valencia")),
        (("Calle Mayor 5, 2º B", "28013 Madrid"), ("Avenida del Puerto 40", "46021 Valencia"), ("Plaza Nueva 3", "41001 Sevilla")),
    ),
    "IT": Country(
        "Coordinate bancarie",
        ("Intestatario", "Intestatario del conto", "Intestato a", "Titolare del conto"),
        ("Filiale", "Agenzia"), ("BIC", "Codice BIC", "BIC/SWIFT"),
        ("Sig.", "Sig.ra", "Dott.", "Sig.na"),
        (("Marco", "Bianchi"), ("Giulia", "Rossi"), ("Alessandro", "Esposito"), ("Francesca", "Romano")),
        ("Rossi Impianti S.r.l.", "Trattoria da Gino S.n.c.", "Ferri Costruzioni S.p.A."),
        (("Milano Centro", "Via Dante 7", "20121 Milano"), ("Agenzia 12 Roma Prati", "Via Cola di Rienzo 60", "00192 Roma"),
         ("Torino Crocetta", "Corso Duca degli Abruzzi 3", "10129 Torino")),
        (("Via Roma 21", "20121 Milano"), ("Piazza Navona 5", "00186 Roma"), ("Corso Francia 110", "10143 Torino")),
    ),
    "NL": Country(
        "Rekeninggegevens",
        ("Tenaamstelling", "Rekeninghouder", "Houder", "Ten name van"),
        ("Kantoor", "Vestiging"), ("BIC", "BIC-code"),
        ("Dhr.", "Mevr.", "De heer", "Mevrouw"),
        (("Pieter", "Jansen"), ("Anna", "de Vries"), ("Sanne", "van den Berg"), ("Daan", "Bakker")),
        ("Bakkerij Jansen B.V.", "Groenteboer De Lange V.O.F.", "Van Dijk Installatietechniek B.V."),
        (("Amsterdam Zuid", "Gustav Mahlerlaan 10", "1082 PP Amsterdam"), ("Kantoor Utrecht Centrum", "Neude 11", "3512 AE Utrecht"),
         ("Rotterdam Blaak", "Blaak 555", "3011 GB Rotterdam")),
        (("Keizersgracht 112", "1015 CX Amsterdam"), ("Oudegracht 45", "3511 AB Utrecht"), ("Witte de Withstraat 8", "3012 BN Rotterdam")),
    ),
    "BE": Country(
        "Relevé d'identité bancaire / Rekeninggegevens",
        ("Titulaire / Houder", "Titulaire", "Houder", "Rekeninghouder / Titulaire du compte"),
        ("Agence / Kantoor", "Agence"), ("BIC", "Code BIC"),
        ("M.", "Mme", "Dhr.", "Mevr."),
        (("Luc", "Peeters"), ("Els", "Claes"), ("Sophie", "Dubois"), ("Wouter", "Maes")),
        ("Brasserie Dupuis SRL", "Peeters Bouw BV", "Atelier Lambert SPRL"),
        (("Bruxelles Louise", "Avenue Louise 54", "1050 Bruxelles"), ("Antwerpen Meir", "Meir 48", "2000 Antwerpen"),
         ("Agence Namur Centre", "Rue de Fer 20", "5000 Namur")),
        (("Rue Haute 8", "1000 Bruxelles"), ("Kerkstraat 14", "2000 Antwerpen"), ("Chaussée de Louvain 301", "5000 Namur")),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Shown:
    """An account as a document shows it: its IBAN possibly misprinted (one digit changed)."""

    account: object
    printed_iban: str

    def __getattr__(self, name):
        return getattr(self.account, name)


def misprinted(account):
    """The account with one digit of its IBAN's account number changed: the checksum fails."""
    printed = account.printed_iban
    index = max(i for i, char in enumerate(printed) if char.isdigit())
    return Shown(account, printed[:index] + str((int(printed[index]) + 3) % 10) + printed[index + 1 :])


@dataclass(frozen=True)
class Holder:
    title: str  # "" for a company
    name: str  # the truth: what a reader must return

    @property
    def printed(self):
        return f"{self.title} {self.name}".strip()


def _pick(rng, options, split):
    """One of ``options``: the held-out split also draws the last one, which tuning never shows."""
    return rng.choice(options if split == "held_out_3" else options[:-1])


def draw_case(rng, country, split):
    """(account, holder, labels, branch, home) for one document."""
    spec = COUNTRIES[country]
    account = random_account(rng, country)
    if rng.random() < 0.25:
        holder = Holder("", _pick(rng, spec.companies, split))
    else:
        first, last = _pick(rng, spec.people, split)
        holder = Holder(_pick(rng, spec.titles, split), f"{first} {last}")
    labels = {"holder": _pick(rng, spec.holder_labels, split), "branch": _pick(rng, spec.branch_labels, split),
              "bic": _pick(rng, spec.bic_labels, split)}  # fmt: skip
    return account, holder, labels, _pick(rng, spec.branches, split), _pick(rng, spec.homes, split)


def _upper(rng, text):
    return text.upper() if rng.random() < 0.5 else text


# -- pages -------------------------------------------------------------------------------------


def _rib_box(account, holder, labels, branch, home, rng):
    """French-style RIB: holder and their address right under it, the branch in the next column."""
    rows = [(account.iban.bank_name[:40], "title"), (COUNTRIES[account.country].title, "bold"), "",
            (labels["holder"], "bold"), beside(labels["branch"], style="bold"),
            _upper(rng, holder.printed), beside(branch[0].upper())]  # fmt: skip
    rows += [home[0].upper(), beside(branch[1]), home[1].upper(), beside(branch[2]), ""]
    if account.country == "FR":
        bban = account.iban.bban
        rows += [("Code banque   Code guichet   N° de compte   Clé", "small"),
                 (f"{bban[:5]}        {bban[5:10]}         {bban[10:21]}    {bban[21:]}", "small")]  # fmt: skip
    rows += [f"IBAN {account.printed_iban}"]
    rows += [f"{labels['bic']} {account.bic_printed}"] if account.bic_printed else []
    return lines(*rows)


def _inline(account, holder, labels, branch, home, rng):
    """A bank's letter: the branch's address in the header, "Label : value" lines."""
    colon = rng.choice((" : ", ": "))
    return lines(
        (account.iban.bank_name[:40], "title"),
        (f"{branch[0]} - {branch[1]} - {branch[2]}", "small"),
        "",
        (COUNTRIES[account.country].title, "bold"),
        f"{labels['holder']}{colon}{holder.printed}",
        f"{home[0]}, {home[1]}",
        f"{labels['branch']}{colon}{branch[0]}",
        f"IBAN{colon}{account.printed_iban}",
        *([f"{labels['bic']}{colon}{account.bic_printed}"] if account.bic_printed else []),
    )


def _spaced(account, holder, labels, branch, home, rng):
    """Labels and values separated by a few spaces only ("Houder   Dhr. P. Jansen")."""
    return lines(
        (account.iban.bank_name[:40], "title"),
        "",
        (COUNTRIES[account.country].title, "bold"),
        f"{labels['holder']}   {holder.printed}",
        f"IBAN   {account.printed_iban}",
        *([f"{labels['bic']}   {account.bic_printed}"] if account.bic_printed else []),
        f"{labels['branch']}   {branch[0]}",
        (f"{branch[1]}, {branch[2]}", "small"),
    )


def _table(account, holder, labels, branch, home, rng):
    """Labels in a left column, values in a right one; the holder's address under the name."""
    x = rng.choice((520, 600, 680))
    return lines(
        (account.iban.bank_name[:40], "title"),
        "",
        (COUNTRIES[account.country].title, "bold"),
        labels["holder"],
        beside(holder.printed, x=x),
        "",
        beside(home[0], x=x),
        "",
        beside(home[1], x=x),
        labels["branch"],
        beside(branch[0], x=x),
        "IBAN",
        beside(account.printed_iban, x=x),
        *([labels["bic"], beside(account.bic_printed, x=x)] if account.bic_printed else []),
    )


def _statement_head(account, holder, labels, branch, home, rng):
    """The top of an account statement: the branch block left, the holder in the window
    on the right, the account's identifiers under a heading."""
    return lines(
        (account.iban.bank_name[:40], "title"),
        (branch[0], "small"),
        (branch[1], "small"),
        (branch[2], "small"),
        "",
        Line(holder.printed, x=680),
        Line(home[0], x=680),
        Line(home[1], x=680),
        "",
        (COUNTRIES[account.country].title, "bold"),
        (labels["holder"], "small"),
        beside("IBAN", x=680, style="small"),
        holder.printed.upper(),
        beside(account.printed_iban, x=680),
        *([(labels["bic"], "small"), account.bic_printed] if account.bic_printed else []),
    )


PAGES = {"rib_box": _rib_box, "inline": _inline, "spaced": _spaced, "table": _table}
HELD_OUT_PAGES = {"statement_head": _statement_head}


# -- banking-app screens -----------------------------------------------------------------------

THEMES = {
    "light": {"background": (246, 246, 248), "card": (255, 255, 255), "label": (120, 120, 128), "value": (15, 15, 20)},
    "dark": {"background": (0, 0, 0), "card": (28, 28, 30), "label": (142, 142, 147), "value": (240, 240, 245)},
}


def app_screen(account, holder, labels, branch, rng, split, theme=None):
    """An account-details screen: labels over values (or beside them), light or dark, at a
    phone's resolution, sometimes with small fonts and a greeting naming someone else."""
    theme = THEMES[theme or rng.choice(list(THEMES))]
    width = rng.choice((1080, 828, 750))
    scale = width / 1080 * rng.uniform(0.75, 1.0)
    image = Image.new("RGB", (width, round(width * 16 / 9)), theme["background"])
    draw = ImageDraw.Draw(image)
    regular, bold = rng.choice(((SANS, SANS_BOLD), (CONDENSED, CONDENSED_BOLD)))

    def font(path, size):
        return ImageFont.truetype(path, max(12, round(size * scale)))

    draw.text((40, 30), "9:41", font=font(bold, 36), fill=theme["value"])
    draw.text((60, 130), account.iban.bank_name[:26], font=font(bold, 48), fill=theme["value"])
    rows = [(labels["holder"].split(" / ")[0], holder.printed), ("IBAN", account.printed_iban)]
    rows += [(labels["bic"], account.bic_printed)] if account.bic_printed else []
    rows += [(labels["branch"].split(" / ")[0], branch[0])]
    beside_value = split == "held_out_3" and rng.random() < 0.5
    y, step = round(300 * scale), round(190 * scale)
    for label, value in rows:
        draw.rounded_rectangle((24, y - 24, width - 24, y + step - 40), 20, fill=theme["card"])
        if beside_value:
            draw.text((56, y + 10), label, font=font(regular, 34), fill=theme["label"])
            value_font = font(bold, 34 if len(value) < 30 else 28)
            draw.text((width - 56, y + 10), value, font=value_font, fill=theme["value"], anchor="ra")
        else:
            draw.text((56, y), label, font=font(regular, 34), fill=theme["label"])
            draw.text((56, y + round(52 * scale)), value, font=font(bold, 42 if len(value) < 30 else 36),
                      fill=theme["value"])  # fmt: skip
        y += step
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -- the set ------------------------------------------------------------------------------------


def varied_bank_set(split, count=18):
    """``count`` documents of ``split`` ("tuning_3" or "held_out_3"), three per country in
    turn: a text PDF, a photo of a page (folded letter, PDF of it, or hurried phone photo)
    and an app screen."""
    rng = random.Random(VARIED_SEEDS[split])
    pages = {**PAGES, **(HELD_OUT_PAGES if split == "held_out_3" else {})}
    samples = []
    for index in range(count):
        country = list(COUNTRIES)[index // 3 % len(COUNTRIES)]
        account, holder, labels, branch, home = draw_case(rng, country, split)
        invalid = rng.random() < INVALID_SHARE
        if invalid:
            account = misprinted(account)
        kind = ("text_pdf", rng.choice(("photo", "pdf_of_photo", "hurried")), "app")[index % 3]
        seed = VARIED_SEEDS[split] + index
        if kind == "app":
            layout = "app"
            content, mime_type = app_screen(account, holder, labels, branch, rng, split), "image/png"
        else:
            layout = rng.choice(list(pages))
            page_lines = pages[layout](account, holder, labels, branch, home, rng)
            page = draw_page(page_lines)
            if kind == "hurried":
                content, mime_type = hurried_photo(page, seed)
            else:
                content, mime_type = capture(page, kind, seed, text_pdf(page_lines) if kind == "text_pdf" else None)
        truth = {"iban": account.iban.compact, "bic": account.bic_printed or None, "holder_name": holder.name,
                 "iban_invalid": invalid}  # fmt: skip
        samples.append(Sample(f"{split}-{index:02d}-{country}-{layout}-{kind}", content, mime_type, truth))
    return samples
