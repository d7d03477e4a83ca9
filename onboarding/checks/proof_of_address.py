"""Proof of address: who the document is for, where they live, and how recent it is.

The page is read as positioned lines (PDF text layer, else Tesseract in English,
French and German) and each value is taken where a reader would look for it:
the holder after a holder label ("Titulaire du contrat", "Rechnungsempfänger")
or as the titled addressee ("M. JEAN DUPONT", "Herrn" over the name), the
address in the block under that holder (street, complements, postcode and
town), the issue date after its label and never a billing period or a due date.
A person's name printed with neither label nor title is not guessed at: where
the addressee went unread, the sender's own block looks just the same. A company
named by its legal form ("SARL BOULANGERIE MARTIN") is taken untitled only as the
one such block on the pages, printed where a window letter shows its addressee:
under the sender's address, in the upper half of the page.
The issuer's own address in the header is never taken for the holder's. A
French 2D-Doc on the page is decoded too: its fields are signed by the issuer,
so they win over the printed text, and any disagreement between the two is
reported (``twoddoc_mismatch``, details in ``twoddoc_disagreements``).

The holder is reported as printed, letter for letter: a holder read by OCR is read
again until its spelling, accents included, is sure (see ``holder_reading``), and
a 2D-Doc, whose alphabet has no accents, confirms the printed name's letters
rather than replacing it with "HELENE" for "Hélène".

The check passes only when holder, address (street, postcode, town) and issue
date were all read; a missing one makes it inconclusive with a reason code
naming it (``holder_name_missing``, ``address_missing``, ``issue_date_missing``;
``holder_name_unsure`` when the readers spell the holder differently).
The holder is compared with the applicant's identity (or company name), the
address with the known address, and the issue date with ``max_age_months``.

``details["sources"]`` says where each field was read, for the reviewer:
``{"holder_name": {"source": "pdf" | "ocr" | "twoddoc", "label": "Titulaire du
contrat", "line": "M. JEAN DUPONT"}, ...}`` ("label" is the printed label, or
"2D-Doc"; "" when the value had none).
"""

import re
from datetime import date

from dateutil.relativedelta import relativedelta

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult, images, ocr_text, twoddoc
from onboarding.checks.document_analysis import keyword_score, unreadable
from onboarding.checks.holder_reading import read_holder
from onboarding.checks.labelled_lines import (
    CIVILITY,
    COMPLEMENT,
    STREET,
    Labelled,
    below,
    first_labelled,
    holder_value,
    is_label,
    label_rest,
    labelled,
    right_of,
    strip_civility,
)
from onboarding.checks.names import LEGAL_FORMS, compare_addresses, compare_names, normalize, parse_date, same_words
from onboarding.steps import DEFAULT_NAME_THRESHOLD

DEFAULT_MAX_AGE_MONTHS = 3
DEFAULT_ADDRESS_THRESHOLD = 0.8
# Fewer normalized characters than this: a blank or unreadable page.
MIN_TEXT_CHARS = 20

ISSUE_DATE_LABELS = (
    "date de facture", "date de la facture", "facture du", "date d emission", "emise le", "emis le",
    "date d etablissement", "date de mise en recouvrement", "date du releve", "releve du", "quittance du",
    "rechnungsdatum", "datum der rechnung", "rechnung vom", "ausstellungsdatum", "bescheid vom", "erstellt am",
    "bill date", "invoice date", "statement date", "date of issue", "issue date", "issued on", "date issued",
    "date of this bill", "datum:", "date:", "le:",
)  # fmt: skip
HOLDER_LABELS = (
    "titulaire du contrat", "titulaire du compte", "titulaire de l abonnement", "titulaire", "nom du client", "locataire",
    "nom et prenom", "destinataire", "beneficiaire", "client:", "rechnungsempfanger", "rechnungsempfaenger",
    "vertragspartner", "kundenname", "name des kunden", "kunde:", "kundin:", "account holder", "account name",
    "customer name", "customer:", "bill to", "billed to", "houder", "titular", "intestatario", "nom:", "name:",
    "naam:", "nombre:", "nome:",
)  # fmt: skip
ADDRESS_LABELS = (
    "adresse du point de livraison", "point de livraison", "adresse de fourniture", "adresse de consommation",
    "lieu de consommation", "adresse de facturation", "adresse du logement", "adresse:", "lieferanschrift",
    "lieferadresse", "verbrauchsstelle", "anschrift:", "supply address", "service address", "property address",
    "address:", "adres:", "direccion:", "indirizzo:",
)  # fmt: skip
# (document type of the step's vocabulary, service) -> weighted keywords.
DOCUMENT_KINDS = {
    ("utility_bill", "electricity"): {"electricite": 3, "facture d electricite": 4, "strom": 3, "stromrechnung": 6,
                                      "electricity": 4, "kwh": 1},
    ("utility_bill", "gas"): {"gaz": 3, "gaz naturel": 3, "gas": 2, "gasrechnung": 6},
    ("utility_bill", "water"): {"eau": 3, "facture d eau": 4, "wasser": 3, "water": 3, "sewerage": 2},
    ("phone_bill", "phone"): {"telephone": 2, "telephonie": 3, "mobile": 2, "mobilfunk": 4, "telefon": 3,
                              "phone": 2},
    ("phone_bill", "internet"): {"internet": 3, "fibre": 2, "dsl": 2, "broadband": 3, "glasfaser": 3},
    ("tax_notice", None): {"avis d impot": 6, "impot sur le revenu": 5, "taxe d habitation": 5, "taxe fonciere": 5,
                           "finances publiques": 3, "steuerbescheid": 6, "finanzamt": 4, "council tax": 6,
                           "hmrc": 4, "tax notice": 5},
    ("bank_statement", None): {"releve de compte": 6, "kontoauszug": 6, "bank statement": 6,
                               "statement of account": 5},
    ("rent_receipt", None): {"quittance de loyer": 7, "loyer": 3, "mietquittung": 7, "mietbescheinigung": 7,
                             "rent receipt": 7},
}  # fmt: skip
MIN_KIND_SCORE = 3
ISSUERS = {
    "EDF": ("edf", "electricite de france"), "Engie": ("engie",), "TotalEnergies": ("totalenergies",),
    "Veolia": ("veolia",), "Suez": ("suez",), "Orange": ("orange",), "SFR": ("sfr",),
    "Bouygues Telecom": ("bouygues telecom",), "Free": ("free mobile", "freebox"),
    "DGFiP": ("direction generale des finances publiques", "finances publiques"),
    "E.ON": ("e on",), "Vattenfall": ("vattenfall",), "EnBW": ("enbw",), "Deutsche Telekom": ("telekom",),
    "Vodafone": ("vodafone",), "Finanzamt": ("finanzamt",), "British Gas": ("british gas",),
    "Thames Water": ("thames water",), "BT": ("bt group", "british telecommunications"),
    "Octopus Energy": ("octopus energy",), "HMRC": ("hmrc",),
}  # fmt: skip
LANGUAGE_MARKERS = {
    "FR": {"facture", "du", "de", "le", "la", "rue", "avenue", "date", "montant", "impot"},
    "DE": {"rechnung", "der", "die", "und", "strasse", "str", "datum", "betrag", "kunde", "herrn", "frau"},
    "GB": {"the", "and", "bill", "street", "road", "date", "account", "amount"},
}

_POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,2}-)?(\d{4} ?[A-Z]{2}(?=\s)|\d{5}|\d{4})[\s.,–—-]+([^\d,:;]{2,}?(?:\s+cedex(?:\s+\d{1,2})?)?)$",
    re.IGNORECASE,
)
# An address block is a name, at most a few street and complement lines, then the postcode line.
MAX_ADDRESS_LINES = 5
# The inward code's first character is always a digit: OCR's I, l or O there can only be 1 or 0.
_UK_POSTCODE_LINE = re.compile(r"^(?:(.*?[A-Za-z])[ ,]+)?([A-Z]{1,2}\d[A-Z\d]?)[ -]?([\dIlO])([A-Z]{2})$")
_INWARD_DIGIT = str.maketrans({"I": "1", "l": "1", "O": "0"})
_INLINE_ADDRESS = re.compile(r"^(.*\d.*?),\s*(\d{4} ?[A-Z]{2}(?=\s)|\d{5}|\d{4})\s+([^\d,]{2,})$")
# Labels of the dates a bill prints beside its issue date: never the issue date.
NOT_ISSUE_DATE_LABELS = (
    "periode", "periode de consommation", "periode de facturation", "du", "date limite", "date d echeance",
    "echeance", "a payer avant", "a payer le", "payable avant", "date de prelevement", "prelevement le",
    "prochaine facture", "abrechnungszeitraum", "leistungszeitraum", "zeitraum", "fallig am", "faellig am",
    "zahlbar bis", "abbuchung am", "billing period", "period", "due date", "payment due", "pay by", "next bill",
    "date of birth", "geburtsdatum", "date de naissance",
)  # fmt: skip
# "Paris, le 12 mars 2026", "Berlin, den 12.03.2026": the date a letter was written.
_PLACE_AND_DATE = re.compile(r"(?:^|,)\s*(?:le|den|am|on)\s+(.*\d{4})\s*$", re.IGNORECASE)


# --- printed text --------------------------------------------------------------


def _language_country(text):
    words = set(normalize(text).split())
    scores = {country: len(words & markers) for country, markers in LANGUAGE_MARKERS.items()}
    return max(scores, key=scores.get)


def _address_line(text, block, country):
    """The address when ``text`` ends it (a postcode line, or a whole address on one
    line) given the lines of the block above it, else None."""
    if match := _INLINE_ADDRESS.match(text):
        return _address_from(block, match.group(1).strip(), match.group(2), match.group(3).strip(), country)
    if match := _UK_POSTCODE_LINE.match(text):
        city = match.group(1) or (block.pop() if block else None)
        postcode = f"{match.group(2)} {match.group(3).translate(_INWARD_DIGIT)}{match.group(4)}"
        return _address_from(block, None, postcode, city, "GB")
    if match := _POSTCODE_CITY.match(text):
        return _address_from(block, None, match.group(1), match.group(2).strip(), country)
    return None


def address_under(lines, line, country, stop_labels=(), head=""):
    """The postal address printed under ``line`` in its column (``head``: its start,
    printed on that line after a label): street, complements (flat, building), then
    postcode and town (UK order: town, then postcode), or "12 rue des Lilas, 75011
    Paris" on one line. None when no postcode line follows within a few lines."""
    block = [head.strip()] if head.strip() else []
    if head and (found := _address_line(head.strip(), [], country)):
        return found
    current = line
    for _ in range(MAX_ADDRESS_LINES):
        current = below(lines, current)
        if current is None or is_label(current, stop_labels):
            return None
        if any(label_rest(current, label) == "" for label in ADDRESS_LABELS):
            continue  # "Adresse du logement" over the street heads the address, it is no part of it
        # OCR leaves stray dashes and dots at the end of a line a crease or a shadow crossed.
        text = current.text.strip().rstrip(" .,_–—-")
        if found := _address_line(text, block, country):
            return found
        block.append(text)
    return None


# Tesseract reads the German "ß" as a capital "B" ("LindenstraBe"): inside a lowercase word,
# where German never writes a capital, it is one.
_SHARP_S_READ_AS_B = re.compile(r"(?<=[a-zäöü])B(?=[a-zäöü])")


def _address_from(texts, street, zip_code, city, country):
    """The address dict from the lines between the name and the postcode."""
    if country in ("DE", "AT", "CH"):
        texts = [_SHARP_S_READ_AS_B.sub("ß", text) for text in texts]
        street, city = (_SHARP_S_READ_AS_B.sub("ß", text) if text else text for text in (street, city))
    if street is None:
        plain = [text for text in texts if not COMPLEMENT.match(normalize(text))]
        streets = [text for text in plain if STREET.search(normalize(text))]
        numbered = [text for text in plain if re.search(r"\d", text)]
        candidates = streets or numbered or plain
        street = candidates[-1] if candidates else None
    if not street or not city:
        return None
    others = [text for text in texts if text != street]
    return {"line_1": street, "line_2": ", ".join(others) or None, "zip_code": zip_code, "city": city,
            "country": country}  # fmt: skip


def holder_candidates(lines):
    """Holders printed after a holder label, then addressees printed with a title
    ("M. JEAN DUPONT", "Herrn" over "Max Mustermann"), in that order."""
    found = [
        Labelled(strip_civility(item.value), item.label, item.line)
        for item in labelled(lines, HOLDER_LABELS, holder_value, decisive=True)
    ]
    for line in lines:
        match = CIVILITY.match(line.text.strip())
        if not match:
            continue
        if match.end() < len(line.text.strip()):
            if holder_value(line.text):
                found.append(Labelled(strip_civility(line.text), "", line))
        elif (name_line := below(lines, line)) and holder_value(name_line.text):
            found.append(Labelled(strip_civility(name_line.text), "", name_line))
    unique = {}
    for item in found:
        unique.setdefault((item.value, item.line), item)
    return list(unique.values())


def document_kind(text):
    """(document type, service) from keywords; ("other", None) when nothing fits."""
    searchable = normalize(text)
    scores = {kind: keyword_score(searchable, keywords) for kind, keywords in DOCUMENT_KINDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] >= MIN_KIND_SCORE else ("other", None)


def issuer(text, lines):
    padded = f" {normalize(text)} "
    for name, keywords in ISSUERS.items():
        if any(f" {keyword} " in padded for keyword in keywords):
            return name
    return lines[0].text if lines else None


def issue_date(lines):
    """The issue date after its label (never a billing period or a due date), else
    the date a letter gives beside its place ("Paris, le 12 mars 2026")."""
    eligible = [line for line in lines if not is_label(line, NOT_ISSUE_DATE_LABELS)]
    found = first_labelled(eligible, ISSUE_DATE_LABELS, lambda value: parse_date(value) is not None)
    if found:
        return parse_date(found.value), found
    for line in eligible:
        match = _PLACE_AND_DATE.search(line.text)
        if match and (value := parse_date(match.group(1))):
            return value, Labelled(match.group(1), "", line)
    return None, None


# --- 2D-Doc --------------------------------------------------------------------


def _qualified_name(value):
    """'MME/MARTIN/MARIE' or 'M JEAN DUPONT' without the title."""
    return strip_civility(" ".join((value or "").replace("/", " ").split())) or None


def twoddoc_holder_and_address(doc):
    """(holder name, address dict) from a 2D-Doc's fields, where present."""
    fields = doc.fields
    if doc.document_type == "04":
        name = fields.get("declarant_full_name") or fields.get("declarant_1")
        address = ("declarant_address_line_4", "declarant_zip_code", "declarant_city", None)
    elif fields.get("service_zip_code") or fields.get("beneficiary_address_line_1"):
        name = fields.get("beneficiary_address_line_1") or " ".join(
            filter(None, (fields.get("beneficiary_first_name"), fields.get("beneficiary_last_name")))
        )
        address = ("service_address_line_4", "service_zip_code", "service_city", "service_country")
    else:
        name = fields.get("recipient_address_line_1") or " ".join(
            filter(None, (fields.get("recipient_first_name"), fields.get("recipient_last_name")))
        )
        address = ("recipient_address_line_4", "recipient_zip_code", "recipient_city", "recipient_country")
    line_1, zip_code, city, country = (fields.get(key) if key else None for key in address)
    parsed = {"line_1": line_1, "zip_code": zip_code, "city": city, "country": country or doc.country}
    return _qualified_name(name), parsed if (line_1 or zip_code) else None


def read_twoddoc(pages, certificates):
    """(2D-Doc or None, its dict for the result, error or None) from the first code on the pages."""
    texts = twoddoc.decode_pages(pages)
    if not texts:
        return None, None, None
    try:
        doc = twoddoc.parse(texts[0])
    except twoddoc.InvalidTwoDDoc as exc:
        return None, None, str(exc)
    verified = twoddoc.verify_signature(doc, certificates)
    error = None
    if certificates and not verified:
        error = f"signature not verified with certificate {doc.certificate_key}"
    return doc, doc.to_dict(signature_verified=verified), error


def _postal_line(text):
    return bool(_POSTCODE_CITY.match(text) or _UK_POSTCODE_LINE.match(text) or _INLINE_ADDRESS.match(text))


def _names_company(text):
    words = normalize(text).split()
    return len(words) > 1 and (words[0] in LEGAL_FORMS or words[-1] in LEGAL_FORMS) and holder_value(text)


def company_addressee(lines, country):
    """(Labelled, address) for the one block on the pages naming a company by its legal
    form with its postal address under it, when it is printed below another postal
    address (the sender's block, which a window letter prints first) and in the upper
    half of its page's text (a footer naming the sender is at the bottom). Two such
    blocks, or one elsewhere, leave the addressee a guess: (None, None)."""
    blocks = [
        (line, address)
        for line in lines
        if _names_company(line.text) and (address := address_under(lines, line, country, HOLDER_LABELS))
    ]
    if len(blocks) != 1:
        return None, None
    line, address = blocks[0]
    page = [other for other in lines if other.page == line.page]
    middle = (min(other.box[1] for other in page) + max(other.box[3] for other in page)) / 2
    sender_above = any(other.box[3] <= line.box[1] and _postal_line(other.text.strip()) for other in page)
    if not sender_above or line.box[1] > middle:
        return None, None
    return Labelled(line.text.strip(), "", line), address


def labelled_address(lines, country):
    """(address, Labelled) for an address printed under or after its own label
    ("Point de livraison : 12 rue des Lilas", "Lieferanschrift" over the street)."""
    for label in ADDRESS_LABELS:
        for line in lines:
            rest = label_rest(line, label)
            if rest is None:
                continue
            anchor, head = line, rest
            if not rest and (cell := right_of(lines, line)):
                anchor, head = cell, cell.text
            if address := address_under(lines, anchor, country, HOLDER_LABELS, head):
                return address, Labelled(address["line_1"], line.text[: len(line.text) - len(rest)].strip(" :"), anchor)
    return None, None


# --- the check -----------------------------------------------------------------


def _known_name(known):
    identity = known.get("identity") or {}
    full_name = " ".join(filter(None, (identity.get("first_name"), identity.get("last_name"))))
    if full_name:
        return full_name, "person"
    company_name = (known.get("company") or {}).get("company_name")
    return (company_name, "company") if company_name else (None, None)


def read_printed(lines, country):
    """{field: (value, Labelled or None)} for holder, address and issue date read from
    the printed lines. The holder is the first one printed after a holder label, else
    after a title, preferring one with its postal address under it; the address is
    the one under the holder (or under an address label), never elsewhere on the page:
    the issuer's own address in the header is not the applicant's. With neither label
    nor title, a company addressee under the sender's block is the holder."""
    candidates = holder_candidates(lines)
    with_address = [(item, address_under(lines, item.line, country, HOLDER_LABELS)) for item in candidates]
    holder, address = next(((item, block) for item, block in with_address if block),
                           (candidates[0] if candidates else None, None))  # fmt: skip
    if not candidates:
        holder, address = company_addressee(lines, country)
    address_source = holder
    if address is None:
        address, address_source = labelled_address(lines, country)
    issued, issued_source = issue_date(lines)
    return {
        "holder_name": (holder.value if holder else None, holder),
        "address": (address, address_source if address else None),
        "issue_date": (issued, issued_source),
    }


def read_barcode(doc):
    """{field: (value, source)} from a 2D-Doc, for the fields it carries."""
    name, address = twoddoc_holder_and_address(doc)
    readings = {}
    if name:
        readings["holder_name"] = name
    if address:
        readings["address"] = {"line_2": None, **address}
    if doc.issue_date:
        readings["issue_date"] = doc.issue_date
    return readings


def barcode_disagreements(printed, barcode):
    """{field: {"twoddoc", "printed", "score"}} where the printed value and the signed
    one differ: on a valid code, a document edited after printing (or a misread line)."""
    compare = {
        "holder_name": lambda a, b: compare_names(a, b),
        "address": lambda a, b: compare_addresses(a, b),
        "issue_date": lambda a, b: float(a == b),
    }
    limits = {"holder_name": DEFAULT_NAME_THRESHOLD, "address": DEFAULT_ADDRESS_THRESHOLD, "issue_date": 1.0}
    scores, disagreements = {}, {}
    for field, signed in barcode.items():
        if printed.get(field) is None:
            continue
        scores[field] = score = compare[field](printed[field], signed)
        if score < limits[field]:
            disagreements[field] = {"twoddoc": _plain(signed), "printed": _plain(printed[field]), "score": score}
    return scores, disagreements


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _public_address(address):
    return {key: address.get(key) for key in ("line_1", "line_2", "zip_code", "city", "country")} if address else None


# Reason codes that say a field could not be read: the document goes to a reviewer.
MISSING_CODES = (
    "holder_name_missing",
    "holder_name_unsure",
    "address_missing",
    "issue_date_missing",
    "twoddoc_mismatch",
)


def _reasons(values, scores, limits, accepted_types, document_type, holder_unsure=False):
    reasons = []
    if accepted_types and document_type not in accepted_types:
        reasons.append("document_type_not_accepted")
    if values["issue_date"] is None:
        reasons.append("issue_date_missing")
    elif values["issue_date"] < date.today() - relativedelta(months=limits["max_age_months"]):
        reasons.append("document_too_old")
    if not values["holder_name"]:
        reasons.append("holder_name_missing")
    elif holder_unsure:
        # A name that disagrees may be the misreading: a reviewer looks, it does not fail.
        reasons.append("holder_name_unsure")
    elif scores["holder_name"] is not None and scores["holder_name"] < limits["name_threshold"]:
        reasons.append("name_mismatch")
    if not values["address"]:
        reasons.append("address_missing")
    elif scores["address"] is not None and scores["address"] < limits["address_threshold"]:
        reasons.append("address_mismatch")
    return reasons


def _unsure(reading, scores, limits):
    """True when the holder's spelling is not sure: two readers spelt it differently (at an
    accent, say), or Tesseract alone read it, unsure of a word, and the applicant's name does
    not confirm it."""
    if not reading.agreed:
        return True
    return reading.unsure and (scores["holder_name"] is None or scores["holder_name"] < limits["name_threshold"])


def _outcome(reasons):
    if any(code not in MISSING_CODES for code in reasons):
        return FAILED
    return INCONCLUSIVE if reasons else PASSED


def run(documents, known, config):
    try:
        loaded = [images.load_pages(document.content, document.mime_type) for document in documents]
        lines = ocr_text.document_lines(documents, pages=loaded)
        pages = [page for document_pages in loaded for page in document_pages]
    except images.UnreadableDocument as exc:
        return unreadable(str(exc))
    text = ocr_text.lines_text(lines)
    doc, twoddoc_fields, twoddoc_error = read_twoddoc(pages, config.get("twoddoc_certificates") or {})
    if len(normalize(text)) < MIN_TEXT_CHARS and doc is None:
        return unreadable("no text")

    country = _language_country(text)
    printed = read_printed(lines, country)
    values = {field: value for field, (value, _) in printed.items()}
    sources = {field: item.source() for field, (value, item) in printed.items() if value is not None and item}
    expected_name, name_kind = _known_name(known)
    barcode = read_barcode(doc) if doc is not None else {}
    signed_holder = barcode.get("holder_name")
    reading = confirmed = None
    if values["holder_name"]:
        reading = read_holder(printed["holder_name"][1], country)
        sources["holder_name"].update(reading.notes)
        if not reading.agreed:
            # Two readers read two names: the applicant's, being exactly one of them, says
            # which; so do the 2D-Doc's signed letters when only one reading has them.
            confirmed = expected_name and reading.confirmed_by([(expected_name, name_kind)])
            if not confirmed and signed_holder:
                signed = [text for text in reading.readings() if same_words(text, signed_holder)]
                confirmed = signed[0] if len(signed) == 1 else None
        values["holder_name"] = confirmed or reading.value
    details = {}
    if doc is not None:
        # The barcode is signed by the issuer: what it carries wins over the printed text.
        details["twoddoc_agrees_with_text"], disagreements = barcode_disagreements(values, barcode)
        if disagreements:
            details["twoddoc_disagreements"] = disagreements
        if signed_holder and values["holder_name"] and same_words(values["holder_name"], signed_holder):
            # A 2D-Doc writes names in capitals without accents ("HELENE" for "Hélène"): its
            # signed letters confirm the printed name, which keeps the accents printed.
            del barcode["holder_name"]
            sources["holder_name"]["twoddoc"] = signed_holder
        values.update(barcode)
        for field, value in barcode.items():
            sources[field] = {"source": "twoddoc", "label": "2D-Doc", "line": str(_plain(value))}

    address = known.get("address") or {}
    # A country alone says nothing about where the applicant lives.
    expected_address = address if any(address.get(key) for key in ("line_1", "zip_code", "city")) else None
    scores = {
        "holder_name": compare_names(values["holder_name"], expected_name, kind=name_kind)
        if expected_name and values["holder_name"] else None,
        "address": compare_addresses(expected_address, values["address"])
        if expected_address and values["address"] else None,
    }  # fmt: skip
    document_type, service = document_kind(text)
    issued = values["issue_date"]
    fields = {
        "holder_name": values["holder_name"],
        "address": _public_address(values["address"]),
        "issue_date": issued.isoformat() if issued else None,
        "document_type": document_type,
        "service": service,
        "issuer": issuer(text, lines),
        "twoddoc": twoddoc_fields,
    }
    limits = {
        "name_threshold": config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD),
        "address_threshold": config.get("address_match_threshold", DEFAULT_ADDRESS_THRESHOLD),
        "max_age_months": int(config.get("max_age_months") or DEFAULT_MAX_AGE_MONTHS),
    }
    details.update({
        "sources": sources,
        "limits": limits,
        "name": {"expected": expected_name, "score": scores["holder_name"]},
        "address": {"expected": expected_address, "score": scores["address"]},
    })  # fmt: skip
    # A holder the barcode did not replace is only as sure as its reading.
    unsure = reading is not None and not confirmed and values["holder_name"] == reading.value
    unsure = unsure and _unsure(reading, scores, limits)
    reasons = _reasons(values, scores, limits, config.get("document_types"), document_type, unsure)
    if twoddoc_error:
        reasons.insert(0, "twoddoc_invalid")
        details["twoddoc_error"] = twoddoc_error
    if details.get("twoddoc_disagreements"):
        reasons.append("twoddoc_mismatch")
    return CheckResult(_outcome(reasons), fields, reasons, details)
