"""Workflows: list, create, read, edit (a published one gets a new version), archive, publish, versions, OpenAPI."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import services
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.serializers import VersionSerializer, WorkflowSerializer
from onboarding.api.step_schema import SETTINGS, SETTINGS_CHANGE, STEPS, SchemaField
from onboarding.api.workflow_openapi import workflow_openapi
from onboarding.errors import NotFound
from onboarding.models import Workflow, WorkflowVersion
from onboarding.services.workflows import published_version
from onboarding.tenancy import get_scoped, scoped

READ_WRITE = {
    "GET": "workflows:read",
    "POST": "workflows:write",
    "PATCH": "workflows:write",
    "DELETE": "workflows:write",
}


class WorkflowWrite(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    custom_tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    settings = SchemaField(SETTINGS_CHANGE, required=False)
    steps = SchemaField(STEPS)


class WorkflowCreate(WorkflowWrite):
    settings = SchemaField(SETTINGS, required=False)
    workspace_id = serializers.UUIDField(required=False, allow_null=True)
    publish = serializers.BooleanField(default=False)


def live_workflows(actor):
    return scoped(Workflow, actor).filter(deleted_at__isnull=True).prefetch_related("versions")


def workflow_response(actor, workflow_id):
    return WorkflowSerializer(get_scoped(Workflow, actor, workflow_id, deleted_at__isnull=True)).data


class WorkflowListView(ApiView):
    required_scopes = READ_WRITE
    serializer_class = WorkflowSerializer

    @extend_schema(summary="List workflows", responses={200: WorkflowSerializer(many=True)}, tags=["workflows"])
    def get(self, request):
        page = self.paginate_queryset(live_workflows(self.actor))
        return self.get_paginated_response(WorkflowSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a workflow", request=WorkflowCreate, responses={201: WorkflowSerializer}, tags=["workflows"]
    )
    def post(self, request):
        data = validated(WorkflowCreate, request.data)
        workflow = services.workflow_create(actor=self.actor, **data)
        return self.created(workflow_response(self.actor, workflow.id))


class WorkflowDetailView(ApiView):
    required_scopes = READ_WRITE
    serializer_class = WorkflowSerializer

    @extend_schema(summary="Read a workflow", tags=["workflows"])
    def get(self, request, workflow_id):
        return Response(workflow_response(self.actor, workflow_id))

    @extend_schema(
        summary="Edit a workflow",
        description="Editing a published workflow creates version N+1. `settings` changes only the "
        "settings it names (objects such as `validations` key by key); `null` puts a "
        "setting back to its default.",
        request=WorkflowWrite(partial=True),
        tags=["workflows"],
    )
    def patch(self, request, workflow_id):
        data = validated(WorkflowWrite, request.data, partial=True)
        services.workflow_update(actor=self.actor, workflow_id=workflow_id, **data)
        return Response(workflow_response(self.actor, workflow_id))

    @extend_schema(summary="Archive a workflow", responses={204: None}, tags=["workflows"])
    def delete(self, request, workflow_id):
        services.workflow_delete(actor=self.actor, workflow_id=workflow_id)
        return Response(status=204)


class WorkflowPublishView(ApiView):
    required_scopes = {"POST": "workflows:write"}

    @extend_schema(
        summary="Publish the workflow's draft version",
        request=None,
        responses={200: VersionSerializer},
        tags=["workflows"],
    )
    def post(self, request, workflow_id):
        version = services.workflow_publish(actor=self.actor, workflow_id=workflow_id)
        return Response(VersionSerializer(version).data)


class WorkflowVersionsView(ApiView):
    required_scopes = {"GET": "workflows:read"}
    serializer_class = VersionSerializer
    cursor_ordering = ("-number", "-id")

    @extend_schema(
        summary="List a workflow's versions", responses={200: VersionSerializer(many=True)}, tags=["workflows"]
    )
    def get(self, request, workflow_id):
        workflow = get_scoped(Workflow, self.actor, workflow_id)
        page = self.paginate_queryset(WorkflowVersion.objects.filter(workflow=workflow))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)


class WorkflowOpenApiView(ApiView):
    required_scopes = {"GET": "workflows:read"}

    @extend_schema(
        summary="OpenAPI 3.1 document for creating sessions on this workflow",
        responses={200: OpenApiTypes.OBJECT},
        tags=["workflows"],
    )
    def get(self, request, workflow_id):
        workflow = get_scoped(Workflow, self.actor, workflow_id, deleted_at__isnull=True)
        version = published_version(workflow)
        if version is None:
            raise NotFound("This workflow has no published version yet.")
        return Response(workflow_openapi(workflow, version))
