"""What a session's `input` may hold on a given workflow version, as JSON Schema.

One description serves twice: GET /workflows/{id}/openapi publishes it, and
POST /sessions validates `input` against it, so the document an integrator
reads is exactly what the API enforces. The blocks are those the version's
steps read (input_blocks in onboarding.steps.STEP_TYPES); each block's fields are the
applicant fields the services accept (onboarding.services.sessions.BLOCK_FIELDS).
"""

from onboarding.models import ApplicantType
from onboarding.services.documents import accepted_kinds
from onboarding.services.sessions import BLOCK_FIELDS, MAX_STATE_LENGTH
from onboarding.steps import STEP_TYPES
from onboarding.texts import text_in

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date as YYYY-MM-DD"}
COUNTRY = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "an ISO 3166-1 alpha-2 country code"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
PERSON = {
    "type": "object",
    "additionalProperties": False,
    "required": ["first_name", "last_name"],
    "properties": {"first_name": TEXT, "last_name": TEXT, "birth_date": DATE},
}
FIELD_TYPES = {
    "identity": {
        "first_name": TEXT,
        "last_name": TEXT,
        "birth_date": DATE,
        "birth_place": TEXT,
        "nationality": COUNTRY,
        "gender": {"type": "string", "enum": ["female", "male", "other"]},
    },
    "address": {
        "line_1": TEXT,
        "line_2": {"type": "string", "maxLength": 200},
        "zip_code": TEXT,
        "city": TEXT,
        "state": TEXT,
        "country": COUNTRY,
    },
    "bank_account": {
        "iban": {"type": "string", "pattern": "^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{8,40}$", "description": "an IBAN"},
        "bic": {
            "type": "string",
            "pattern": "^[A-Za-z0-9]{8}([A-Za-z0-9]{3})?$",
            "description": "a BIC of 8 or 11 characters",
        },
        "holder_name": TEXT,
    },
    "company": {
        "company_name": TEXT,
        "registration_number": TEXT,
        "country_code": COUNTRY,
        "legal_form": TEXT,
        "legal_representatives": {"type": "array", "maxItems": 20, "items": PERSON},
    },
}
REQUIRED_FIELDS = {
    "identity": ["first_name", "last_name"],
    "address": ["line_1", "zip_code", "city", "country"],
    "bank_account": ["iban"],
    "company": ["company_name", "country_code"],
}
FORM_FIELD_SCHEMAS = {
    "text": {"type": "string"},
    "name": TEXT,
    "email": {"type": "string", "format": "email", "description": "an e-mail address"},
    "phone": {"type": "string", "pattern": r"^\+?[0-9 ().-]{6,20}$", "description": "a phone number, E.164 preferred"},
    "date": DATE,
    "country": COUNTRY,
    "address": {"type": "object", "properties": FIELD_TYPES["address"]},
    "checkbox": {"type": "boolean"},
}
assert all(set(fields) <= BLOCK_FIELDS[block] for block, fields in FIELD_TYPES.items())


def input_blocks(version):
    """The data blocks the version's steps read, in step order."""
    blocks = []
    for step in version.steps:
        for block in STEP_TYPES[step["type"]].input_blocks:
            if block not in blocks:
                blocks.append(block)
    return blocks


def document_steps(version):
    return [step["id"] for step in version.steps if STEP_TYPES[step["type"]].takes_documents]


def form_fields(version):
    return [field for step in version.steps if step["type"] == "form" for field in step["config"].get("fields", [])]


def form_schema(version):
    """Form values may be prefilled in part: the applicant completes the rest, so none is required here."""
    properties = {}
    for field in form_fields(version):
        schema = dict(FORM_FIELD_SCHEMAS.get(field["type"], {"type": "string"}))
        if field["type"] == "select":
            schema = {
                "type": "string",
                "enum": [str(c.get("value") if isinstance(c, dict) else c) for c in field["choices"]],
            }
        if field.get("label"):
            schema["title"] = text_in(field["label"], "en")  # a label may carry one value per language
        properties[field["id"]] = schema
    return {"type": "object", "additionalProperties": False, "properties": properties}


def block_schema(version, block):
    if block == "form":
        return form_schema(version)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": FIELD_TYPES[block],
        "required": REQUIRED_FIELDS[block],
    }


def json_document_schema(step_ids):
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["step_id", "content_base64"],
        "properties": {
            "step_id": {"type": "string", "enum": step_ids},
            "content_base64": {"type": "string", "contentEncoding": "base64"},
            "filename": {"type": "string", "maxLength": 255},
            "kind": {"type": "string", "maxLength": 60},
            "side": {"type": "string", "enum": ["front", "back", ""]},
        },
    }


def input_schema(version):
    """JSON Schema of `input` (JSON request form) for sessions on this version."""
    properties = {block: block_schema(version, block) for block in input_blocks(version)}
    steps = document_steps(version)
    if steps:
        properties["documents"] = {"type": "array", "maxItems": 20, "items": json_document_schema(steps)}
    return {"type": "object", "additionalProperties": False, "properties": properties}


def session_create_schema(version, workflow_id):
    """JSON Schema of the POST /sessions body for this workflow."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["workflow_id"],
        "properties": {
            "workflow_id": {"type": "string", "format": "uuid", "const": str(workflow_id)},
            "name": {"type": "string", "maxLength": 200},
            "reference_id": {"type": "string", "maxLength": 200},
            "metadata": {"type": "object", "properties": {"subject_id": {"type": "string", "maxLength": 200}}},
            "locale": {"type": "string", "enum": list(version.setting("locales"))},
            "redirect_url": {
                "type": "string",
                "format": "uri",
                "maxLength": 2000,
                "description": "Must match the workflow's redirect allowlist: "
                + ", ".join(version.setting("redirect_allowlist") or ["(none)"]),
            },
            "state": {"type": "string", "maxLength": MAX_STATE_LENGTH},
            "ttl_days": {"type": "integer", "minimum": 1, "maximum": 365},
            "links": {
                "type": "boolean",
                "default": False,
                "description": "Generate every applicant's link now and return them in `links`.",
            },
            "workspace_id": {"type": ["string", "null"], "format": "uuid"},
            "applicants": {"type": "array", "minItems": 1, "items": applicant_schema(version)},
            "input": input_schema(version),
        },
    }


def applicant_schema(version):
    """One inline applicant (`applicants[]`): who they are and what is known of them; without
    `applicants` the session has one, made of `input`."""
    text = {"type": "string", "maxLength": 200}
    blocks = {
        block: {"type": "object", "additionalProperties": False, "properties": {name: {} for name in sorted(fields)}}
        for block, fields in BLOCK_FIELDS.items()
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "type": {"enum": [ApplicantType.NATURAL_PERSON, ApplicantType.LEGAL_PERSON]},
            "label": text,
            "reference_id": text,
            "email": {"type": "string", "maxLength": 254},
            "phone_number": {"type": "string", "maxLength": 20},
            **blocks,
            "form": form_schema(version),
        },
    }


def multipart_schema(version, workflow_id):
    """The same body as multipart/form-data: nested keys in brackets, files under input[documents][<step_id>]
    (or its [front] and [back]), the document's kind in input[documents][<step_id>][kind]."""
    json_schema = session_create_schema(version, workflow_id)
    properties = {
        name: schema for name, schema in json_schema["properties"].items() if name not in ("input", "metadata")
    }
    properties["metadata[subject_id]"] = {"type": "string", "maxLength": 200}
    for block, schema in json_schema["properties"]["input"]["properties"].items():
        if block == "documents":
            continue
        for field, field_schema in schema["properties"].items():
            if field_schema.get("type") in ("object", "array"):
                continue
            properties[f"input[{block}][{field}]"] = field_schema
    file = {"type": "string", "contentMediaType": "application/octet-stream"}
    for step in version.steps:
        if step["id"] not in document_steps(version):
            continue
        name = f"input[documents][{step['id']}]"
        properties[name] = {"type": "array", "items": file}
        for side in filter(None, STEP_TYPES[step["type"]].sides):
            properties[f"{name}[{side}]"] = file
        if accepted_kinds(step):
            properties[f"{name}[kind]"] = {"type": "string", "enum": accepted_kinds(step)}
    return {"type": "object", "required": ["workflow_id"], "properties": properties}
