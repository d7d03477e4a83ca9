"""Cross-validation: every value extracted from a document against the applicant's
known data and against the same value read from the applicant's other documents.

Each check compares its own document with the known data; what only shows here
is two documents disagreeing with each other (the ID card's holder is not the
bank account's holder), or known data a check does not look at. The result is
``{"status": passed|warning|failed, "warnings": [codes], "errors": [codes],
"comparisons": [...]}``: a near miss is a warning, a clear disagreement an error.
"""

import re
from dataclasses import dataclass
from itertools import combinations

import pycountry

from onboarding.checks.mrz import transliterate
from onboarding.checks.names import compare_addresses, compare_names
from onboarding.steps import DEFAULT_NAME_THRESHOLD

DEFAULT_ADDRESS_THRESHOLD = 0.8
# Below the threshold but within this margin: a warning for a reviewer rather than an error.
NAME_WARNING_MARGIN = 0.1
ADDRESS_WARNING_MARGIN = 0.15
KNOWN = "known"


@dataclass(frozen=True)
class Claim:
    """One value of one field, and where it comes from (`known` or a verification's step)."""

    field: str
    value: object
    source: str
    verification_id: str = ""


def _compact(value):
    return re.sub(r"[\s.-]", "", str(value or "")).upper()


def _alpha3(code):
    code = (code or "").strip().upper()
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
    return country.alpha_3 if country else code


def _joined(*parts):
    return " ".join(str(part).strip() for part in parts if part and str(part).strip())


def known_claims(applicant):
    identity, company = applicant.identity or {}, applicant.company or {}
    values = {
        "person_name": _joined(identity.get("first_name"), identity.get("last_name")),
        "company_name": company.get("company_name"),
        "birth_date": identity.get("birth_date"),
        "nationality": identity.get("nationality"),
        "address": applicant.address if any((applicant.address or {}).get(k) for k in ("line_1", "city")) else None,
        "iban": (applicant.bank_account or {}).get("iban"),
        "registration_number": company.get("registration_number"),
    }
    return [Claim(field, value, KNOWN) for field, value in values.items() if value]


def document_claims(verification):
    """Claims read from one verification's documents, by step type."""
    fields = (verification.data or {}).get("extracted_from_document") or {}
    step_type = verification.type
    if step_type == "identity_document":
        values = {
            "person_name": _joined(fields.get("given_names"), fields.get("surname")),
            "birth_date": fields.get("birth_date"),
            "nationality": fields.get("nationality"),
        }
    elif step_type == "proof_of_address":
        values = {"holder_name": fields.get("holder_name"), "address": fields.get("address")}
    elif step_type == "bank_account":
        values = {"holder_name": fields.get("holder_name"), "iban": fields.get("iban")}
    elif step_type == "company_registry":
        values = {"company_name": fields.get("company_name"), "registration_number": fields.get("registration_number")}
    elif step_type == "document_analysis":
        values = {
            "holder_name": fields.get("holder_name"),
            "company_name": fields.get("company_name"),
            "registration_number": fields.get("registration_number"),
        }
    else:
        values = {}
    return [Claim(field, value, verification.step_id, str(verification.id)) for field, value in values.items() if value]


def _name_score(a, b, kind):
    # MRZ names are ICAO-transliterated ("MUELLER" for "Müller"): compare both spellings.
    return max(
        compare_names(a, b, kind=kind),
        compare_names(transliterate(a).replace("<", " "), b, kind=kind),
        compare_names(a, transliterate(b).replace("<", " "), kind=kind),
    )


def _graded(score, threshold, margin):
    if score >= threshold:
        return "match"
    return "partial" if score >= threshold - margin else "mismatch"


def _compare(field, a, b, thresholds):
    """(score, outcome) of two values of one field."""
    if field in ("person_name", "company_name"):
        kind = "company" if field == "company_name" else "person"
        score = _name_score(str(a), str(b), kind)
        return score, _graded(score, thresholds["name"], NAME_WARNING_MARGIN)
    if field == "address":
        score = compare_addresses(a, b)
        return score, _graded(score, thresholds["address"], ADDRESS_WARNING_MARGIN)
    if field == "birth_date":
        same = str(a)[:10] == str(b)[:10]
    elif field == "nationality":
        same = _alpha3(a) == _alpha3(b)
        return (1.0, "match") if same else (0.0, "partial")  # dual nationals: a reviewer looks
    else:
        same = _compact(a) == _compact(b)
    return (1.0, "match") if same else (0.0, "mismatch")


# A holder name on a bill or a bank letter is a person's or a company's name.
def _comparable(a, b):
    if a.field == b.field:
        return a.field
    fields = {a.field, b.field}
    if fields in ({"holder_name", "person_name"}, {"holder_name", "company_name"}):
        return (fields - {"holder_name"}).pop()
    return None


def _outcome_code(field, outcome):
    field = {"person_name": "name", "company_name": "company_name"}.get(field, field)
    return f"{field}_mismatch" if outcome == "mismatch" else f"{field}_partial_match"


def cross_validate(applicants, verifications, name_threshold=None, address_threshold=None):
    thresholds = {
        "name": name_threshold or DEFAULT_NAME_THRESHOLD,
        "address": address_threshold or DEFAULT_ADDRESS_THRESHOLD,
    }
    comparisons, warnings, errors = [], [], []
    for applicant in applicants:
        claims = known_claims(applicant)
        for verification in verifications:
            if verification.applicant_id == applicant.id and verification.status == "done":
                claims += document_claims(verification)
        for a, b in combinations(claims, 2):
            field = _comparable(a, b)
            if field is None or a.source == b.source:
                continue
            if field == "holder_name":
                field = "company_name" if applicant.type == "legal_person" else "person_name"
            score, outcome = _compare(field, a.value, b.value, thresholds)
            comparisons.append({
                "applicant_id": str(applicant.id), "field": field, "sources": [a.source, b.source],
                "values": [a.value, b.value], "score": round(score, 4), "outcome": outcome,
            })  # fmt: skip
            if outcome != "match":
                (errors if outcome == "mismatch" else warnings).append(_outcome_code(field, outcome))
    errors, warnings = list(dict.fromkeys(errors)), list(dict.fromkeys(warnings))
    status = "failed" if errors else "warning" if warnings else "passed"
    return {"status": status, "warnings": warnings, "errors": errors, "comparisons": comparisons}
