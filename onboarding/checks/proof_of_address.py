"""Proof of address: who the document is for, where they live, and how recent it is.

The printed text (PDF text layer or Tesseract in English, French and German) is
read for the address block (name, street, postcode and city), the issue date
and the kind of document. A French 2D-Doc on the page is decoded too: its
fields are signed by the issuer, so they win over the OCR. The holder is
compared with the applicant's identity (or company name), the address with the
known address, and the issue date with ``max_age_months``.
"""

import re
from datetime import date

from dateutil.relativedelta import relativedelta

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult, images, ocr_text, twoddoc
from onboarding.checks.document_analysis import keyword_score, labelled_date, labelled_values, text_lines, unreadable
from onboarding.checks.names import compare_addresses, compare_names, normalize

DEFAULT_MAX_AGE_MONTHS = 3
DEFAULT_NAME_THRESHOLD = 0.85
DEFAULT_ADDRESS_THRESHOLD = 0.8
# Fewer normalized characters than this: a blank or unreadable page.
MIN_TEXT_CHARS = 20

ISSUE_DATE_LABELS = (
    "date de facture", "date de la facture", "facture du", "date d emission", "emise le", "emis le",
    "date d etablissement", "date de mise en recouvrement", "date du releve", "releve du", "quittance du",
    "rechnungsdatum", "datum der rechnung", "rechnung vom", "ausstellungsdatum", "bescheid vom", "erstellt am",
    "bill date", "invoice date", "statement date", "date of issue", "issue date", "issued on", "date issued",
    "datum", "date",
)  # fmt: skip
HOLDER_LABELS = (
    "titulaire du contrat", "titulaire", "nom du client", "beneficiaire", "rechnungsempfanger", "kunde", "kundin",
    "vertragspartner", "account holder", "account name", "customer name", "customer",
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

_CIVILITY = re.compile(
    r"^(?:m|mr|mrs|ms|miss|mme|mlle|monsieur|madame|mademoiselle|herr|herrn|frau|dr)\b\.?\s*", re.IGNORECASE
)
_ZIP_CITY = re.compile(r"^(?:[A-Z]{1,2}-)?(\d{5}|\d{4})\s+([^\d,:]{2,})$")
_UK_POSTCODE_LINE = re.compile(r"^(?:(.*?[A-Za-z])[ ,]+)?([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")
_INLINE_ADDRESS = re.compile(r"^(.*\d.*?),\s*(\d{5}|\d{4})\s+([^\d,]{2,})$")


# --- printed text --------------------------------------------------------------


def _looks_like_name(line):
    words = line.split()
    return 1 < len(words) <= 6 and not re.search(r"[\d:@/]", line)


def _strip_civility(line):
    return _CIVILITY.sub("", line).strip()


def _language_country(text):
    words = set(normalize(text).split())
    scores = {country: len(words & markers) for country, markers in LANGUAGE_MARKERS.items()}
    return max(scores, key=scores.get)


def address_blocks(lines, country):
    """Every postal address printed on the page as {name, line_1, zip_code, city, country};
    name is the line above the street when it reads like one, else None."""
    blocks = []
    for index, line in enumerate(lines):
        uk = _UK_POSTCODE_LINE.match(line)
        zip_city = _ZIP_CITY.match(line)
        inline = _INLINE_ADDRESS.match(line.rpartition(" : ")[2] if " : " in line else line)
        if uk and index >= 2:
            # UK order: name, street, town, postcode (the town may share the postcode's line).
            city, street_at = (uk.group(1), index - 1) if uk.group(1) else (lines[index - 1], index - 2)
            block = {"line_1": lines[street_at], "zip_code": uk.group(2).upper(), "city": city, "country": "GB"}
            name_at = street_at - 1
        elif zip_city and index >= 1:
            block = {"line_1": lines[index - 1], "zip_code": zip_city.group(1), "city": zip_city.group(2).strip(),
                     "country": country}  # fmt: skip
            name_at = index - 2
        elif inline:
            block = {"line_1": inline.group(1).strip(), "zip_code": inline.group(2), "city": inline.group(3).strip(),
                     "country": country}  # fmt: skip
            name_at = -1
        else:
            continue
        name_line = lines[name_at] if name_at >= 0 else ""
        block["name"] = _strip_civility(name_line) if _looks_like_name(name_line) else None
        block["has_civility"] = bool(name_line and _CIVILITY.match(name_line) and _looks_like_name(name_line))
        blocks.append(block)
    return blocks


def name_candidates(lines, blocks):
    """Names printed as the addressee, after a holder label, or after a civility."""
    names = [block["name"] for block in blocks if block["name"]]
    labelled = (_strip_civility(value) for label in HOLDER_LABELS for value in labelled_values(lines, label))
    names += [name for name in labelled if _looks_like_name(name)]
    names += [_strip_civility(line) for line in lines if _CIVILITY.match(line) and _looks_like_name(line)]
    return list(dict.fromkeys(names))


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
    return lines[0] if lines else None


def issue_date(lines):
    return labelled_date(lines, ISSUE_DATE_LABELS)


# --- 2D-Doc --------------------------------------------------------------------


def _qualified_name(value):
    """'MME/MARTIN/MARIE' or 'M JEAN DUPONT' without the title."""
    return _strip_civility(" ".join((value or "").replace("/", " ").split())) or None


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


# --- the check -----------------------------------------------------------------


def _known_name(known):
    identity = known.get("identity") or {}
    full_name = " ".join(filter(None, (identity.get("first_name"), identity.get("last_name"))))
    if full_name:
        return full_name, "person"
    company_name = (known.get("company") or {}).get("company_name")
    return (company_name, "company") if company_name else (None, None)


def _best(candidates, score):
    scored = [(score(candidate), candidate) for candidate in candidates]
    return max(scored, key=lambda item: item[0]) if scored else (0.0, None)


def _public_address(block):
    return {key: block.get(key) for key in ("line_1", "zip_code", "city", "country")} if block else None


def read_printed(text, expected_name, name_kind, expected_address):
    """Holder, address and issue date from the printed text, with their scores against
    the applicant; among several names or addresses, the ones closest to the applicant's."""
    lines = text_lines(text)
    blocks = address_blocks(lines, _language_country(text))
    name_score, holder = _best(
        name_candidates(lines, blocks), lambda name: compare_names(name, expected_name or "", kind=name_kind)
    )
    if expected_address:
        address_score, block = _best(blocks, lambda candidate: compare_addresses(expected_address, candidate))
    else:
        # Without a known address, the addressee's block: the one under a person's name.
        block = next((b for b in blocks if b["has_civility"]), next((b for b in blocks if b["name"]), None))
        address_score = None
    if not expected_name:
        holder = (block or {}).get("name") or holder
    return {
        "holder_name": (holder, name_score),
        "address": (_public_address(block), address_score),
        "issue_date": (issue_date(lines), None),
    }


def read_barcode(doc, expected_name, name_kind, expected_address):
    """The same readings from a 2D-Doc, for what it carries."""
    name, address = twoddoc_holder_and_address(doc)
    readings = {}
    if name:
        readings["holder_name"] = (name, compare_names(name, expected_name, kind=name_kind) if expected_name else 0.0)
    if address:
        readings["address"] = (address, compare_addresses(expected_address, address) if expected_address else None)
    if doc.issue_date:
        readings["issue_date"] = (doc.issue_date, None)
    return readings


def printed_vs_barcode(printed, barcode):
    """How far the printed holder and address agree with the 2D-Doc's (0..1 each):
    a low score on a valid code points at a document edited after printing."""
    agreement = {}
    printed_name, barcode_name = printed["holder_name"][0], barcode.get("holder_name", (None,))[0]
    if printed_name and barcode_name:
        agreement["holder_name"] = compare_names(printed_name, barcode_name)
    printed_address, barcode_address = printed["address"][0], barcode.get("address", (None,))[0]
    if printed_address and barcode_address:
        agreement["address"] = compare_addresses(printed_address, barcode_address)
    return agreement


def _reasons(readings, expected_name, expected_address, limits, accepted_types, document_type):
    reasons = []
    if accepted_types and document_type not in accepted_types:
        reasons.append("document_type_not_accepted")
    issued = readings["issue_date"][0]
    if issued is None:
        reasons.append("issue_date_missing")
    elif issued < date.today() - relativedelta(months=limits["max_age_months"]):
        reasons.append("document_too_old")
    if expected_name and readings["holder_name"][1] < limits["name_threshold"]:
        reasons.append("name_mismatch")
    if expected_address and (readings["address"][1] or 0.0) < limits["address_threshold"]:
        reasons.append("address_mismatch")
    return reasons


def run(documents, known, config):
    try:
        text = ocr_text.document_text(documents)
        pages = [page for document in documents for page in images.load_pages(document.content, document.mime_type)]
    except images.UnreadableDocument as exc:
        return unreadable(str(exc))
    doc, twoddoc_fields, twoddoc_error = read_twoddoc(pages, config.get("twoddoc_certificates") or {})
    if len(normalize(text)) < MIN_TEXT_CHARS and doc is None:
        return unreadable("no text")

    expected_name, name_kind = _known_name(known)
    address = known.get("address") or {}
    # A country alone says nothing about where the applicant lives.
    expected_address = address if any(address.get(key) for key in ("line_1", "zip_code", "city")) else None
    readings = read_printed(text, expected_name, name_kind, expected_address)
    sources = dict.fromkeys(readings, "text")
    agreement = None
    if doc is not None:
        # The barcode is signed by the issuer: what it carries wins over the OCR.
        barcode = read_barcode(doc, expected_name, name_kind, expected_address)
        agreement = printed_vs_barcode(readings, barcode)
        readings.update(barcode)
        sources.update(dict.fromkeys(barcode, "twoddoc"))

    document_type, service = document_kind(text)
    issued = readings["issue_date"][0]
    fields = {
        "holder_name": readings["holder_name"][0],
        "address": readings["address"][0],
        "issue_date": issued.isoformat() if issued else None,
        "document_type": document_type,
        "service": service,
        "issuer": issuer(text, text_lines(text)),
        "twoddoc": twoddoc_fields,
    }
    limits = {
        "name_threshold": config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD),
        "address_threshold": config.get("address_match_threshold", DEFAULT_ADDRESS_THRESHOLD),
        "max_age_months": int(config.get("max_age_months") or DEFAULT_MAX_AGE_MONTHS),
    }
    details = {
        "sources": sources,
        "limits": limits,
        "name": {"expected": expected_name, "score": readings["holder_name"][1] if expected_name else None},
        "address": {"expected": expected_address, "score": readings["address"][1]},
        "twoddoc_agrees_with_text": agreement,
    }
    reasons = _reasons(readings, expected_name, expected_address, limits, config.get("document_types"), document_type)
    if twoddoc_error:
        reasons.insert(0, "twoddoc_invalid")
        details["twoddoc_error"] = twoddoc_error
    if not reasons:
        result = PASSED
    elif reasons == ["issue_date_missing"]:
        result = INCONCLUSIVE
    else:
        result = FAILED
    return CheckResult(result, fields, reasons, details)
