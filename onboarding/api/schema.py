"""drf-spectacular additions: the bearer scheme, the Idempotency-Key header on POSTs,
and the problem-details responses every operation may answer with."""

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Per field (dotted path): what is wrong with it.",
        },
        "current_status": {"type": "string", "description": "On 409: the object's status that refused the change."},
        "missing_scope": {"type": "string", "description": "On 403: the scope the key lacks."},
    },
}
PROBLEMS = {
    "400": "Invalid request: `errors` names each bad field",
    "401": "Missing, invalid, expired or revoked key or token",
    "403": "The key lacks the scope named in `missing_scope`",
    "404": "No such object for this key (another tenant's ids look the same)",
    "409": "Refused in the object's current status, named in `current_status`",
    "429": "Too many requests: retry after the Retry-After header's seconds",
}
# Text that str.strip() does not empty (it also strips the separators U+001C-U+001F and U+0085).
NOT_ONLY_SPACES = r"[^\s\x1c-\x1f\x85]"
IDEMPOTENCY_MISMATCH = ("422", "This Idempotency-Key was already used with another request")
SESSION_GONE = ("410", "The session's personal data was erased: it takes no new link, applicant or extension")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description="Replays within 24 hours return the first response; the same key with another body answers 422.",
)

# The value of a query parameter sent blank (`?created_to=`), which the API reads as the parameter left out.
BLANK = {"type": "string", "maxLength": 0}


def admitting_blank(schema):
    """An optional query parameter's schema that also admits the blank value."""
    schema = dict(schema)
    schema.pop("minLength", None)
    if "pattern" in schema:
        schema["pattern"] = f"^$|{schema['pattern']}"
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], ""]
    elif schema.get("type") != "string" or "format" in schema:  # a date, uuid, number or boolean: blank is not one
        kept = {key: schema.pop(key) for key in ("default", "description") if key in schema}
        schema = {"anyOf": [schema, BLANK], **kept}
    return schema


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "onboarding.api.auth.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, or a token from POST /api/v1/auth/token (valid 60 minutes).",
        }


class ApiAutoSchema(AutoSchema):
    def map_parsers(self):
        # Bodies are JSON; multipart is documented only where an operation takes files
        # (its own parser list, or a request schema per media type).
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        # Fields of which one must be given, not blank: any of them, or exactly one.
        for attribute, keyword in (("requires_any_of", "anyOf"), ("requires_one_of", "oneOf")):
            names = getattr(serializer, attribute, None)
            if names:
                schema[keyword] = [{"required": [name], "properties": {name: {"minLength": 1}}} for name in names]
        return schema

    def _process_override_parameters(self, direction="request"):
        parameters = super()._process_override_parameters(direction)
        for (_name, location), parameter in parameters.items():
            # `?q=` is read as no q at all (a required parameter given blank is missing: refused).
            if location == "query" and parameter and not parameter.get("required"):
                parameter["schema"] = admitting_blank(parameter["schema"])
        return parameters

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        if isinstance(serializer, dict) and serializer.get("required"):
            required = True  # a raw schema with required fields needs a body, as a serializer's does
        return schema, required

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """What DRF refuses in a request, said in the schema: text not matching a field's pattern, blank
        text (spaces are trimmed), empty lists."""
        if hasattr(field, "json_schema"):  # onboarding.api.step_schema.SchemaField
            return {**field.json_schema, **({"description": str(field.help_text)} if field.help_text else {})}
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        patterns = [v.regex.pattern for v in field.validators if isinstance(v, RegexValidator)]
        if patterns:
            schema["pattern"] = patterns[0]
        if isinstance(field, serializers.FileField):
            # Sent as a file part (not empty): the default mapping describes the URL a response would carry.
            return {
                "type": "string",
                "format": "binary",
                "minLength": 1,
                **({"description": field.help_text} if field.help_text else {}),
            }
        if isinstance(field, serializers.CharField) and not field.allow_blank and not schema.get("enum"):
            schema.setdefault("minLength", 1)
            if field.trim_whitespace:
                schema.setdefault("pattern", NOT_ONLY_SPACES)
        if isinstance(field, (serializers.ListField, serializers.ListSerializer)) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        return schema

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        component = ResolvedComponent("Problem", ResolvedComponent.SCHEMA, schema=PROBLEM_SCHEMA, object="Problem")
        self.registry.register_on_missing(component)
        problems = dict(PROBLEMS)
        if self.method == "POST" and "{session_id}" in self.path:
            problems.update([SESSION_GONE])
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            problems.update([IDEMPOTENCY_MISMATCH])
        for code, description in problems.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/problem+json": {"schema": component.ref}},
                },
            )
        return responses
