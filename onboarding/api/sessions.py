"""Sessions: list with filters and summary, create (JSON or multipart), read, change, erase."""

import base64
import binascii

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from jsonschema import Draft202012Validator
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from onboarding import selectors
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.input_schema import form_fields, input_schema
from onboarding.api.nested import multipart_parts
from onboarding.api.serializers import SessionDetailSerializer, SessionSerializer
from onboarding.checks.form import FALSE_WORDS, TRUE_WORDS, validate_form_fields
from onboarding.errors import NotFound
from onboarding.models import Workflow
from onboarding.services import session_erase
from onboarding.services.api_support import Upload, session_change, session_create_with_documents
from onboarding.services.common import get_scoped
from onboarding.services.workflows import published_version

SESSION_SCOPES = {"GET": "sessions:read", "POST": "sessions:write", "PATCH": "sessions:write",
                  "DELETE": "sessions:write"}
# Changing a session's status, assignee or priority is a reviewer's act.
REVIEW_FIELDS = ("status", "notes", "reasons", "assigned_to", "priority")


class SessionCreate(StrictSerializer):
    workflow_id = serializers.UUIDField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reference_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    metadata = serializers.DictField(required=False)
    locale = serializers.CharField(max_length=5, required=False, default="en")
    redirect_url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    # Length is the service's rule (≤ 2048): it answers with the field named.
    state = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    ttl_days = serializers.IntegerField(required=False)
    workspace_id = serializers.UUIDField(required=False, allow_null=True)
    applicants = serializers.ListField(child=serializers.DictField(), required=False, allow_empty=False)
    input = serializers.DictField(required=False)


class SessionChange(StrictSerializer):
    status = serializers.ChoiceField(choices=["approved", "rejected", "manual_review"], required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    assigned_to = serializers.IntegerField(required=False, allow_null=True)
    priority = serializers.IntegerField(required=False)
    metadata = serializers.DictField(required=False)


class SessionFilters(serializers.Serializer):
    status = serializers.CharField(required=False)
    status_list = serializers.CharField(required=False, help_text="Comma-separated statuses.")
    compliance_status = serializers.CharField(required=False)
    workflow_id = serializers.UUIDField(required=False)
    reference_id = serializers.CharField(required=False)
    assigned_to = serializers.RegexField(r"^(\d+|none)$", required=False, help_text="A user id, or none.")
    created_from = serializers.DateTimeField(required=False)
    created_to = serializers.DateTimeField(required=False)
    q = serializers.CharField(required=False, max_length=200)
    include_summary = serializers.BooleanField(required=False, default=False)

    def validate_status_list(self, value):
        return [status.strip() for status in value.split(",") if status.strip()]


TYPE_NAMES = {"string": "text", "object": "an object", "array": "a list", "boolean": "true or false",
              "integer": "a whole number"}


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


def check_input(actor, workflow_id, data, *, from_multipart=False):
    """`input` must hold only the blocks the workflow's steps read, each well-formed (400 per field).

    Multipart sends every value as text: checkbox words ("true", "off"...) become booleans first.
    """
    workflow = get_scoped(Workflow, actor, workflow_id, deleted_at__isnull=True)
    version = published_version(workflow)
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
                errors[f"{path}.{name}"] = ["Not used by this workflow's steps." if path == "input"
                                            else "Unknown field."]
            continue
        if error.validator == "required":
            for name in sorted(set(error.validator_value) - set(error.instance)):
                errors[f"{path}.{name}"] = ["This field is required."]
            continue
        errors.setdefault(path, []).append(readable(error))
    _, form_errors = validate_form_fields([{**field, "required": False} for field in form_fields(version)],
                                          data.get("form") or {})
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
        uploads.append(Upload(item["step_id"], content, item.get("filename", ""), item.get("kind", ""),
                              item.get("side", "")))
    return uploads


def multipart_uploads(files):
    """Files named input[documents][<step_id>] or input[documents][<step_id>][front|back]."""
    uploads = []
    for parts, file in files:
        if parts[:2] != ["input", "documents"] or len(parts) not in (3, 4):
            raise ValidationError({"[".join(parts): ["Files go under input[documents][<step_id>]."]})
        side = parts[3] if len(parts) == 4 else ""
        uploads.append(Upload(parts[2], file.read(), file.name, "", side))
    return uploads


def session_detail(actor, session_id):
    session = selectors.session_detail_queryset(actor).filter(id=session_id).first()
    if session is None:
        raise NotFound("Session not found.")
    return SessionDetailSerializer(session).data


class SessionListView(ApiView):
    required_scopes = SESSION_SCOPES
    serializer_class = SessionSerializer

    @extend_schema(
        summary="List sessions",
        parameters=[SessionFilters],
        responses={200: SessionSerializer(many=True)},
        tags=["sessions"],
    )
    def get(self, request):
        filters = validated(SessionFilters, request.query_params)
        queryset = selectors.filter_sessions(selectors.sessions_for(self.actor), filters)
        page = self.paginate_queryset(queryset.select_related("workflow_version"))
        meta = {"summary": selectors.session_summary(queryset)} if filters["include_summary"] else {}
        return self.get_paginated_response(SessionSerializer(page, many=True).data, **meta)

    @extend_schema(
        summary="Create a session",
        description="JSON, or multipart/form-data with bracketed names (`input[identity][first_name]`) and files "
                    "under `input[documents][<step_id>]`. GET /workflows/{id}/openapi describes the body for one "
                    "workflow exactly.",
        request={"application/json": SessionCreate, "multipart/form-data": OpenApiTypes.OBJECT},
        responses={201: SessionDetailSerializer},
        tags=["sessions"],
    )
    def post(self, request):
        if request.content_type.startswith("multipart/"):
            body, files = multipart_parts(request.data)
            uploads = multipart_uploads(files)
        else:
            body, uploads = request.data, None
        data = validated(SessionCreate, body)
        given_input = dict(data.pop("input", {}) or {})
        check_input(self.actor, data["workflow_id"], given_input, from_multipart=uploads is not None)
        if uploads is None:
            uploads = json_uploads(given_input.get("documents"))
        given_input.pop("documents", None)
        session = session_create_with_documents(actor=self.actor, documents=uploads, input=given_input, **data)
        return self.created(session_detail(self.actor, session.id))


class SessionDetailView(ApiView):
    serializer_class = SessionDetailSerializer

    def required_scopes(self, request):
        if request.method == "PATCH" and isinstance(request.data, dict) and set(request.data) & set(REVIEW_FIELDS):
            return "sessions:review"
        return SESSION_SCOPES.get(request.method, "sessions:read")

    @extend_schema(summary="Read a session", tags=["sessions"])
    def get(self, request, session_id):
        return Response(session_detail(self.actor, session_id))

    @extend_schema(
        summary="Decide on or update a session",
        description="`status` (approved, rejected, manual_review; + `notes`) needs sessions:review, as do "
                    "`assigned_to` and `priority`. Reopening a decided session needs `notes`.",
        request=SessionChange,
        tags=["sessions"],
    )
    def patch(self, request, session_id):
        data = validated(SessionChange, request.data)
        session_change(actor=self.actor, session_id=session_id, **data)
        return Response(session_detail(self.actor, session_id))

    @extend_schema(summary="Erase a session's personal data and files", responses={204: None}, tags=["sessions"])
    def delete(self, request, session_id):
        session_erase(actor=self.actor, session_id=session_id, reason="erased through the API")
        return Response(status=204)

