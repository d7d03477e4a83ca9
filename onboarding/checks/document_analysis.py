"""Document analysis: which kind of document was uploaded, and its key fields.

The text (PDF text layer or Tesseract, English/French/German) is scored against
weighted keywords of each SPEC type; the winner's fields are then read from
labelled lines ("Dénomination : ...", "B. Date de première immatriculation"),
from the numbered fields of EU driving licences, and from number patterns that
carry their own check (SIREN/SIRET Luhn, French social security number key).
"""

import re

from rapidfuzz import fuzz
from stdnum.fr import nir, siren, siret

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult, ocr_text
from onboarding.checks.images import UnreadableDocument
from onboarding.checks.names import normalize, parse_date

# A document whose best type scores less than this is not recognised at all.
MIN_SCORE = 3.0
# Score at which the keywords alone make the type certain (confidence 1.0 without rivals).
CONFIDENT_SCORE = 8.0
# Long keywords still count when OCR garbled a letter or two.
FUZZY_MIN_LENGTH, FUZZY_CUTOFF = 12, 90

KEYWORDS = {
    "company_certificate": {
        "extrait kbis": 6, "kbis": 3, "registre du commerce et des societes": 4, "greffe du tribunal de commerce": 3,
        "rcs": 1, "handelsregisterauszug": 6, "handelsregister": 4, "amtsgericht": 2,
        "certificate of incorporation": 6, "companies house": 3, "registrar of companies": 3,
        "certificate of good standing": 5,
    },
    "business_registration_certificate": {
        "repertoire des metiers": 5, "chambre de metiers": 3, "extrait d1": 5,
        "avis de situation au repertoire sirene": 6, "repertoire sirene": 3, "insee": 2,
        "gewerbeanmeldung": 6, "gewerbeschein": 5, "gewerbeamt": 3, "business registration certificate": 6,
        "business registration": 3,
    },
    "rne_certificate": {
        "registre national des entreprises": 6, "rne": 2, "inpi": 3,
        "institut national de la propriete industrielle": 3, "attestation d immatriculation": 2,
    },
    "vehicle_registration_document": {
        "certificat d immatriculation": 5, "carte grise": 4, "zulassungsbescheinigung": 6, "fahrzeugschein": 5,
        "vehicle registration certificate": 6, "v5c": 3, "date de premiere immatriculation": 2,
        "datum der erstzulassung": 2, "date of first registration": 2,
    },
    "temporary_vehicle_registration_document": {
        "certificat provisoire d immatriculation": 9, "provisoire": 3, "w garage": 3, "cpi": 1,
        "kurzzeitkennzeichen": 6, "vorlaufige zulassung": 6, "temporary registration": 6, "temporary": 2,
    },
    "driver_licence": {
        "permis de conduire": 7, "fuhrerschein": 7, "driving licence": 7, "driver s license": 7, "driver license": 7,
        "permis": 2,
    },
    "social_security": {
        "carte vitale": 7, "assurance maladie": 4, "securite sociale": 4, "attestation de droits": 3,
        "sozialversicherungsausweis": 7, "sozialversicherungsnummer": 4, "rentenversicherung": 3,
        "national insurance": 6,
    },
}  # fmt: skip
DOCUMENT_TYPES = list(KEYWORDS)

KEY_FIELDS = {
    "company_certificate": ("registration_number", "company_name"),
    "business_registration_certificate": ("registration_number",),
    "rne_certificate": ("registration_number", "company_name"),
    "vehicle_registration_document": ("plate_number", "vin"),
    "temporary_vehicle_registration_document": ("plate_number", "vin"),
    "driver_licence": ("last_name", "licence_number"),
    "social_security": ("social_security_number",),
}

# --- reading text ------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def text_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _normalized_words(line):
    """(normalized word, end offset in the raw line) for every word of a line."""
    words = []
    for match in _WORD.finditer(line):
        words.extend((word, match.end()) for word in normalize(match.group(0)).split())
    return words


def after_label(line, label):
    """The raw text following ``label`` (normalized words) in ``line``, or None."""
    wanted = label.split()
    words = _normalized_words(line)
    tokens = [word for word, _ in words]
    for start in range(len(tokens) - len(wanted) + 1):
        if tokens[start : start + len(wanted)] == wanted:
            return line[words[start + len(wanted) - 1][1] :].strip(" \t:.-–")
    return None


def labelled_values(lines, label):
    """Every value written after ``label``: the rest of its line, or the next
    line when the label stands alone."""
    for index, line in enumerate(lines):
        value = after_label(line, label)
        if value == "" and index + 1 < len(lines):
            value = lines[index + 1]
        if value:
            yield value


def labelled_values_of(lines, labels):
    return [value for label in labels for value in labelled_values(lines, label)]


def value_after_label(lines, labels):
    """The value after the first label found, labels tried in priority order."""
    return next((value for label in labels for value in labelled_values(lines, label)), None)


def labelled_date(lines, labels):
    """The first date written after one of the labels, tried in priority order."""
    dates = (parse_date(value) for label in labels for value in labelled_values(lines, label))
    return next((found for found in dates if found), None)


def keyword_score(searchable, keywords):
    """Sum of the weights of the keywords present in normalized text."""
    padded = f" {searchable} "
    score = 0.0
    for keyword, weight in keywords.items():
        if f" {keyword} " in padded or (
            len(keyword) >= FUZZY_MIN_LENGTH and fuzz.partial_ratio(keyword, searchable, score_cutoff=FUZZY_CUTOFF)
        ):
            score += weight
    return score


def classify(text):
    """(detected type or None, confidence 0..1, scores per type)."""
    searchable = normalize(text)
    scores = {kind: keyword_score(searchable, keywords) for kind, keywords in KEYWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < MIN_SCORE:
        return None, 0.0, scores
    confidence = min(1.0, best_score / CONFIDENT_SCORE) * best_score / (best_score + second_score)
    return best, round(confidence, 2), scores


# --- fields --------------------------------------------------------------------

_SIRET = re.compile(r"(?<!\d)(\d{3} ?\d{3} ?\d{3} ?\d{5})(?!\d)")
_SIREN = re.compile(r"(?<!\d)(\d{3} ?\d{3} ?\d{3})(?!\d)")
_HANDELSREGISTER = re.compile(r"\b(HR[AB]) ?(\d{1,6}(?: ?[A-Z]\b)?)")
_UK_COMPANY_NUMBER = re.compile(r"\b((?:SC|NI|OC|SO)\d{6}|\d{8})\b")
# SIV plates: two letters, three digits, two letters; I, O and U are never used.
_SIV_PLATE = re.compile(r"\b([A-HJ-NP-TV-Z]{2}) ?[-–] ?(\d{3}) ?[-–] ?([A-HJ-NP-TV-Z]{2})\b")
_VIN = re.compile(r"(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-Z])[A-HJ-NPR-Z0-9]{17}")
_SEVENTEEN = re.compile(r"\b[A-Z0-9]{17}\b")
# VINs never use I, O or Q, so in a VIN these are OCR misreadings of 1, 0 and 0.
_VIN_OCR_FIXES = str.maketrans("IOQ", "100")
_NIR = re.compile(r"(?<!\d)([12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3}) ?(\d{2})(?!\d)")
_DE_SOCIAL_NUMBER = re.compile(r"\b(\d{2} ?\d{6} ?[A-Z] ?\d{3})\b")
_UK_NINO = re.compile(r"\b([A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D])\b")
_LICENCE_FIELD = re.compile(r"^\s*(1|2|3|4a|4b|4c|5|9)\s*[.,:]\s*(.+)$", re.IGNORECASE)
LICENCE_CATEGORIES = {"AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE"}

COMPANY_LABELS = {
    "company_name": ("denomination ou raison sociale", "denomination sociale", "denomination", "raison sociale",
                     "firma", "company name", "name of company"),
    "legal_form": ("forme juridique", "categorie juridique", "rechtsform", "company type", "legal form"),
    "address": ("adresse du siege", "siege social", "registered office address", "registered office",
                "anschrift", "sitz", "adresse"),
    "activity": ("activite principale", "activites", "activite", "gegenstand des unternehmens", "tatigkeit",
                 "nature of business"),
    "legal_representative": ("president", "gerant", "directeur general", "geschaftsfuhrer", "director"),
}  # fmt: skip
COMPANY_DATE_LABELS = {
    "registration_date": ("date d immatriculation", "immatricule le", "date de creation", "eintragungsdatum",
                          "tag der eintragung", "date of incorporation", "incorporated on"),
    "issue_date": ("a jour au", "delivre le", "delivree le", "a la date du", "date de delivrance", "fait le",
                   "ausstellungsdatum", "abruf vom", "ausdruck vom", "date of issue", "issued on"),
}  # fmt: skip
VEHICLE_LABELS = {
    "holder_name": ("titulaire", "halter", "inhaber", "registered keeper", "holder"),
    "make": ("marque", "marke", "make"),
    "model": ("denomination commerciale", "handelsbezeichnung", "model"),
}
VEHICLE_DATE_LABELS = {
    "first_registration_date": ("date de premiere immatriculation", "datum der erstzulassung", "erstzulassung",
                                "date of first registration"),
    "issue_date": ("date de delivrance", "date du certificat", "ausstellungsdatum", "date of issue"),
    "valid_until": ("valable jusqu au", "date de fin de validite", "gultig bis", "valid until"),
}  # fmt: skip
UK_NUMBER_LABELS = ("company number", "registered number", "registration number")
VIN_LABELS = (
    "numero d identification du vehicule",
    "fahrzeug identifizierungsnummer",
    "vehicle identification number",
    "vin",
)
PLATE_LABELS = ("numero d immatriculation", "amtliches kennzeichen", "kennzeichen", "registration number")
SIREN_LABELS = ("siren", "siret", "numero d identification", "immatriculation au rcs", "numero")
NAME_LABELS = {
    "last_name": ("nom", "nachname", "surname", "name"),
    "first_names": ("prenoms", "prenom", "vorname", "given names", "first name"),
}


def _digits(text):
    return re.sub(r"\D", "", text)


def french_numbers(text, lines):
    """(SIREN, SIRET or None) with valid Luhn digits, labelled ones first: any nine
    digits pass the Luhn test one time in ten."""
    for source in (*labelled_values_of(lines, SIREN_LABELS), text):
        for match in _SIRET.finditer(source):
            if siret.is_valid(_digits(match.group(1))):
                return _digits(match.group(1))[:9], _digits(match.group(1))
        for match in _SIREN.finditer(source):
            if siren.is_valid(_digits(match.group(1))):
                return _digits(match.group(1)), None
    return None, None


def registration_number(text, lines):
    """(number, scheme) of a company: SIREN (from a SIRET too), Handelsregister or UK company number."""
    siren_number, _ = french_numbers(text, lines)
    if siren_number:
        return siren_number, "siren"
    match = _HANDELSREGISTER.search(text)
    if match:
        return f"{match.group(1)} {match.group(2)}", "handelsregister"
    # Eight digits alone are too common (dates, amounts): only when labelled.
    match = _UK_COMPANY_NUMBER.search(value_after_label(lines, UK_NUMBER_LABELS) or "")
    if match:
        return match.group(1), "uk_company_number"
    return None, None


def _company_fields(text, lines):
    number, scheme = registration_number(text, lines)
    fields = {"registration_number": number, "registration_number_scheme": scheme, "siret": None}
    if scheme == "siren":
        fields["siret"] = french_numbers(text, lines)[1]
    fields.update({name: value_after_label(lines, labels) for name, labels in COMPANY_LABELS.items()})
    fields.update({name: _iso(labelled_date(lines, labels)) for name, labels in COMPANY_DATE_LABELS.items()})
    return fields


def plate_number(text, lines):
    match = _SIV_PLATE.search(text.upper())
    if match:
        return "-".join(match.groups())
    return value_after_label(lines, PLATE_LABELS)


def vehicle_identification_number(text, lines):
    """The VIN, preferably from its labelled line, with I/O/Q read as 1/0/0."""
    for source in (value_after_label(lines, VIN_LABELS) or "", text):
        for token in _SEVENTEEN.findall(source.upper()):
            candidate = token.translate(_VIN_OCR_FIXES)
            if _VIN.fullmatch(candidate):
                return candidate
    return None


def _vehicle_fields(text, lines):
    fields = {"plate_number": plate_number(text, lines), "vin": vehicle_identification_number(text, lines)}
    fields.update({name: value_after_label(lines, labels) for name, labels in VEHICLE_LABELS.items()})
    fields.update({name: _iso(labelled_date(lines, labels)) for name, labels in VEHICLE_DATE_LABELS.items()})
    return fields


def _licence_fields(text, lines):
    """EU licences number their fields: 1 surname, 2 given names, 3 birth date and
    place, 4a issue, 4b expiry, 4c authority, 5 licence number, 9 categories."""
    numbered = {}
    for line in lines:
        match = _LICENCE_FIELD.match(line)
        if match and match.group(1).lower() not in numbered:
            numbered[match.group(1).lower()] = match.group(2).strip()
    birth = numbered.get("3", "")
    birth_date = parse_date(birth)
    categories = [c for c in re.split(r"[\s/,;]+", numbered.get("9", "").upper()) if c in LICENCE_CATEGORIES]
    return {
        "last_name": numbered.get("1") or value_after_label(lines, NAME_LABELS["last_name"]),
        "first_names": numbered.get("2") or value_after_label(lines, NAME_LABELS["first_names"]),
        "birth_date": _iso(birth_date),
        "birth_place": re.sub(r"^[\d\s./-]+", "", birth).strip() or None,
        "issue_date": _iso(parse_date(numbered.get("4a", ""))),
        "expiry_date": _iso(parse_date(numbered.get("4b", ""))),
        "issuing_authority": numbered.get("4c"),
        "licence_number": re.sub(r"\s", "", numbered.get("5", "")) or None,
        "categories": categories,
    }


def social_security_number(text):
    """(number, scheme, details) of the first valid French NIR, else a German or UK number."""
    for match in _NIR.finditer(text.upper()):
        number = re.sub(r"\s", "", match.group(1) + match.group(2))
        if nir.is_valid(number):
            sex = {"1": "M", "2": "F"}[number[0]]
            return nir.format(number), "fr_nir", {"sex": sex, "birth_year_2d": number[1:3], "birth_month": number[3:5]}
    match = _DE_SOCIAL_NUMBER.search(text)
    if match:
        return re.sub(r"\s", "", match.group(1)), "de_rvnr", {}
    match = _UK_NINO.search(text.upper())
    if match:
        return re.sub(r"\s", "", match.group(1)), "gb_nino", {}
    return None, None, {}


def _social_security_fields(text, lines):
    number, scheme, derived = social_security_number(text)
    holder = value_after_label(lines, ("titulaire", "assure", "nom", "name", "versicherter"))
    if not holder and number:
        # Cards print the holder's name just above the number, without a label.
        for previous, line in zip(lines, lines[1:]):
            if _digits(line)[:5] == _digits(number)[:5] and re.fullmatch(r"[^\W\d_][\w' -]+", previous):
                holder = previous
    return {"social_security_number": number, "social_security_scheme": scheme, "holder_name": holder, **derived}


EXTRACTORS = {
    "company_certificate": _company_fields,
    "business_registration_certificate": _company_fields,
    "rne_certificate": _company_fields,
    "vehicle_registration_document": _vehicle_fields,
    "temporary_vehicle_registration_document": _vehicle_fields,
    "driver_licence": _licence_fields,
    "social_security": _social_security_fields,
}


def _iso(value):
    return value.isoformat() if value else None


def extract_fields(document_type, text):
    return EXTRACTORS[document_type](text, text_lines(text))


def unreadable(error):
    """Nothing could be read: the applicant loses an attempt and must upload again."""
    return CheckResult(INCONCLUSIVE, reason_codes=["document_unreadable"], details={"error": error}, unusable=True)


def run(documents, known, config):
    expected = config.get("document_type")
    try:
        text = ocr_text.document_text(documents)
    except UnreadableDocument as exc:
        return unreadable(str(exc))
    if not normalize(text):
        return unreadable("no text")
    detected, confidence, scores = classify(text)
    fields = {"detected_type": detected, "confidence": confidence}
    details = {"expected_type": expected, "scores": scores}
    if detected:
        fields.update(extract_fields(detected, text))
    if expected and detected != expected:
        return CheckResult(FAILED, fields, ["document_type_mismatch"], details)
    if not detected:
        return CheckResult(INCONCLUSIVE, fields, ["document_type_unknown"], details)
    missing = [name for name in KEY_FIELDS[detected] if not fields.get(name)]
    if missing:
        details["missing_fields"] = missing
        return CheckResult(INCONCLUSIVE, fields, ["key_fields_missing"], details)
    return CheckResult(PASSED, fields, [], details)
