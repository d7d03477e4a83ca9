"""Company registry check: the registration number's syntax for its country, and
the certificate (a Kbis extract, a certificate of incorporation) against it.

Numbers are validated offline with python-stdnum (check digits where the country
has them); a few registers without check digits are matched on their format.
"""

import re

from stdnum import get_cc_module
from stdnum.at import businessid as at_firmenbuch
from stdnum.be import vat as be_enterprise
from stdnum.ch import uid as ch_uid
from stdnum.cz import dic as cz_ico
from stdnum.de import handelsregisternummer as de_handelsregister
from stdnum.dk import cvr as dk_cvr
from stdnum.ee import registrikood as ee_registrikood
from stdnum.es import cif as es_cif
from stdnum.exceptions import InvalidFormat, ValidationError
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.fr import rcs as fr_rcs
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.it import iva as it_iva
from stdnum.no import orgnr as no_orgnr
from stdnum.pl import regon as pl_regon
from stdnum.pt import nif as pt_nif
from stdnum.se import orgnr as se_orgnr

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.checks.images import UnreadableDocument
from onboarding.checks.names import compare_names, normalize
from onboarding.checks.ocr_text import document_text, labelled_value
from onboarding.steps import DEFAULT_NAME_THRESHOLD

NAME_LABELS = [
    "Dénomination ou raison sociale",
    "Dénomination sociale",
    "Dénomination",
    "Raison sociale",
    "Company name",
    "Name of company",
    "Firmenname",
    "Firma",
]
NUMBER_LABELS = [
    "Company number",
    "Registration number",
    "Numéro d'immatriculation",
    "SIREN",
    "SIRET",
    "Handelsregister",
]


class FormatOnly:
    """A register number without check digits: only its shape can be verified."""

    def __init__(self, pattern, pad_digits=0):
        self.pattern = re.compile(pattern)
        self.pad_digits = pad_digits

    def compact(self, number):
        value = re.sub(r"[\s.\-/]", "", str(number)).upper()
        # Spreadsheets drop one leading zero ("1234567" for "01234567"); anything shorter is another number.
        if self.pad_digits and value.isdigit() and len(value) == self.pad_digits - 1:
            return "0" + value
        return value

    def validate(self, number):
        value = self.compact(number)
        if not self.pattern.fullmatch(value):
            raise InvalidFormat()
        return value


class GermanRegister:
    """Handelsregisternummer: "<court> HRB <number>"; stdnum knows the courts."""

    def compact(self, number):
        return re.sub(r"^\s*(?:Amtsgericht|Registergericht)\s+", "", str(number), flags=re.IGNORECASE).strip()

    def validate(self, number):
        return de_handelsregister.validate(self.compact(number))


# Companies House: eight digits, or a two-letter register prefix and six digits.
GB_COMPANY_NUMBER = FormatOnly(
    r"\d{8}|(?:AC|BR|FC|GE|GN|GS|IC|IP|LP|NA|NF|NI|NL|NO|NP|NR|NZ|OC|RC|SA|SC|SE|SF|SG|SI|SL|SO|SP|SR|SZ|ZC)\d{6}|R\d{7}",
    pad_digits=8,
)

# Country -> (number type, validator) in the order they are tried. VAT numbers are
# accepted everywhere stdnum knows them (see _validators).
REGISTRATION_NUMBERS = {
    "FR": [("siren", fr_siren), ("siret", fr_siret), ("rcs", fr_rcs)],
    "GB": [("company_number", GB_COMPANY_NUMBER)],
    "DE": [("handelsregisternummer", GermanRegister())],
    "AT": [("firmenbuchnummer", at_firmenbuch)],
    "BE": [("enterprise_number", be_enterprise)],
    "NL": [("kvk_number", FormatOnly(r"\d{8}"))],
    "LU": [("rcs", FormatOnly(r"[AB]\d{1,6}"))],
    "IE": [("cro_number", FormatOnly(r"\d{1,6}"))],
    "ES": [("cif", es_cif)],
    "IT": [("partita_iva", it_iva)],
    "PT": [("nipc", pt_nif)],
    "CH": [("uid", ch_uid)],
    "DK": [("cvr", dk_cvr)],
    "SE": [("orgnr", se_orgnr)],
    "NO": [("orgnr", no_orgnr)],
    "FI": [("y_tunnus", fi_ytunnus)],
    "EE": [("registrikood", ee_registrikood)],
    "PL": [("krs", FormatOnly(r"\d{10}")), ("regon", pl_regon)],
    "CZ": [("ico", cz_ico)],
}

_GERMAN_REGISTER = re.compile(
    r"(?:Amtsgericht|Registergericht)?\s*([A-ZÄÖÜ][\w()./ -]{1,40}?)\s*[,:]?\s+((?:HR[AB]|GnR|PR|VR)\s*\d{1,6}(?:\s?[A-Z]{1,2}\b)?)"
)
_NUMBER_TOKEN = re.compile(r"^[A-Z0-9]{3,}$")
_MAX_WINDOW = 5  # tokens: "443 061 841 00047" is four


def _validators(country_code):
    validators = list(REGISTRATION_NUMBERS.get(country_code, []))
    try:
        vat = get_cc_module(country_code.lower(), "vat") if len(country_code) == 2 else None
    except Exception:  # stdnum raises on odd country codes; unknown means no VAT module
        vat = None
    if vat is not None:
        validators.append(("vat", vat))
    return validators


def validate_registration_number(number, country_code):
    """(compact number, number type) of the first of the country's number types the
    value satisfies; raises ValidationError when none does, KeyError when the
    country has no known number type."""
    validators = _validators(country_code)
    if not validators:
        raise KeyError(country_code)
    for number_type, validator in validators:
        try:
            return str(validator.validate(number)), number_type
        except ValidationError:
            continue
    raise ValidationError()


def entity_key(compact, number_type, country_code=""):
    """What identifies the company: a French SIRET, RCS or VAT number all contain its SIREN."""
    if number_type == "siret":
        return compact[:9]
    if number_type == "rcs":
        return fr_rcs.to_siren(compact)
    if number_type == "vat" and country_code == "FR":
        return compact[-9:]
    return re.sub(r"[^A-Z0-9]", "", compact.upper())


def _candidate_numbers(text, country_code):
    """Strings on a certificate that may be its registration number, labelled ones first."""
    labelled = labelled_value(text, NUMBER_LABELS)
    candidates = [labelled] if labelled else []
    if country_code == "DE":
        candidates += [f"{court} {number}" for court, number in _GERMAN_REGISTER.findall(text)]
    for line in text.splitlines():
        tokens = [token.strip(".,;:()") for token in line.upper().split()]
        for start in range(len(tokens)):
            for end in range(start + 1, min(start + _MAX_WINDOW, len(tokens)) + 1):
                window = tokens[start:end]
                if not all(_NUMBER_TOKEN.match(token) for token in window):
                    break
                candidates.append(" ".join(window))
    return candidates


def find_registration_number(text, country_code):
    """(compact number, number type) of the first valid number on a certificate, or None."""
    for candidate in _candidate_numbers(text, country_code):
        try:
            return validate_registration_number(candidate, country_code)
        except (ValidationError, KeyError):
            continue
    return None


def find_company_name(text, company_name, threshold):
    """The company name on a certificate: after its label or, without one, a line matching the known name."""
    labelled = labelled_value(text, NAME_LABELS)
    if labelled or not company_name:
        return labelled
    lines = [line.strip() for line in text.splitlines() if normalize(line)]
    best = max(lines, key=lambda line: compare_names(line, company_name, kind="company"), default=None)
    return best if best and compare_names(best, company_name, kind="company") >= threshold else None


def _declared(known, config):
    """Registration number, country and name as the integrator or the applicant gave them."""
    company, form = known.get("company") or {}, known.get("form") or {}

    def first(key):
        return next((source[key] for source in (company, form, config) if source.get(key)), "")

    return str(first("registration_number")).strip(), str(first("country_code")).strip().upper(), first("company_name")


def run(documents, known, config):
    threshold = config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD)
    number, country, company_name = _declared(known, config)
    details = {"name_match_threshold": threshold}

    if not documents and config.get("require_certificate"):
        return CheckResult(INCONCLUSIVE, reason_codes=["certificate_missing"], details=details)
    text = ""
    if documents:
        try:
            text = document_text(documents)
        except UnreadableDocument as exc:
            details["error"] = str(exc)
            return CheckResult(INCONCLUSIVE, reason_codes=["document_unreadable"], details=details, unusable=True)

    fields = {"registration_number": "", "number_type": "", "country_code": country, "company_name": company_name}
    if not country:
        return CheckResult(INCONCLUSIVE, fields=fields, reason_codes=["country_not_supported"], details=details)
    if config.get("countries") and country not in config["countries"]:
        return CheckResult(FAILED, fields=fields, reason_codes=["country_not_allowed"], details=details)
    if not _validators(country):
        return CheckResult(INCONCLUSIVE, fields=fields, reason_codes=["country_not_supported"], details=details)

    certificate_number = find_registration_number(text, country) if text else None
    certificate_name = find_company_name(text, company_name, threshold) if text else None
    if text and not certificate_number and not certificate_name:
        # Nothing recognisable on the certificate: the applicant must upload a readable one.
        return CheckResult(
            INCONCLUSIVE, fields=fields, reason_codes=["certificate_unreadable"], details=details, unusable=True
        )
    if certificate_number:
        details["certificate_registration_number"] = certificate_number[0]
    if certificate_name:
        details["certificate_company_name"] = certificate_name

    codes = []
    if not number and certificate_number:
        fields["registration_number"], fields["number_type"] = certificate_number
        details["source"] = "certificate"
    elif not number:
        codes.append("registration_number_missing")
    else:
        details["source"] = "declared"
        try:
            fields["registration_number"], fields["number_type"] = validate_registration_number(number, country)
        except ValidationError:
            codes.append("registration_number_invalid")
            fields["registration_number"] = re.sub(r"\s", "", number).upper()
        else:
            if certificate_number and entity_key(*certificate_number, country) != entity_key(
                fields["registration_number"], fields["number_type"], country
            ):
                codes.append("registration_number_mismatch")

    if certificate_name and company_name:
        score = compare_names(certificate_name, company_name, kind="company")
        details["company_name_score"] = score
        if score < threshold:
            codes.append("company_name_mismatch")
    fields["company_name"] = certificate_name or company_name
    return CheckResult(FAILED if codes else PASSED, fields=fields, reason_codes=codes, details=details)
