"""Sessions: list with filters and summary, create (JSON or multipart), read, change, erase."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import selectors
from onboarding.api.base import ApiView, DateTimeFilter, StrictSerializer, validated
from onboarding.api.nested import multipart_parts
from onboarding.api.serializers import (
    LinkSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    represent,
    represent_many,
)
from onboarding.api.session_input import check_input, json_uploads, multipart_uploads
from onboarding.errors import NotFound
from onboarding.models import INBOXES, SessionStatus
from onboarding.services import session_erase
from onboarding.services.api_support import session_change, session_create_with_documents
from onboarding.services.daily_counts import daily_counts_refresh
from onboarding.services.workflows import workflow_to_run

SESSION_SCOPES = {
    "GET": "sessions:read",
    "POST": "sessions:write",
    "PATCH": "sessions:write",
    "DELETE": "sessions:write",
}
# Changing a session's status, assignee or priority is a reviewer's act.
REVIEW_FIELDS = ("status", "notes", "reasons", "assigned_to", "priority")
STATUS_NAMES = "|".join(SessionStatus.values)


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
    links = serializers.BooleanField(
        required=False, default=False, help_text="Generate every applicant's link now and return them in `links`."
    )


class PendingInputSerializer(serializers.Serializer):
    applicant_id = serializers.UUIDField()
    verification_id = serializers.UUIDField()
    step_id = serializers.CharField()
    missing = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What the step still needs, per side (`front`, `back`, `document`) or form field.",
    )


class SessionCreated(SessionDetailSerializer):
    links = LinkSerializer(
        many=True, required=False, help_text="Only when asked with `links: true`: each applicant's link and its expiry."
    )
    pending_input = PendingInputSerializer(
        many=True,
        required=False,
        help_text="Only when `input` was given: the steps it completes are submitted at once (their checks "
        "run); the steps listed here were given part of what they need and still await the rest (from the "
        "applicant's link or POST /verifications/{id}/documents).",
    )


class SessionChange(StrictSerializer):
    status = serializers.ChoiceField(choices=["approved", "rejected", "manual_review"], required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    assigned_to = serializers.IntegerField(required=False, allow_null=True)
    priority = serializers.IntegerField(required=False)
    metadata = serializers.DictField(required=False)


def _one_of(values):
    """A choice whose refusal reads like the list filters' own ("Must be one of: …")."""
    return serializers.ChoiceField(
        choices=list(values), required=False, error_messages={"invalid_choice": f"Must be one of: {', '.join(values)}."}
    )


class SessionFilters(serializers.Serializer):
    status = _one_of(SessionStatus.values)
    status_list = serializers.RegexField(
        rf"^\s*({STATUS_NAMES})\s*(,\s*({STATUS_NAMES})\s*)*$",
        required=False,
        help_text="Comma-separated statuses.",
        error_messages={"invalid": f"Comma-separated statuses among: {', '.join(SessionStatus.values)}."},
    )
    compliance_status = _one_of(INBOXES)
    workflow_id = serializers.UUIDField(required=False)
    reference_id = serializers.CharField(required=False)
    assigned_to = serializers.RegexField(r"^(\d+|none)$", required=False, help_text="A user id, or none.")
    created_from = DateTimeFilter(required=False)
    created_to = DateTimeFilter(required=False)
    q = serializers.CharField(required=False, max_length=200)
    include_summary = serializers.BooleanField(required=False, default=False)

    def validate_status_list(self, value):
        return [status.strip() for status in value.split(",") if status.strip()]


# The flat fields of a multipart create. `input[...]` fields and files depend on the workflow's
# steps: GET /workflows/{id}/openapi lists them for one workflow.
MULTIPART_CREATE = {
    "type": "object",
    "required": ["workflow_id"],
    "properties": {
        "workflow_id": {"type": "string", "format": "uuid"},
        "name": {"type": "string", "maxLength": 200},
        "reference_id": {"type": "string", "maxLength": 200},
        "locale": {"type": "string", "maxLength": 5},
        "redirect_url": {"type": "string", "maxLength": 2000},
        "state": {"type": "string"},
        "ttl_days": {"type": "integer"},
        "workspace_id": {"type": "string", "format": "uuid"},
        "links": {"type": "boolean"},
        "metadata[subject_id]": {"type": "string", "maxLength": 200},
    },
    "additionalProperties": False,
}


def session_detail(actor, session_id):
    session = selectors.session_detail_queryset(actor).filter(id=session_id).first()
    if session is None:
        raise NotFound("Session not found.")
    return represent(SessionDetailSerializer, session)


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
        sessions = selectors.sessions_for(self.actor)
        listed = selectors.filter_sessions(sessions, filters, listing=True)
        page = self.paginate_queryset(selectors.with_progress(listed).select_related("workflow_version"))
        meta = {}
        if filters["include_summary"]:
            stored = None if selectors.narrows(filters) else (self.actor, "")
            if stored:
                daily_counts_refresh(self.actor.organization_id)
            meta["summary"] = selectors.session_summary(selectors.filter_sessions(sessions, filters), stored)
        return self.get_paginated_response(represent_many(SessionSerializer, page), **meta)

    @extend_schema(
        summary="Create a session",
        description="JSON, or multipart/form-data with bracketed names (`input[identity][first_name]`) and files "
        "under `input[documents][<step_id>]`. GET /workflows/{id}/openapi describes the body for one "
        "workflow exactly.",
        request={"application/json": SessionCreate, "multipart/form-data": MULTIPART_CREATE},
        responses={201: SessionCreated},
        tags=["sessions"],
    )
    def post(self, request):
        if request.content_type.startswith("multipart/"):
            body, files = multipart_parts(request.data)
            uploads = multipart_uploads(files, body)
        else:
            body, uploads = request.data, None
        data = validated(SessionCreate, body)
        given_input = dict(data.pop("input", {}) or {})
        run = workflow_to_run(self.actor, data["workflow_id"], subscriptions=True)
        check_input(run[1], given_input, from_multipart=uploads is not None)
        if uploads is None:
            uploads = json_uploads(given_input.get("documents"))
        given_input.pop("documents", None)
        session, links, pending = session_create_with_documents(
            actor=self.actor, documents=uploads, input=given_input, run=run, **data
        )
        if uploads or data.get("links"):  # documents and links are rows the session's objects do not hold
            body = session_detail(self.actor, session.id)
        else:  # the objects written (and moved on by given data) are the session as stored: no need to read it back
            body = represent(SessionDetailSerializer, selectors.created_session_detail(session))
        if links is not None:
            body["links"] = represent_many(LinkSerializer, links)
        if given_input or uploads:
            body["pending_input"] = represent_many(PendingInputSerializer, pending)
        return self.created(body)


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
