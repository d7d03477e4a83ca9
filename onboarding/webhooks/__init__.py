"""Webhooks (SPEC §8): endpoints, Standard Webhooks signatures, delivery from the outbox."""

from onboarding.webhooks.delivery import deliver, dispatch_message, redeliver, sweep
from onboarding.webhooks.endpoints import (
    deliveries_for,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
    endpoints_for,
    get_endpoint,
)

__all__ = [
    "deliver",
    "deliveries_for",
    "dispatch_message",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_rotate_secret",
    "endpoint_update",
    "endpoints_for",
    "get_endpoint",
    "redeliver",
    "sweep",
]
