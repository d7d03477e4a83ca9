"""drf-spectacular extensions: the bearer scheme and problem-details responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "onboarding.api.auth.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, or a token from POST /api/v1/auth/token (valid 60 minutes).",
        }
