"""Each value a check extracted beside the known value it was checked against, with what
the check said about it and where it was read, for every reader of the evidence (the
session page, the evidence pack). Findings are the checks' reason codes: nothing is
judged again here.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from onboarding.labels import field_label, source_label

# Extracted field -> where its known counterpart lives on the applicant.
KNOWN_SOURCES = {
    "first_name": ("identity", "first_name"),
    "given_names": ("identity", "first_name"),
    "last_name": ("identity", "last_name"),
    "surname": ("identity", "last_name"),
    "birth_date": ("identity", "birth_date"),
    "date_of_birth": ("identity", "birth_date"),
    "birth_place": ("identity", "birth_place"),
    "nationality": ("identity", "nationality"),
    "gender": ("identity", "gender"),
    "sex": ("identity", "gender"),
    "holder_name": ("name", None),
    "full_name": ("name", None),
    "address": ("address", None),
    "iban": ("bank_account", "iban"),
    "bic": ("bank_account", "bic"),
    "registration_number": ("company", "registration_number"),
    "company_name": ("company", "company_name"),
    "country_code": ("company", "country_code"),
}
EXPIRY_FIELDS = {"expiry_date", "expiration_date", "date_of_expiry"}
BIRTH_FIELDS = {"birth_date", "date_of_birth"}
# Reason codes that do not name their field in their prefix.
CODE_FIELDS = {
    "name_mismatch": {"first_name", "given_names", "last_name", "surname", "holder_name", "full_name"},
    "birth_date_mismatch": BIRTH_FIELDS,
    "document_expired": EXPIRY_FIELDS,
    "mrz_checksum_invalid": {"mrz", "document_number"},
    "iban_invalid": {"iban"},
    "iban_mismatch": {"iban"},
    "bic_iban_mismatch": {"bic", "iban"},
    "underage": BIRTH_FIELDS,
    "document_too_old": {"issue_date"},
}
ADDRESS_ORDER = ("line_1", "line_2", "zip_code", "city", "state", "country")


def display(value):
    """One line of text for any JSON value."""
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        keys = [k for k in ADDRESS_ORDER if k in value] or list(value)
        return ", ".join(display(value[k]) for k in keys if display(value.get(k)))
    if isinstance(value, (list, tuple)):
        return ", ".join(display(v) for v in value if display(v))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def flagged_fields(codes):
    fields = set()
    for code in codes:
        fields |= CODE_FIELDS.get(code, set())
        for suffix in ("_mismatch", "_invalid", "_not_found"):
            if code.endswith(suffix):
                fields.add(code[: -len(suffix)])
    return fields


def known_value(applicant, name, submitted):
    source = KNOWN_SOURCES.get(name)
    if source is None:
        return submitted.get(name, applicant.form_data.get(name))
    block, key = source
    if block == "name":
        return applicant.display_name
    data = getattr(applicant, block) or {}
    return data if key is None else data.get(key)


@dataclass
class Comparison:
    name: str
    label: str
    extracted: str
    known: str
    # What the check said about this value, in words ("does not match", "expired on …"); "" when nothing.
    finding: str
    source: str = ""

    @property
    def mismatch(self):
        return bool(self.finding)


def finding(name, value, codes):
    """The check's word on one field: a date finding names the date; others say how it failed."""
    if name in EXPIRY_FIELDS and "document_expired" in codes:
        return _("expired on %(date)s") % {"date": display(value)}
    if name == "issue_date" and "document_too_old" in codes:
        return _("too old (issued %(date)s)") % {"date": display(value)}
    if name in BIRTH_FIELDS and "underage" in codes:
        return _("under the minimum age")
    if name not in flagged_fields(codes):
        return ""
    if any(code.endswith("_invalid") and name in flagged_fields([code]) for code in codes):
        return _("invalid")
    return _("does not match")


def source_text(source):
    """Where a value was read: {"source": "ocr", "label": "IBAN", …}, "mrz", or a list of those."""
    if isinstance(source, (list, tuple)):
        return ", ".join(filter(None, (source_text(s) for s in source)))
    if isinstance(source, dict):
        kind = source_label(source.get("source") or "")
        printed = source.get("label") or ""
        if isinstance(source.get("line"), int):  # a line number of the zone (the MRZ's), not its text
            printed = printed or _("line %(n)d") % {"n": source["line"]}
        return f"{kind} · {printed}" if printed and printed != str(kind) else str(kind)
    return str(source_label(source)) if source else ""


def check_sources(verification):
    checks = verification.data.get("checks") or {}
    details = checks.get("details") or {}
    return checks.get("sources") or details.get("sources") or details.get("provenance") or {}


def comparisons(verification, applicant):
    extracted = verification.data.get("extracted_from_document") or {}
    submitted = verification.data.get("submitted") or {}
    sources = check_sources(verification)
    codes = verification.status_codes or []
    rows = []
    for name, value in extracted.items():
        known = known_value(applicant, name, submitted)
        rows.append(
            Comparison(
                name,
                str(field_label(name)),
                display(value),
                display(known),
                finding(name, value, codes),
                source_text(sources.get(name)),
            )
        )
    return rows


def established(verification):
    """[(label, valid)]: the checksums a check really computed (MRZ check digits, IBAN), and
    nothing for a step no check ran on (resolved by hand after unreadable uploads)."""
    checks = verification.data.get("checks") or {}
    details, codes = checks.get("details") or {}, checks.get("reason_codes") or []
    rows = []
    if verification.type == "identity_document" and details.get("check_digits"):
        rows.append((_("MRZ check digits"), all(details["check_digits"].values())))
    fields = checks.get("fields") or {}
    if verification.type == "bank_account" and fields.get("iban") and "iban_not_found" not in codes:
        rows.append((_("IBAN"), "iban_invalid" not in codes))
    return rows
