"""Parsing a session-creation body: `input` checked against the workflow, uploads from JSON or multipart."""

import base64
import binascii

from jsonschema import Draft202012Validator
from rest_framework.exceptions import ValidationError

from onboarding.api.input_schema import form_fields, input_schema
from onboarding.checks.form import FALSE_WORDS, TRUE_WORDS, validate_form_fields
from onboarding.services.api_support import Upload

TYPE_NAMES = {
    "string": "text",
    "object": "an object",
    "array": "a list",
    "boolean": "true or false",
    "integer": "a whole number",
}


def readable(error):
    """A JSON Schema error as a sentence an integrator can act on."""
    schema = error.schema
    if error.validator in ("pattern", "format") and schema.get("description"):
        return f"Must be {schema['description']}."
    if error.validator == "type":
        return f"Must be {TYPE_NAMES.get(error.validator_value, error.validator_value)}."
    if error.validator == "enum":
        return f"Must be one of: {', '.join(map(str, error.validator_value))}."
    if error.validator == "minLength":
        return "This field may not be blank."
    if error.validator == "maxLength":
        return f"Must be at most {error.validator_value} characters."
    return error.message


def check_input(version, data, *, from_multipart=False):
    """`input` must hold only the blocks the workflow version's steps read, each well-formed (400 per field).

    Multipart sends every value as text: checkbox words ("true", "off"...) become booleans first.
    """
    if version is None:
        return  # session_create answers with the reason
    form = data.get("form")
    if from_multipart and isinstance(form, dict):
        for field in form_fields(version):
            value = form.get(field["id"])
            if field["type"] == "checkbox" and isinstance(value, str) and value.lower() in TRUE_WORDS | FALSE_WORDS:
                form[field["id"]] = value.lower() in TRUE_WORDS
    errors = {}
    for error in Draft202012Validator(input_schema(version)).iter_errors(data):
        path = ".".join(str(p) for p in ("input", *error.absolute_path))
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for name in extra:
                errors[f"{path}.{name}"] = [
                    "Not used by this workflow's steps." if path == "input" else "Unknown field."
                ]
            continue
        if error.validator == "required":
            for name in sorted(set(error.validator_value) - set(error.instance)):
                errors[f"{path}.{name}"] = ["This field is required."]
            continue
        errors.setdefault(path, []).append(readable(error))
    _, form_errors = validate_form_fields(
        [{**field, "required": False} for field in form_fields(version)], data.get("form") or {}
    )
    errors.update({f"input.form.{key}": messages for key, messages in form_errors.items()})
    if errors:
        raise ValidationError(errors)


def json_uploads(documents):
    uploads = []
    for index, item in enumerate(documents or []):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({f"input.documents[{index}].content_base64": ["Not valid base64."]}) from None
        uploads.append(
            Upload(item["step_id"], content, item.get("filename", ""), item.get("kind", ""), item.get("side", ""))
        )
    return uploads


def multipart_uploads(files, body):
    """Files named input[documents][<step_id>] or input[documents][<step_id>][front|back]; the text field
    input[documents][<step_id>][kind] names the kind of that step's document (taken out of `body`)."""
    given = body.get("input")
    kinds = given.pop("documents", None) if isinstance(given, dict) else None
    if kinds is not None and not isinstance(kinds, dict):
        raise ValidationError({"input[documents]": ["Files go under input[documents][<step_id>]."]})
    for step_id, fields in (kinds or {}).items():
        if not isinstance(fields, dict) or set(fields) != {"kind"}:
            raise ValidationError(
                {f"input[documents][{step_id}]": ["Beside the files only input[documents][<step_id>][kind] is read."]}
            )
    uploads = []
    for parts, file in files:
        if (
            parts[:2] != ["input", "documents"]
            or len(parts) not in (3, 4)
            or parts[3:] not in ([], ["front"], ["back"])
        ):
            raise ValidationError(
                {"[".join(parts): ["Files go under input[documents][<step_id>], or its [front] and [back]."]}
            )
        side = parts[3] if len(parts) == 4 else ""
        kind = (kinds or {}).get(parts[2], {}).get("kind", "")
        uploads.append(Upload(parts[2], file.read(), file.name, kind, side))
    return uploads
