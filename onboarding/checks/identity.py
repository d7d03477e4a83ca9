"""Identity document check: the MRZ read by OCR, its check digits, expiry, age, and
the holder's data against what the applicant declared.

A document whose MRZ cannot be read costs the applicant an attempt (``unusable``);
one that is read but fails a rule fails the check with a reason code per rule.
"""

import time
from datetime import date

import pycountry

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.checks.images import UnreadableDocument, load_pages
from onboarding.checks.mrz import transliterate
from onboarding.checks.mrz_reader import read_pages
from onboarding.checks.names import compare_names

DEFAULT_MIN_AGE = 18
DEFAULT_NAME_THRESHOLD = 0.85
# MRZ codes that are not ISO 3166 alpha-3 (ICAO 9303 part 3, section 5).
_MRZ_COUNTRY_ALIASES = {"D": "DEU", "GBD": "GBR", "GBN": "GBR", "GBO": "GBR", "GBP": "GBR", "GBS": "GBR"}


def _ms(started):
    return round((time.perf_counter() - started) * 1000, 1)


def _alpha3(code):
    """ISO alpha-3 for an alpha-2, alpha-3 or MRZ country code; None when unknown."""
    code = (code or "").strip().upper()
    if code in _MRZ_COUNTRY_ALIASES:
        return _MRZ_COUNTRY_ALIASES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
    return country.alpha_3 if country else None


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _name_score(mrz, identity):
    """How well the declared name matches the MRZ, spelled as declared or as ICAO transliterates it
    ("Müller" is MUELLER in an MRZ and "Muller" once accents are stripped)."""
    declared = f"{identity.get('first_name', '')} {identity.get('last_name', '')}".strip()
    read = f"{mrz.given_names} {mrz.surname}"
    return max(compare_names(read, declared), compare_names(read, transliterate(declared).replace("<", " ")))


def _compare_with_applicant(mrz, identity, threshold, details):
    codes = []
    if identity.get("first_name") or identity.get("last_name"):
        score = _name_score(mrz, identity)
        details["name_score"] = score
        if score < threshold:
            codes.append("name_mismatch")
    declared_birth = identity.get("birth_date")
    if declared_birth and mrz.birth_date and str(declared_birth)[:10] != mrz.birth_date:
        codes.append("birth_date_mismatch")
    declared_nationality = identity.get("nationality")
    if declared_nationality and _alpha3(declared_nationality) != _alpha3(mrz.nationality):
        codes.append("nationality_mismatch")
    return codes


def run(documents, known, config):
    started = time.perf_counter()
    details = {}
    try:
        pages = [page for document in documents for page in load_pages(document.content, document.mime_type)]
    except UnreadableDocument as exc:
        details.update(error=str(exc), timings_ms={"total": _ms(started)})
        return CheckResult(INCONCLUSIVE, reason_codes=["mrz_unreadable"], details=details, unusable=True)
    details["timings_ms"] = {"load": _ms(started)}
    reading = read_pages(pages)
    if reading is not None:
        details["mrz_lines"] = reading.lines
        details["corrections"] = reading.corrections
        details["timings_ms"].update(reading.timings_ms)
    details["timings_ms"]["total"] = _ms(started)
    if reading is None or reading.mrz is None:
        return CheckResult(INCONCLUSIVE, reason_codes=["mrz_unreadable"], details=details, unusable=True)

    mrz = reading.mrz
    details["mrz_format"] = mrz.format
    details["check_digits"] = mrz.check_digits
    codes = [] if mrz.valid else ["mrz_checksum_invalid"]
    today = date.today()
    if mrz.expiry_date and date.fromisoformat(mrz.expiry_date) < today:
        codes.append("document_expired")
    min_age = config.get("min_age", DEFAULT_MIN_AGE)
    if mrz.birth_date and _age(date.fromisoformat(mrz.birth_date), today) < min_age:
        codes.append("underage")
    threshold = config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD)
    codes += _compare_with_applicant(mrz, known.get("identity") or {}, threshold, details)
    return CheckResult(FAILED if codes else PASSED, fields=mrz.fields(), reason_codes=codes, details=details)
