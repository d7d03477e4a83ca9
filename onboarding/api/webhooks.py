"""Webhook endpoints and their deliveries (SPEC §8)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from onboarding import webhooks
from onboarding.api.base import HTTP_URL_PATTERN, ApiView, StrictSerializer, validated
from onboarding.models import DeliveryAttempt, Environment
from onboarding.outbox import EVENT_TYPES

SCOPES = {"GET": "webhooks:write", "POST": "webhooks:write", "PATCH": "webhooks:write", "DELETE": "webhooks:write"}
TAGS = ["webhooks"]
DELIVERY_STATUSES = ["pending", "succeeded", "failed"]


class EndpointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    description = serializers.CharField()
    event_types = serializers.ListField(
        child=serializers.ChoiceField(EVENT_TYPES), help_text="Empty: every event type."
    )
    environment = serializers.ChoiceField(Environment.values)
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField()
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until then requests also carry a signature made with the previous secret."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="`whsec_…`: shown only in this response.")


URL_INVALID = {"invalid": "The URL must start with https:// or http://."}


class EndpointCreate(StrictSerializer):
    url = serializers.RegexField(HTTP_URL_PATTERN, max_length=2000, error_messages=URL_INVALID)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(EVENT_TYPES),
        required=False,
        default=list,
        help_text="Empty: every event type. The endpoint gets the API key's environment.",
    )


class EndpointUpdate(StrictSerializer):
    url = serializers.RegexField(HTTP_URL_PATTERN, max_length=2000, required=False, error_messages=URL_INVALID)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(EVENT_TYPES), required=False)
    enabled = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()
    response_excerpt = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    endpoint_id = serializers.UUIDField()
    webhook_id = serializers.UUIDField(source="message_id", help_text="The `webhook-id` header: same on every retry.")
    event_type = serializers.CharField(source="message.event_type")
    payload = serializers.JSONField(source="message.payload")
    status = serializers.ChoiceField(DELIVERY_STATUSES)
    attempt_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    attempts = AttemptSerializer(many=True)


def with_secret(endpoint, secret):
    return {**EndpointSerializer(endpoint).data, "secret": secret}


class EndpointListView(ApiView):
    required_scopes = SCOPES
    serializer_class = EndpointSerializer

    @extend_schema(summary="List webhook endpoints", responses=EndpointSerializer(many=True), tags=TAGS)
    def get(self, request):
        page = self.paginate_queryset(webhooks.endpoints_for(self.actor))
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a webhook endpoint",
        request=EndpointCreate,
        responses={201: EndpointWithSecretSerializer},
        tags=TAGS,
    )
    def post(self, request):
        data = validated(EndpointCreate, request.data)
        endpoint, secret = webhooks.endpoint_create(actor=self.actor, **data)
        return self.created(with_secret(endpoint, secret))


class EndpointDetailView(ApiView):
    required_scopes = SCOPES
    serializer_class = EndpointSerializer

    @extend_schema(summary="Read a webhook endpoint", tags=TAGS)
    def get(self, request, endpoint_id):
        return Response(EndpointSerializer(webhooks.get_endpoint(self.actor, endpoint_id)).data)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="`enabled: true` re-enables a disabled one.",
        request=EndpointUpdate,
        tags=TAGS,
    )
    def patch(self, request, endpoint_id):
        data = validated(EndpointUpdate, request.data)
        endpoint = webhooks.endpoint_update(actor=self.actor, endpoint_id=endpoint_id, **data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(summary="Delete a webhook endpoint", responses={204: None}, tags=TAGS)
    def delete(self, request, endpoint_id):
        webhooks.endpoint_delete(actor=self.actor, endpoint_id=endpoint_id)
        return Response(status=204)


class RotateSecretView(ApiView):
    required_scopes = SCOPES
    serializer_class = EndpointWithSecretSerializer

    @extend_schema(
        summary="Rotate an endpoint's secret",
        description="Returns the new secret once; the previous one keeps signing for 24 hours.",
        request=None,
        responses={200: EndpointWithSecretSerializer},
        tags=TAGS,
    )
    def post(self, request, endpoint_id):
        secret = webhooks.endpoint_rotate_secret(actor=self.actor, endpoint_id=endpoint_id)
        return Response(with_secret(webhooks.get_endpoint(self.actor, endpoint_id), secret))


class DeliveryListView(ApiView):
    required_scopes = SCOPES
    serializer_class = DeliverySerializer

    @extend_schema(
        summary="List an endpoint's deliveries, newest first, with every attempt",
        parameters=[OpenApiParameter("status", enum=DELIVERY_STATUSES)],
        responses=DeliverySerializer(many=True),
        tags=TAGS,
    )
    def get(self, request, endpoint_id):
        queryset = webhooks.deliveries_for(self.actor, endpoint_id).prefetch_related(
            Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("created_at"))
        )
        status = request.query_params.get("status")
        if status:
            if status not in DELIVERY_STATUSES:
                raise ValidationError({"status": [f"Must be one of: {', '.join(DELIVERY_STATUSES)}."]})
            queryset = queryset.filter(status=status)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class RedeliverView(ApiView):
    required_scopes = SCOPES
    serializer_class = DeliverySerializer

    @extend_schema(
        summary="Send a delivery again",
        request=None,
        description="Same `webhook-id`, fresh timestamp and signature; starts a new retry cycle.",
        responses={
            202: inline_serializer("Redelivery", {"id": serializers.UUIDField(), "status": serializers.CharField()})
        },
        tags=TAGS,
    )
    def post(self, request, endpoint_id, delivery_id):
        delivery = webhooks.redeliver(actor=self.actor, endpoint_id=endpoint_id, delivery_id=delivery_id)
        return Response({"id": str(delivery.id), "status": delivery.status}, status=202)
