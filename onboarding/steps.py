"""Workflow steps and settings: the registry of step types (STEP_TYPES) and what each accepts, checked on save."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from onboarding.errors import ValidationFailed
from onboarding.signing_variables import fill_fields_errors
from onboarding.texts import text_in

NATURAL, LEGAL, BOTH = "natural_person", "legal_person", "both"

FORM_FIELD_TYPES = {"text", "name", "email", "phone", "date", "country", "address", "select", "checkbox"}
IDENTITY_DOCUMENT_TYPES = ["id_card", "passport", "resident_permit"]
PROOF_OF_ADDRESS_TYPES = ["utility_bill", "tax_notice", "bank_statement", "rent_receipt", "phone_bill", "other"]
ANALYSIS_DOCUMENT_TYPES = [
    "company_certificate",
    "business_registration_certificate",
    "rne_certificate",
    "vehicle_registration_document",
    "temporary_vehicle_registration_document",
    "driver_licence",
    "social_security",
]
RELATED_PARTY_ROLES = ["ubo", "director", "legal_representative"]
LOCALES = ["en", "de", "fr"]

# Similarity (0-1) from which two names are the same person or company, unless the
# workflow's name_match_threshold says otherwise.
DEFAULT_NAME_THRESHOLD = 0.85

DEFAULT_SETTINGS = {
    "link_ttl_hours": 48,
    "session_ttl_days": 7,
    "max_attempts": 10,
    "auto_process": True,
    "auto_decide": False,
    "redirect_allowlist": [],
    "locales": LOCALES,
    "retention_days": 365,
    "validations": {"watchlist": True, "face_match": True},
    # Risk score (0-100) at or above which a session is rejected / sent to review.
    "decision_thresholds": {"reject_at": 70, "review_at": 30},
    "name_match_threshold": DEFAULT_NAME_THRESHOLD,
    # Face descriptor distance above which a selfie does not match the document portrait.
    "face_match_threshold": 0.5,
    # Hours before a link expires at which an applicant who has not finished gets it again by email (0: never).
    "reminder_hours_before_expiry": 0,
    # Email each applicant the decision (approved / not approved) once it is taken.
    "notify_outcome": False,
}


def _bool(config, key, errors, path):
    if key in config and not isinstance(config[key], bool):
        errors[f"{path}.{key}"] = ["Must be true or false."]


def _int(config, key, errors, path, low, high):
    if key in config:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[f"{path}.{key}"] = [f"Must be a whole number between {low} and {high}."]


def _text(spec, key, errors, path):
    """A workflow text (onboarding.texts): a string, or an object mapping languages to strings."""
    value = spec.get(key)
    if value is None or isinstance(value, str):
        return
    if not (isinstance(value, dict) and value and all(k in LOCALES and isinstance(v, str) for k, v in value.items())):
        errors[f"{path}.{key}"] = [f"Must be a text, or an object mapping languages ({', '.join(LOCALES)}) to texts."]


def _subset(config, key, allowed, errors, path, required=False):
    value = config.get(key)
    if value is None:
        if required:
            errors[f"{path}.{key}"] = ["This field is required."]
        return
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        errors[f"{path}.{key}"] = [f"Must be a non-empty list of: {', '.join(allowed)}."]


def _check_form(config, errors, path):
    fields = config.get("fields")
    if not isinstance(fields, list) or not fields:
        errors[f"{path}.fields"] = ["A form needs at least one field."]
        return
    seen = set()
    for index, spec in enumerate(fields):
        where = f"{path}.fields[{index}]"
        if not isinstance(spec, dict) or not spec.get("id"):
            errors[where] = ["Each field needs an id."]
            continue
        if spec["id"] in seen:
            errors[f"{where}.id"] = [f"Duplicate field id {spec['id']!r}."]
        seen.add(spec["id"])
        if spec.get("type") not in FORM_FIELD_TYPES:
            errors[f"{where}.type"] = [f"Must be one of: {', '.join(sorted(FORM_FIELD_TYPES))}."]
        if spec.get("type") == "select" and not (isinstance(spec.get("choices"), list) and spec["choices"]):
            errors[f"{where}.choices"] = ["A select field needs a non-empty list of choices."]
        _bool(spec, "required", errors, where)
        _text(spec, "label", errors, where)
        _text(spec, "hint", errors, where)


def _check_identity(config, errors, path):
    _subset(config, "document_types", IDENTITY_DOCUMENT_TYPES, errors, path)
    _bool(config, "require_back", errors, path)
    _int(config, "min_age", errors, path, 0, 120)


def _check_proof_of_address(config, errors, path):
    _subset(config, "document_types", PROOF_OF_ADDRESS_TYPES, errors, path)
    _int(config, "max_age_months", errors, path, 1, 36)


def _check_bank(config, errors, path):
    _bool(config, "allow_typed_iban", errors, path)
    _bool(config, "require_document", errors, path)


def _check_company(config, errors, path):
    _bool(config, "require_certificate", errors, path)
    countries = config.get("countries")
    if countries is not None and (
        not isinstance(countries, list) or any(not isinstance(c, str) or len(c) != 2 for c in countries)
    ):
        errors[f"{path}.countries"] = ["Must be a list of ISO 3166 alpha-2 country codes."]


def _check_analysis(config, errors, path):
    if config.get("document_type") not in ANALYSIS_DOCUMENT_TYPES:
        errors[f"{path}.document_type"] = [f"Must be one of: {', '.join(ANALYSIS_DOCUMENT_TYPES)}."]


def _check_signature(config, errors, path):
    for key, item_keys in (("sign_fields", ("field_id", "actor_id")), ("fill_fields", ("field_id", "value"))):
        items = config.get(key, [])
        if not isinstance(items, list) or any(
            not isinstance(i, dict) or any(not isinstance(i.get(k), str) or not i.get(k) for k in item_keys)
            for i in items
        ):
            errors[f"{path}.{key}"] = [f"Must be a list of objects with {' and '.join(item_keys)}."]
            return
    # Unknown ${…} variables are refused when the workflow is saved, not when someone signs.
    errors.update(fill_fields_errors(config.get("fill_fields", []), f"{path}.fill_fields"))


def _check_related_parties(config, errors, path):
    _subset(config, "roles", RELATED_PARTY_ROLES, errors, path)
    _int(config, "max_parties", errors, path, 1, 50)
    if config.get("workflow_id") is not None and not isinstance(config["workflow_id"], str):
        errors[f"{path}.workflow_id"] = ["Must be a workflow id."]


@dataclass(frozen=True)
class StepType:
    """Everything the product knows about one kind of step. Adding a step type means one
    entry here, its check module, and its page in the portal and editor in the dashboard
    (tests/onboarding/test_step_types.py holds them to it)."""

    label: str
    applicant_type: str
    check_config: object  # (config, errors, path) -> None: adds the config's mistakes to errors
    check_module: str
    # Data blocks (SPEC §4 `input`) the step reads from the applicant's known data.
    input_blocks: tuple = ()
    takes_documents: bool = True
    # The kinds the applicant chooses from (a step's config may narrow them), or none to choose.
    document_kinds: tuple = ()
    # The kind of its documents when there is no choice (document_analysis: its config's document_type).
    default_kind: str = ""
    # The sides each document needs: "" for a document without sides.
    sides: tuple = ("",)
    # The kinds a reviewer may ask for again in a correction.
    correction_kinds: tuple = ()
    # Config values that apply when the workflow does not set them.
    default_config: dict = field(default_factory=dict)


def _no_config(config, errors, path):
    pass


STEP_TYPES = {
    "form": StepType(_("Your details"), BOTH, _check_form, "onboarding.checks.form", ("form",), takes_documents=False),
    "identity_document": StepType(
        _("Identity document"),
        NATURAL,
        _check_identity,
        "onboarding.checks.identity",
        ("identity",),
        document_kinds=tuple(IDENTITY_DOCUMENT_TYPES),
        sides=("front", "back"),
        correction_kinds=tuple(IDENTITY_DOCUMENT_TYPES),
    ),
    "selfie": StepType(
        _("Selfie"), NATURAL, _no_config, "onboarding.checks.face", default_kind="selfie", correction_kinds=("selfie",)
    ),
    "proof_of_address": StepType(
        _("Proof of address"),
        BOTH,
        _check_proof_of_address,
        "onboarding.checks.proof_of_address",
        ("identity", "address"),
        document_kinds=tuple(PROOF_OF_ADDRESS_TYPES),
        correction_kinds=tuple(PROOF_OF_ADDRESS_TYPES),
    ),
    "bank_account": StepType(
        _("Bank account"),
        BOTH,
        _check_bank,
        "onboarding.checks.bank",
        ("bank_account",),
        default_kind="bank_details",
        correction_kinds=("rib", "bank_statement"),
        default_config={"allow_typed_iban": True},
    ),
    "company_registry": StepType(
        _("Company registration"),
        LEGAL,
        _check_company,
        "onboarding.checks.company",
        ("company",),
        default_kind="company_certificate",
        correction_kinds=("company_certificate",),
    ),
    "document_analysis": StepType(
        _("Document"),
        BOTH,
        _check_analysis,
        "onboarding.checks.document_analysis",
        correction_kinds=tuple(ANALYSIS_DOCUMENT_TYPES),
    ),
    "signature": StepType(_("Signature"), BOTH, _check_signature, "onboarding.checks.signature", ("identity",)),
    "related_parties": StepType(
        _("Related people"),
        LEGAL,
        _check_related_parties,
        "onboarding.checks.related_parties",
        ("company",),
        takes_documents=False,
        default_config={"max_parties": 10},
    ),
}
# Step types whose verification takes uploaded files (a form or related parties never does).
DOCUMENT_STEP_TYPES = frozenset(name for name, kind in STEP_TYPES.items() if kind.takes_documents)
# Identity documents printed on one side only.
SINGLE_SIDED_KINDS = frozenset({"passport"})


def step_config(step):
    """A step's config with its type's defaults filled in."""
    return {**STEP_TYPES[step["type"]].default_config, **(step.get("config") or {})}


def normalize_steps(steps):
    """Validated steps with defaults filled in; raises ValidationFailed naming each bad field."""
    if not isinstance(steps, list):
        raise ValidationFailed({"steps": ["Must be a list of steps."]})
    errors, result, seen = {}, [], set()
    for index, raw in enumerate(steps):
        path = f"steps[{index}]"
        if not isinstance(raw, dict):
            errors[path] = ["Each step must be an object."]
            continue
        step_type = raw.get("type")
        if step_type not in STEP_TYPES:
            errors[f"{path}.type"] = [f"Must be one of: {', '.join(STEP_TYPES)}."]
            continue
        default_applicant, check = STEP_TYPES[step_type].applicant_type, STEP_TYPES[step_type].check_config
        _text(raw, "title", errors, path)
        step_id = raw.get("id") or slugify(text_in(raw.get("title"), "en") or step_type)
        if step_id != slugify(step_id) or len(step_id) > 64:
            errors[f"{path}.id"] = ["Must be a slug (letters, digits, hyphens), at most 64 characters."]
        if step_id in seen:
            errors[f"{path}.id"] = [f"Duplicate step id {step_id!r}."]
        seen.add(step_id)
        applicant_type = raw.get("applicant_type", default_applicant)
        if applicant_type not in (NATURAL, LEGAL, BOTH):
            errors[f"{path}.applicant_type"] = [f"Must be one of: {NATURAL}, {LEGAL}, {BOTH}."]
        required = raw.get("required", True)
        if not isinstance(required, bool):
            errors[f"{path}.required"] = ["Must be true or false."]
        config = raw.get("config") or {}
        if not isinstance(config, dict):
            errors[f"{path}.config"] = ["Must be an object."]
            continue
        check(config, errors, f"{path}.config")
        result.append(
            {
                "id": step_id,
                "type": step_type,
                "title": raw.get("title") or step_type.replace("_", " ").capitalize(),
                "required": required,
                "applicant_type": applicant_type,
                "config": config,
            }
        )
    if errors:
        raise ValidationFailed(errors)
    return result


def normalize_settings(settings):
    if not isinstance(settings, dict):
        raise ValidationFailed({"settings": ["Must be an object."]})
    errors = {}
    unknown = set(settings) - set(DEFAULT_SETTINGS)
    if unknown:
        errors["settings"] = [f"Unknown settings: {', '.join(sorted(unknown))}."]
    path = "settings"
    _int(settings, "link_ttl_hours", errors, path, 1, 24 * 90)
    _int(settings, "session_ttl_days", errors, path, 1, 365)
    _int(settings, "max_attempts", errors, path, 1, 100)
    _int(settings, "retention_days", errors, path, 1, 3650)
    _int(settings, "reminder_hours_before_expiry", errors, path, 0, 24 * 90)
    for key in ("auto_process", "auto_decide", "notify_outcome"):
        _bool(settings, key, errors, path)
    if "locales" in settings:
        _subset(settings, "locales", LOCALES, errors, path)
    allowlist = settings.get("redirect_allowlist", [])
    if not isinstance(allowlist, list) or any(not isinstance(a, str) or not a for a in allowlist):
        errors[f"{path}.redirect_allowlist"] = ["Must be a list of origins or host names."]
    validations = settings.get("validations", {})
    if not isinstance(validations, dict) or any(
        k not in ("watchlist", "face_match") or not isinstance(v, bool) for k, v in validations.items()
    ):
        errors[f"{path}.validations"] = ["Must map watchlist and face_match to true or false."]
    thresholds = settings.get("decision_thresholds", {})
    if not isinstance(thresholds, dict) or any(
        k not in ("reject_at", "review_at") or isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100
        for k, v in thresholds.items()
    ):
        errors[f"{path}.decision_thresholds"] = ["Must map reject_at and review_at to numbers from 0 to 100."]
    for key in ("name_match_threshold", "face_match_threshold"):
        threshold = settings.get(key, DEFAULT_SETTINGS[key])
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
            errors[f"{path}.{key}"] = ["Must be a number above 0 and at most 1."]
    if errors:
        raise ValidationFailed(errors)
    return settings


def merge_settings(current, changes):
    """A settings change applied to the stored settings: only the named settings change (objects
    such as `validations` key by key), and null puts a setting back to its default."""
    if not isinstance(changes, dict):
        return changes  # normalize_settings names the error
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def steps_for_applicant(steps, applicant_type):
    return [s for s in steps if s["applicant_type"] in (applicant_type, BOTH)]


def redirect_allowed(url, allowlist):
    """True when the URL's origin (or host) is on the workflow's allowlist.

    Entries are origins ("https://shop.example") or host names, optionally
    with a leading "*." for subdomains. Only http(s) URLs qualify.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return False
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    host = parts.hostname.lower()
    for entry in allowlist:
        entry = entry.lower().rstrip("/")
        if "://" in entry:
            if origin == entry:
                return True
        elif entry.startswith("*."):
            if host.endswith(entry[1:]):
                return parts.scheme == "https"
        elif host == entry:
            return parts.scheme == "https"
    return False
