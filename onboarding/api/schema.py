"""drf-spectacular additions: the bearer scheme, the Idempotency-Key header on POSTs,
and the problem-details responses every operation may answer with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

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
SESSION_GONE = ("410", "The session's personal data was erased: it takes no new link, applicant or extension")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Replays within 24 hours return the first response; the same key with another body answers 422.",
)


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
        for code, description in problems.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/problem+json": {"schema": component.ref}},
                },
            )
        return responses
