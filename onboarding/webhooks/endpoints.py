"""Webhook endpoints: registration, changes, deletion and secret rotation."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from onboarding.audit import lock_organization, record_event
from onboarding.errors import NotFound, ValidationFailed
from onboarding.models import Environment, WebhookDelivery, WebhookEndpoint
from onboarding.outbox import EVENT_TYPES
from onboarding.webhooks.signatures import new_secret
from onboarding.webhooks.url_safety import UnsafeUrl, check_url, normalize_url

# How long the replaced secret keeps signing after a rotation, so receivers can switch over.
ROTATION_OVERLAP = timedelta(hours=24)
EDITABLE = ("url", "description", "event_types", "enabled")


def endpoints_for(actor):
    """The endpoints this actor may see: its organization, and its environment for API keys."""
    queryset = WebhookEndpoint.objects.filter(organization_id=actor.organization_id)
    if actor.environment:
        queryset = queryset.filter(environment=actor.environment)
    return queryset.order_by("-created_at")


def get_endpoint(actor, endpoint_id, *, lock=False):
    queryset = endpoints_for(actor)
    if lock:
        lock_organization(actor.organization_id)
        queryset = queryset.select_for_update()
    try:
        return queryset.get(id=endpoint_id)
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise NotFound("Webhook endpoint not found.") from None


def deliveries_for(actor, endpoint_id):
    endpoint = get_endpoint(actor, endpoint_id)
    return WebhookDelivery.objects.filter(endpoint=endpoint).select_related("message")


def _clean_url(url):
    if not isinstance(url, str) or len(url) > 2000:
        raise ValidationFailed({"url": ["Must be a URL of at most 2000 characters."]})
    try:
        url = normalize_url(url)
        check_url(url)
    except UnsafeUrl as error:
        raise ValidationFailed({"url": [str(error)]}) from None
    return url


def _clean_event_types(event_types):
    if event_types is None:
        return []
    if not isinstance(event_types, list) or any(t not in EVENT_TYPES for t in event_types):
        raise ValidationFailed({"event_types": [f"Must be a list of: {', '.join(EVENT_TYPES)} (empty: all)."]})
    return sorted(set(event_types))


def _clean_description(description):
    if not isinstance(description, str) or len(description) > 200:
        raise ValidationFailed({"description": ["Must be text of at most 200 characters."]})
    return description


@transaction.atomic(durable=True)
def endpoint_create(*, actor, url, description="", event_types=None, environment=None):
    """Register an endpoint; returns (endpoint, secret). The secret is shown this once."""
    environment = actor.environment or environment or Environment.LIVE
    if environment not in Environment.values:
        raise ValidationFailed({"environment": [f"Must be one of: {', '.join(Environment.values)}."]})
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organization_id=actor.organization_id,
        url=_clean_url(url),
        description=_clean_description(description),
        event_types=_clean_event_types(event_types),
        environment=environment,
        secret=secret,
    )
    record_event(
        actor=actor,
        action="webhook_endpoint.created",
        obj=endpoint,
        data={"url": endpoint.url, "event_types": endpoint.event_types, "environment": environment},
    )
    return endpoint, secret


@transaction.atomic(durable=True)
def endpoint_update(*, actor, endpoint_id, **changes):
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed({name: ["This field cannot be changed."] for name in sorted(unknown)})
    endpoint = get_endpoint(actor, endpoint_id, lock=True)
    if "url" in changes:
        endpoint.url = _clean_url(changes["url"])
    if "description" in changes:
        endpoint.description = _clean_description(changes["description"])
    if "event_types" in changes:
        endpoint.event_types = _clean_event_types(changes["event_types"])
    if "enabled" in changes:
        if not isinstance(changes["enabled"], bool):
            raise ValidationFailed({"enabled": ["Must be true or false."]})
        endpoint.enabled = changes["enabled"]
        if endpoint.enabled:
            endpoint.disabled_reason = ""
        elif not endpoint.disabled_reason:
            endpoint.disabled_reason = "Disabled by the organization."
    endpoint.save()
    record_event(actor=actor, action="webhook_endpoint.updated", obj=endpoint, data={"fields": sorted(changes)})
    return endpoint


@transaction.atomic(durable=True)
def endpoint_delete(*, actor, endpoint_id):
    endpoint = get_endpoint(actor, endpoint_id, lock=True)
    record_event(actor=actor, action="webhook_endpoint.deleted", obj=endpoint, data={"url": endpoint.url})
    endpoint.delete()


@transaction.atomic(durable=True)
def endpoint_rotate_secret(*, actor, endpoint_id):
    """A new secret; the old one keeps signing alongside it for ROTATION_OVERLAP. Returns the new secret."""
    endpoint = get_endpoint(actor, endpoint_id, lock=True)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save()
    record_event(
        actor=actor,
        action="webhook_endpoint.secret_rotated",
        obj=endpoint,
        data={"previous_secret_expires_at": endpoint.previous_secret_expires_at.isoformat()},
    )
    return endpoint.secret


def signing_secrets(endpoint, now=None):
    """The secrets that sign a request now: the current one, plus the previous one during the overlap."""
    now = now or timezone.now()
    in_use = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        in_use.append(endpoint.previous_secret)
    return in_use
