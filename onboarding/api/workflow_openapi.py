"""GET /workflows/{id}/openapi: an OpenAPI 3.1 document for creating sessions on one workflow."""

from django.conf import settings

from onboarding.api.input_schema import multipart_schema, session_create_schema
from onboarding.api.schema import PROBLEM_SCHEMA

CREATED = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string"},
        "reference_id": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"},
        "applicants": {"type": "array", "items": {"type": "object"}},
        "links": {
            "type": "array",
            "description": "With `links: true`: each applicant's link and its expiry.",
            "items": {
                "type": "object",
                "properties": {
                    "applicant_id": {"type": "string", "format": "uuid"},
                    "link_url": {"type": "string", "format": "uri"},
                    "link_expires_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}


def _problem(description):
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def workflow_openapi(workflow, version):
    """The document for `version` (the workflow's published version)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Create a session: {workflow.name}",
            "version": str(version.number),
            "description": version.description or f"Sessions on workflow {workflow.name}, version {version.number}.",
        },
        "servers": [{"url": f"{settings.PUBLIC_BASE_URL}/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/sessions": {
                "post": {
                    "operationId": "createSession",
                    "summary": f"Open a session on {workflow.name}",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 255},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/SessionCreate"}},
                            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/SessionCreateMultipart"}},
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "The session",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}},
                        },
                        "400": _problem("Invalid fields, named in `errors`"),
                        "401": _problem("Missing or invalid API key"),
                        "403": _problem("The key lacks sessions:write"),
                        "422": _problem("Idempotency-Key reused with another body"),
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "SessionCreate": session_create_schema(version, workflow.id),
                "SessionCreateMultipart": multipart_schema(version, workflow.id),
                "Session": CREATED,
                "Problem": PROBLEM_SCHEMA,
            },
        },
    }
