"""Actions on one session: links, extension, cancellation, expiry, corrections, processing, screening,
document URLs, audit trail."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import services
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.documents import document_download_url
from onboarding.api.serializers import EventSerializer, LinkSerializer, SessionDetailSerializer
from onboarding.api.sessions import session_detail
from onboarding.models import Event, Session, SessionStatus
from onboarding.services.documents import get_document
from onboarding.services.screening import session_revalidate
from onboarding.tenancy import get_scoped

LinksResponse = inline_serializer("Links", {"links": LinkSerializer(many=True)})


class LinksRequest(StrictSerializer):
    applicant_ids = serializers.ListField(child=serializers.UUIDField(), required=False, allow_empty=False)
    send = serializers.BooleanField(
        required=False, default=False, help_text="Also email each applicant their new link (to the applicant's email)."
    )


class ExtendRequest(StrictSerializer):
    extend_days = serializers.IntegerField(min_value=1, max_value=365)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CancelRequest(StrictSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Kept in the audit trail."
    )


class CorrectionItem(StrictSerializer):
    step_id = serializers.CharField(max_length=64)
    applicant_id = serializers.UUIDField(required=False, allow_null=True)
    field_ids = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    document_types = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    message = serializers.CharField(max_length=2000)


class CorrectionsRequest(StrictSerializer):
    corrections = CorrectionItem(many=True, allow_empty=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def links_response(links):
    return {"links": LinkSerializer(links, many=True).data}


class SessionLinksView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Generate or regenerate applicant links",
        description="Every earlier link of the applicants concerned stops working.",
        request=LinksRequest,
        responses={200: LinksResponse},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        data = validated(LinksRequest, request.data)
        generate = services.links_send if data["send"] else services.links_generate
        links = generate(actor=self.actor, session_id=session_id, applicant_ids=data.get("applicant_ids"))
        return Response(links_response(links))


class SessionExtendView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Extend a session and its links",
        request=ExtendRequest,
        responses={200: SessionDetailSerializer},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        data = validated(ExtendRequest, request.data)
        services.session_extend(actor=self.actor, session_id=session_id, **data)
        return Response(session_detail(self.actor, session_id))


class SessionCancelView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Cancel a session",
        description="From draft, active, completed or awaiting_client_correction. The links stop "
        "working, the data is kept, and `session.cancelled` is sent; a cancelled session "
        "is final.",
        request=CancelRequest,
        responses={200: SessionDetailSerializer},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        data = validated(CancelRequest, request.data)
        services.session_cancel(actor=self.actor, session_id=session_id, reason=data["reason"])
        return Response(session_detail(self.actor, session_id))


class SessionExpireView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Expire a session now",
        description="What its TTL would do, at once (e.g. to test `session.expired`): from draft, "
        "active or awaiting_client_correction. POST .../extend brings it back.",
        request=None,
        responses={200: SessionDetailSerializer},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        services.session_expire_now(actor=self.actor, session_id=session_id)
        return Response(session_detail(self.actor, session_id))


class SessionCorrectionsView(ApiView):
    required_scopes = {"POST": "sessions:review"}

    @extend_schema(
        summary="Ask the applicants for corrections",
        request=CorrectionsRequest,
        responses={200: SessionDetailSerializer},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        data = validated(CorrectionsRequest, request.data)
        corrections = [
            {**item, "applicant_id": str(item["applicant_id"]) if item.get("applicant_id") else None}
            for item in data["corrections"]
        ]
        services.session_request_corrections(
            actor=self.actor, session_id=session_id, corrections=corrections, comment=data["comment"]
        )
        return Response(session_detail(self.actor, session_id))


ProcessResponse = inline_serializer(
    "ProcessingJob",
    {
        "session_id": serializers.UUIDField(),
        "status": serializers.CharField(),
        "job_state": serializers.ChoiceField(choices=["queued", "running", "done"]),
    },
)


class SessionProcessView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Run extraction and checks now",
        description="Answers 202 with the job's state; the outcome lands in `processing_results`.",
        request=None,
        responses={202: ProcessResponse},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        services.session_process(actor=self.actor, session_id=session_id)
        # With an in-process worker the job has already run by now.
        session = get_scoped(Session, self.actor, session_id)
        state = "running" if session.status == SessionStatus.PROCESSING else "done"
        return Response({"session_id": session.id, "status": session.status, "job_state": state}, status=202)


class SessionValidateView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Re-run the watchlist screening",
        request=None,
        responses={200: inline_serializer("Screening", {"watchlist": serializers.JSONField()})},
        tags=["sessions"],
    )
    def post(self, request, session_id):
        session = session_revalidate(actor=self.actor, session_id=session_id)
        return Response({"watchlist": session.processing_results["external_validations"]["watchlist"]})


class DocumentUrlView(ApiView):
    required_scopes = {"GET": "sessions:read"}

    @extend_schema(
        summary="A short-lived download URL for a document",
        responses={
            200: inline_serializer(
                "DocumentUrl", {"url": serializers.URLField(), "expires_at": serializers.DateTimeField()}
            )
        },
        tags=["sessions"],
    )
    def get(self, request, session_id, document_id):
        document = get_document(actor=self.actor, session_id=session_id, document_id=document_id)
        url, expires_at = document_download_url(request, document)
        return Response({"url": url, "expires_at": expires_at})


class SessionEventsView(ApiView):
    required_scopes = {"GET": "sessions:read"}
    serializer_class = EventSerializer
    cursor_ordering = ("sequence",)

    @extend_schema(
        summary="The session's audit trail, oldest first",
        responses={200: EventSerializer(many=True)},
        tags=["sessions"],
    )
    def get(self, request, session_id):
        session = get_scoped(Session, self.actor, session_id)
        events = Event.objects.filter(organization_id=session.organization_id, session_ref=session.id)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventSerializer(page, many=True).data)
