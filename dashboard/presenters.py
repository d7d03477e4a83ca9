"""What the session page shows, arranged for the template: no rule is decided here.

Mismatches are the ones the checks reported (their reason codes); the page only
puts each extracted value beside the known value it was checked against.
"""

from dataclasses import dataclass, field

from onboarding.steps import ANALYSIS_DOCUMENT_TYPES, IDENTITY_DOCUMENT_TYPES, PROOF_OF_ADDRESS_TYPES

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
# Reason codes that do not name their field in their prefix.
CODE_FIELDS = {
    "name_mismatch": {"first_name", "given_names", "last_name", "surname", "holder_name", "full_name"},
    "birth_date_mismatch": {"birth_date", "date_of_birth"},
    "document_expired": {"expiry_date", "expiration_date", "date_of_expiry"},
    "mrz_checksum_invalid": {"mrz", "document_number"},
    "iban_invalid": {"iban"},
    "iban_mismatch": {"iban"},
    "bic_iban_mismatch": {"bic", "iban"},
    "underage": {"birth_date", "date_of_birth"},
    "document_too_old": {"issue_date"},
    "issue_date_missing": {"issue_date"},
    "holder_name_missing": {"holder_name"},
    "address_missing": {"address"},
    "bic_missing": {"bic"},
}
ADDRESS_ORDER = ("line_1", "line_2", "zip_code", "city", "state", "country")
# Document types a correction can ask for, per step type.
CORRECTION_DOCUMENT_TYPES = {
    "identity_document": IDENTITY_DOCUMENT_TYPES,
    "proof_of_address": PROOF_OF_ADDRESS_TYPES,
    "document_analysis": ANALYSIS_DOCUMENT_TYPES,
    "bank_account": ["rib", "bank_statement"],
    "company_registry": ["company_certificate"],
    "selfie": ["selfie"],
}
PREVIEW_PAGES = 4


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
        return "yes" if value else "no"
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
    extracted: str
    known: str
    mismatch: bool


@dataclass
class DocumentView:
    document: object
    preview_urls: list
    download_url: str


@dataclass
class StepView:
    verification: object
    step: dict
    comparisons: list
    checks: dict
    documents: list = field(default_factory=list)
    superseded: list = field(default_factory=list)
    field_ids: list = field(default_factory=list)
    document_types: list = field(default_factory=list)

    @property
    def validity(self):
        """MRZ and IBAN validity, the two checksums a reviewer looks for first."""
        v = self.verification
        if v.status != "done":
            return []
        codes = set(v.status_codes)
        rows = []
        if v.type == "identity_document":
            rows.append(("MRZ check digits", "mrz_checksum_invalid" not in codes and "mrz_not_found" not in codes))
        if v.type == "bank_account" and "iban_not_found" not in codes:
            rows.append(("IBAN", "iban_invalid" not in codes))
        return rows


def comparisons(verification, applicant):
    extracted = verification.data.get("extracted_from_document") or {}
    submitted = verification.data.get("submitted") or {}
    flagged = flagged_fields(verification.status_codes)
    rows = []
    for name, value in extracted.items():
        known = known_value(applicant, name, submitted)
        rows.append(Comparison(name, display(value), display(known), name in flagged))
    return rows


def step_views(session, applicant, document_urls):
    """One StepView per verification of the applicant, in workflow order."""
    version = session.workflow_version
    by_verification = {}
    for document in session.documents.all():
        by_verification.setdefault(document.verification_id, []).append(document)
    views = []
    for verification in applicant.verifications.all():
        step = version.step(verification.step_id) or {"id": verification.step_id, "type": verification.type,
                                                      "title": verification.step_id, "config": {}}
        docs = by_verification.get(verification.id, [])
        config = step.get("config") or {}
        views.append(StepView(
            verification=verification,
            step=step,
            comparisons=comparisons(verification, applicant),
            checks=(verification.data.get("checks") or {}).get("details") or {},
            documents=[document_urls(d) for d in docs if not d.superseded],
            superseded=[document_urls(d) for d in docs if d.superseded],
            field_ids=[f["id"] for f in config.get("fields", [])],
            document_types=config.get("document_types") or CORRECTION_DOCUMENT_TYPES.get(verification.type, []),
        ))
    return views


def watchlist_hits(session):
    watchlist = ((session.processing_results or {}).get("external_validations") or {}).get("watchlist") or {}
    hits = []
    for index, match in enumerate(watchlist.get("matches") or []):
        hits.append({
            "index": index,
            "entity_id": match.get("entity_id") or match.get("id") or "",
            "name": match.get("name") or match.get("caption") or "",
            "score": match.get("score"),
            "lists": display(match.get("lists") or match.get("datasets") or match.get("sources")),
            "birth_dates": display(match.get("birth_dates") or match.get("birth_date")),
            "countries": display(match.get("countries")),
            "applicant_id": match.get("applicant_id"),
            "false_positive": match.get("false_positive"),
        })
    return watchlist, hits
