"""Identity document check: the MRZ read by OCR, its check digits, expiry, age, and
the holder's data against what the applicant declared.

A document whose MRZ cannot be read costs the applicant an attempt (``unusable``);
one that is read but fails a rule fails the check with a reason code per rule. The
check passes only when every key field was read; a missing one leaves it
inconclusive with a reason code naming the field. Each field's provenance (the MRZ
line and cells it was read from) is kept in the details for the reviewer.

No check digit covers a name: where the recogniser leaves two spellings of it possible
(a Q or an O in LINDQVIST) and every check digit holds, the MRZ is taken only when the
document's visual zone prints exactly one of them (see ``mrz.visual_zone``), or else when
the applicant's declared name is exactly one of them; the reviewer is told which.
"""

import time
from datetime import date

import pycountry

from onboarding.checks import FAILED, INCONCLUSIVE, PASSED, CheckResult
from onboarding.checks.images import UnreadableDocument, load_pages
from onboarding.checks.mrz import FILLER, LAYOUTS, detect_format, transliterate
from onboarding.checks.mrz.reader import Search, read_pages, with_name
from onboarding.checks.mrz.visual_zone import spellings
from onboarding.checks.names import compare_names
from onboarding.steps import DEFAULT_NAME_THRESHOLD

DEFAULT_MIN_AGE = 18
# The fields an identity document must yield; each missing one is a reason code "<field>_missing".
KEY_FIELDS = ("document_number", "surname", "given_names", "birth_date", "expiry_date", "nationality", "sex")
# Where each field sits in the MRZ layouts (names share one field).
_MRZ_FIELD = {"surname": "name", "given_names": "name"}
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


def _declared_name_fields(identity, width, surname_only=False):
    """The name fields of ``width`` cells an MRZ may print for the declared name (the surname
    alone where the format prints it alone, as the French card does)."""
    first, last = identity.get("first_name") or "", identity.get("last_name") or ""
    fields = set()
    for surname in spellings(last):
        for given in spellings(first) if first and not surname_only else [""]:
            name = f"{surname}{FILLER * 2}{given}" if given else surname
            fields.add(name.ljust(width, FILLER)[:width])
    return fields


def _named_as_declared(reading, identity):
    """The reading with its name settled by the applicant's declared name, or None."""
    if not (identity.get("first_name") or identity.get("last_name")):
        return None
    surname_only = LAYOUTS[detect_format(reading.lines)]["name"].kind == "surname"
    settled = with_name(reading, lambda name: name in _declared_name_fields(identity, len(name), surname_only))
    if settled is not None:
        settled.stage = "as_declared"
    return settled


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
    search = Search()
    reading = read_pages(pages, search)
    identity = known.get("identity") or {}
    if reading is not None and reading.mrz is None:
        reading = _named_as_declared(reading, identity) or reading
    # Where an unreadable MRZ was lost, or how a name read two ways was settled, for the reviewer.
    details["mrz_search"] = reading.stage if reading is not None and reading.mrz is not None else search.stage
    if reading is not None:
        details["mrz_lines"] = reading.lines
        details["mrz_doubts"] = reading.doubts
        details["timings_ms"].update(reading.timings_ms)
    details["timings_ms"]["total"] = _ms(started)
    if reading is None or reading.mrz is None:
        return CheckResult(INCONCLUSIVE, reason_codes=["mrz_unreadable"], details=details, unusable=True)

    mrz = reading.mrz
    details["mrz_format"] = mrz.format
    details["check_digits"] = mrz.check_digits
    fields = mrz.fields()
    details["provenance"] = _provenance(mrz.format, fields, reading.stage)
    codes = [] if mrz.valid else ["mrz_checksum_invalid"]
    today = date.today()
    if mrz.expiry_date and date.fromisoformat(mrz.expiry_date) < today:
        codes.append("document_expired")
    min_age = config.get("min_age", DEFAULT_MIN_AGE)
    if mrz.birth_date and _age(date.fromisoformat(mrz.birth_date), today) < min_age:
        codes.append("underage")
    threshold = config.get("name_match_threshold", DEFAULT_NAME_THRESHOLD)
    codes += _compare_with_applicant(mrz, identity, threshold, details)
    missing = [f"{name}_missing" for name in KEY_FIELDS if not fields.get(name)]
    result = FAILED if codes else INCONCLUSIVE if missing else PASSED
    return CheckResult(result, fields=fields, reason_codes=codes + missing, details=details)


# How a name or a number read two ways, or characters too small to trust alone, were settled (the
# reading's stage): the fields settled, and what the reviewer is told.
_SETTLED = {
    "visual_zone": (("surname", "given_names"), "read two ways, as the visual zone prints it"),
    "as_declared": (("surname", "given_names"), "read two ways, as declared"),
    "small_printed": (("surname", "given_names"), "small characters, as the visual zone prints it"),
    "number_printed": (("document_number",), "G or 6 read two ways, as the visual zone prints it"),
}


# Fields a format does not print but implies, for the reviewer: (the field they follow from, how).
_DERIVED = {
    "FRA_ID": {
        "expiry_date": ("document_number", "the earliest expiry for the month of issue its number opens with"),
        "nationality": ("issuing_country", "a French identity card is issued to French nationals only"),
    }
}


def _provenance(fmt, fields, stage=""):
    """Field -> where it was read: the zone ("MRZ"), its line and cells, for the reviewer; a name
    or number read two ways says how it was settled, a field the format only implies how it follows."""
    layout = LAYOUTS[fmt]
    derived = _DERIVED.get(fmt, {})
    settled_fields, settled = _SETTLED.get(stage, ((), None))
    sources = {}
    for name, value in fields.items():
        source, label = derived.get(name, (name, None))
        cells = layout.get(source) or layout.get(_MRZ_FIELD.get(source, source))
        if value and cells is not None:
            sources[name] = {"source": "MRZ", "line": cells.line + 1, "cells": [cells.start + 1, cells.end]}
            if label:
                sources[name]["label"] = f"line {cells.line + 1}, {label}"
            elif name in settled_fields:
                sources[name]["label"] = f"line {cells.line + 1}, {settled}"
    return sources
