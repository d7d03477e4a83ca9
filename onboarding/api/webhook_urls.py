from django.urls import path

from onboarding.api import webhooks

urlpatterns = [
    path("webhook-endpoints", webhooks.EndpointListView.as_view(), name="webhook-endpoints"),
    path("webhook-endpoints/<uuid:endpoint_id>", webhooks.EndpointDetailView.as_view(), name="webhook-endpoint"),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/rotate-secret",
        webhooks.RotateSecretView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries",
        webhooks.DeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver",
        webhooks.RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
