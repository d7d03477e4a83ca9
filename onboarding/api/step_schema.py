"""JSON Schemas of a workflow's `steps` and `settings`, drawn from the registry in onboarding.steps.

The API publishes them in its OpenAPI document and checks every write against them, so the two
cannot drift; onboarding.steps then applies what no schema can state (unique ids, known ${…}
variables in fill_fields, a related-parties workflow that exists).
"""

from jsonschema import Draft202012Validator
from rest_framework import serializers

from onboarding.signing_variables import MAX_VALUE_LENGTH
from onboarding.steps import (
    ANALYSIS_DOCUMENT_TYPES,
    BOTH,
    DEFAULT_SETTINGS,
    FORM_FIELD_TYPES,
    IDENTITY_DOCUMENT_TYPES,
    LEGAL,
    LOCALES,
    NATURAL,
    PROOF_OF_ADDRESS_TYPES,
    RELATED_PARTY_ROLES,
    STEP_TYPES,
)

# A text shown to people: one string, or one per language.
TEXT = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {language: {"type": "string"} for language in LOCALES},
        },
    ]
}
# What django's slugify leaves as it is: lowercase letters, digits, single hyphens and inner underscores
# (without one, the id is made from the title).
STEP_ID = {
    "type": "string",
    "maxLength": 64,
    "pattern": r"^[a-z0-9](?:(?:[a-z0-9_]|-[a-z0-9_])*(?:[a-z0-9]|-[a-z0-9]))?$",
}


def _subset(values):
    return {"type": "array", "minItems": 1, "items": {"enum": list(values)}}


def _integer(low, high):
    return {"type": "integer", "minimum": low, "maximum": high}


def _config(properties, required=()):
    return {"type": "object", "additionalProperties": False, "properties": properties, "required": list(required)}


FIELD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,39}$"},
        "type": {"enum": sorted(FORM_FIELD_TYPES)},
        "required": {"type": "boolean"},
        "label": TEXT,
        "hint": TEXT,
        "choices": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    },
    "if": {"properties": {"type": {"const": "select"}}},
    "then": {"required": ["choices"]},
}
FIELD_PAIR = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["field_id", "actor_id"],
        "properties": {"field_id": {"type": "string", "minLength": 1}, "actor_id": {"type": "string", "minLength": 1}},
    },
}
CONFIGS = {
    "form": _config({"fields": {"type": "array", "minItems": 1, "items": FIELD}}, required=["fields"]),
    "identity_document": _config(
        {
            "document_types": _subset(IDENTITY_DOCUMENT_TYPES),
            "require_back": {"type": "boolean"},
            "min_age": _integer(0, 120),
        }
    ),
    "selfie": _config({}),
    "proof_of_address": _config({"document_types": _subset(PROOF_OF_ADDRESS_TYPES), "max_age_months": _integer(1, 36)}),
    "bank_account": _config({"allow_typed_iban": {"type": "boolean"}, "require_document": {"type": "boolean"}}),
    "company_registry": _config(
        {
            "require_certificate": {"type": "boolean"},
            "countries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        }
    ),
    "document_analysis": _config({"document_type": {"enum": ANALYSIS_DOCUMENT_TYPES}}, required=["document_type"]),
    "signature": _config(
        {
            "sign_fields": FIELD_PAIR,
            "fill_fields": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["field_id", "value"],
                    "properties": {
                        "field_id": {"type": "string", "minLength": 1},
                        "value": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_VALUE_LENGTH,
                            "description": "Text, with ${identity.first_name}-style variables.",
                        },
                    },
                },
            },
        }
    ),
    "related_parties": _config(
        {
            "roles": _subset(RELATED_PARTY_ROLES),
            "max_parties": _integer(1, 50),
            "workflow_id": {"type": "string", "format": "uuid", "description": "The workflow each party gets."},
        }
    ),
}
assert set(CONFIGS) == set(STEP_TYPES)

STEP = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "id": STEP_ID,
        "type": {"enum": list(STEP_TYPES)},
        "title": TEXT,
        "required": {"type": "boolean"},
        "applicant_type": {"enum": [NATURAL, LEGAL, BOTH]},
        "config": {"type": "object"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": name}}},
            "then": {"properties": {"config": config}, "required": ["config"] if config["required"] else []},
        }
        for name, config in CONFIGS.items()
    ],
}
STEPS = {"type": "array", "minItems": 1, "maxItems": 50, "items": STEP}

SETTING_SCHEMAS = {
    "link_ttl_hours": _integer(1, 24 * 90),
    "session_ttl_days": _integer(1, 365),
    "max_attempts": _integer(1, 100),
    "auto_process": {"type": "boolean"},
    "auto_decide": {"type": "boolean"},
    "redirect_allowlist": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "locales": _subset(LOCALES),
    "retention_days": _integer(1, 3650),
    "validations": _config({"watchlist": {"type": "boolean"}, "face_match": {"type": "boolean"}}),
    "decision_thresholds": _config({"reject_at": _integer(0, 100), "review_at": _integer(0, 100)}),
    "name_match_threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "face_match_threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "reminder_hours_before_expiry": _integer(0, 24 * 90),
    "notify_outcome": {"type": "boolean"},
}
assert set(SETTING_SCHEMAS) == set(DEFAULT_SETTINGS)
SETTINGS = _config(SETTING_SCHEMAS)
# A change names only the settings it changes; null puts one back to its default.
SETTINGS_CHANGE = _config({name: {"anyOf": [schema, {"type": "null"}]} for name, schema in SETTING_SCHEMAS.items()})


class SchemaField(serializers.JSONField):
    """A JSON value checked against a JSON Schema (the one the OpenAPI document shows), errors per path."""

    def __init__(self, schema, **kwargs):
        self.json_schema = schema
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from onboarding.api.session_input import readable  # it imports the API's input schemas

        flat = {}
        for error in Draft202012Validator(self.json_schema).iter_errors(data):
            path = tuple(error.absolute_path)
            if error.validator == "required":
                for name in sorted(set(error.validator_value) - set(error.instance)):
                    flat.setdefault((*path, name), []).append("This field is required.")
            elif error.validator == "additionalProperties":
                for name in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
                    flat.setdefault((*path, name), []).append("Unknown field.")
            else:
                flat.setdefault(path, []).append(readable(error))
        if flat:
            raise serializers.ValidationError(_nested(flat))
        return _whole_numbers(data)


def _whole_numbers(value):
    """JSON has one kind of number: 32.0 is the whole number 32, as the schema's `integer` says."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _nested(flat):
    """{(0, "type"): [...]} as DRF nests errors ({0: {"type": [...]}}, list positions as ints), a
    message on an object that also has errors inside going to its non_field_errors."""
    if set(flat) == {()}:
        return flat[()]
    nested = {}
    for path, messages in sorted(flat.items(), key=lambda item: len(item[0]), reverse=True):
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if not path:
            nested.setdefault("non_field_errors", []).extend(messages)
        elif isinstance(node.get(path[-1]), dict):
            node[path[-1]].setdefault("non_field_errors", []).extend(messages)
        else:
            node[path[-1]] = messages
    return nested
