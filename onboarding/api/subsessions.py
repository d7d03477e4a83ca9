"""Related parties (UBOs, directors, legal representatives) as subsessions of a session."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import selectors, services
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.serializers import SessionDetailSerializer, SessionSerializer, represent_many
from onboarding.api.session_actions import LinksResponse, links_response
from onboarding.api.sessions import session_detail
from onboarding.models import Session
from onboarding.services.related_parties import related_party_add, subsession_delete
from onboarding.steps import RELATED_PARTY_ROLES
from onboarding.tenancy import get_scoped


class SubsessionCreate(StrictSerializer):
    role = serializers.ChoiceField(choices=RELATED_PARTY_ROLES, required=False, allow_blank=True, default="")
    workflow_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Defaults to the related_parties step's workflow, else the session's own.",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reference_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    metadata = serializers.DictField(required=False)
    locale = serializers.CharField(max_length=5, required=False, default="en")
    applicants = serializers.ListField(child=serializers.DictField(), required=False, allow_empty=False)
    input = serializers.DictField(required=False)


class SubsessionListView(ApiView):
    required_scopes = {"GET": "sessions:read", "POST": "sessions:write"}
    serializer_class = SessionSerializer

    @extend_schema(
        summary="List a session's subsessions", responses={200: SessionSerializer(many=True)}, tags=["subsessions"]
    )
    def get(self, request, session_id):
        parent = get_scoped(Session, self.actor, session_id)
        subsessions = selectors.filter_sessions(selectors.sessions_for(self.actor), {"parent_id": parent.id})
        page = self.paginate_queryset(selectors.with_progress(subsessions).select_related("workflow_version"))
        return self.get_paginated_response(represent_many(SessionSerializer, page))

    @extend_schema(
        summary="Add a related party as a subsession",
        request=SubsessionCreate,
        responses={201: SessionDetailSerializer},
        tags=["subsessions"],
    )
    def post(self, request, session_id):
        data = validated(SubsessionCreate, request.data)
        subsession = related_party_add(actor=self.actor, session_id=session_id, **data)
        return self.created(session_detail(self.actor, subsession.id))


class SubsessionLinksView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Generate or regenerate a subsession's links",
        request=None,
        responses={200: LinksResponse},
        tags=["subsessions"],
    )
    def post(self, request, session_id, subsession_id):
        subsession = get_scoped(Session, self.actor, subsession_id, parent_id=session_id)
        return Response(links_response(services.links_generate(actor=self.actor, session_id=subsession.id)))


class SubsessionDetailView(ApiView):
    required_scopes = {"DELETE": "sessions:write"}

    @extend_schema(summary="Remove a related party", responses={204: None}, tags=["subsessions"])
    def delete(self, request, session_id, subsession_id):
        subsession_delete(actor=self.actor, session_id=session_id, subsession_id=subsession_id)
        return Response(status=204)
