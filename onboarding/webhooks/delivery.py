"""Delivering outbox messages: fan-out to endpoints, signed attempts, retries, redelivery.

At least once: a delivery is claimed with a short lease before its request is
sent and marked only after the answer is recorded, so a worker dying in
between leaves it due again, and it is re-sent with the same `webhook-id`.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from requests.adapters import HTTPAdapter

from onboarding import tasks
from onboarding.audit import record_event
from onboarding.errors import NotFound, ValidationFailed
from onboarding.models import DeliveryAttempt, OutboxMessage, WebhookDelivery, WebhookEndpoint
from onboarding.webhooks.endpoints import get_endpoint, signing_secrets
from onboarding.webhooks.schedule import next_attempt_at
from onboarding.webhooks.signatures import headers
from onboarding.webhooks.url_safety import UnsafeUrl, check_url

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Longer than a request can take, so a delivery in flight is not picked up twice.
LEASE = timedelta(seconds=60)
EXCERPT_CHARS = 200
# Messages whose after-commit dispatch was lost (broker down, process killed) are swept after this.
DISPATCH_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def message_body(message):
    """The exact bytes sent (and signed): thin payload, stable across retries."""
    return json.dumps(
        {
            "id": str(message.id),
            "type": message.event_type,
            "timestamp": message.created_at.isoformat(),
            "environment": message.environment,
            "data": message.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def subscribed_endpoints(message):
    endpoints = WebhookEndpoint.objects.filter(
        organization_id=message.organization_id, environment=message.environment, enabled=True
    )
    return [e for e in endpoints if not e.event_types or message.event_type in e.event_types]


@transaction.atomic
def dispatch_message(message_id):
    """Create one delivery per subscribed endpoint (once) and schedule them; returns the new delivery ids."""
    message = OutboxMessage.objects.select_for_update().filter(id=message_id).first()
    if message is None or message.dispatched_at is not None:
        return []
    now = timezone.now()
    created = []
    for endpoint in subscribed_endpoints(message):
        delivery, is_new = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            message=message,
            defaults={"organization_id": message.organization_id, "next_attempt_at": now},
        )
        if is_new:
            created.append(str(delivery.id))
    message.dispatched_at = now
    message.save(update_fields=["dispatched_at", "updated_at"])
    transaction.on_commit(lambda: [_enqueue_delivery(i) for i in created], robust=True)
    return created


def _enqueue_delivery(delivery_id):
    tasks.deliver_webhook.delay(delivery_id)


def _claim(delivery_id):
    """Take a due pending delivery for one attempt; None when it is not due or already settled."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint", "message")
            .filter(id=delivery_id)
            .first()
        )
        now = timezone.now()
        if delivery is None or delivery.status != "pending":
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        if not delivery.endpoint.enabled:
            # Nothing is sent to a disabled endpoint; its deliveries end, and can be redelivered once re-enabled.
            delivery.status, delivery.next_attempt_at = "failed", None
            delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
            return None
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["next_attempt_at", "updated_at"])
        return delivery


def deliver(delivery_id):
    """Make one attempt at a due delivery; returns the DeliveryAttempt, or None if there was nothing to do."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    now = timezone.now()
    body = message_body(delivery.message)
    request_headers = headers(signing_secrets(endpoint, now), str(delivery.message_id), int(now.timestamp()), body)
    started = time.monotonic()
    outcome = send(endpoint.url, body, request_headers)
    duration_ms = round((time.monotonic() - started) * 1000)
    return _record(delivery_id, outcome, duration_ms)


@dataclass(frozen=True)
class Outcome:
    """What one request got back: a status code, or the error that prevented one."""

    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after: str | None = None

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def send(url, body, request_headers):
    """POST once: no redirects, 10 s timeout, the URL re-checked (DNS may have changed since registration).

    The connection goes to the address that was just vetted, not to a second
    DNS answer, so a host cannot pass the check and then resolve elsewhere.
    """
    try:
        addresses = check_url(url)
    except UnsafeUrl as error:
        return Outcome(error=f"Refused: {error}")
    with requests.Session() as http:
        http.trust_env = False  # no proxy from the environment: the vetted address is the destination
        if addresses:
            # Every request of this session, whatever its URL turns into once requests has
            # re-quoted it, goes through the pinned adapter: never a second DNS lookup.
            for prefix in ("http://", "https://"):
                http.mount(prefix, PinnedAdapter(addresses[0]))
            request_headers = {**request_headers, "host": urlsplit(url).netloc}
        try:
            with http.post(
                url,
                data=body,
                headers=request_headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
                verify=settings.WEBHOOK_CA_BUNDLE or True,
            ) as response:
                head = next(response.iter_content(EXCERPT_CHARS * 4), b"")
                return Outcome(
                    status_code=response.status_code,
                    excerpt=_printable(head.decode("utf-8", "replace"))[:EXCERPT_CHARS],
                    retry_after=response.headers.get("Retry-After"),
                )
        except requests.RequestException:
            # One message for refused, reset, timed-out and failed TLS connections alike: the
            # delivery log must not tell which ports of a host are open.
            return Outcome(error=f"No answer from the receiver (unreachable, or silent for {TIMEOUT_SECONDS} s).")


class PinnedAdapter(HTTPAdapter):
    """Connects to one given IP address; TLS still verifies the certificate against the URL's host name."""

    def __init__(self, address):
        self.address = address
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs = {
                **pool_kwargs,
                "server_hostname": host_params["host"],
                "assert_hostname": host_params["host"],
            }
        return self.poolmanager.connection_from_host(**{**host_params, "host": self.address}, pool_kwargs=pool_kwargs)


def _printable(text):
    return "".join(c if c.isprintable() else " " for c in text)


@transaction.atomic
def _record(delivery_id, outcome, duration_ms):
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(id=delivery_id)
    attempt = DeliveryAttempt.objects.create(
        delivery=delivery,
        status_code=outcome.status_code,
        duration_ms=duration_ms,
        error=outcome.error,
        response_excerpt=outcome.excerpt,
    )
    delivery.attempt_count += 1
    delivery.last_status_code = outcome.status_code
    now = timezone.now()
    if outcome.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "succeeded", now, None
    elif outcome.status_code == 410:
        delivery.status, delivery.next_attempt_at = "failed", None
        _disable(delivery.endpoint, "The receiver answered 410 Gone.")
    else:
        delivery.next_attempt_at = next_attempt_at(delivery.attempt_count, outcome.retry_after, now)
        if delivery.next_attempt_at is None:
            delivery.status = "failed"
    delivery.save()
    return attempt


def _disable(endpoint, reason):
    endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint.id)
    if endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason = False, reason
        endpoint.save(update_fields=["enabled", "disabled_reason", "updated_at"])
        logger.info("webhook endpoint %s disabled: %s", endpoint.id, reason)


def sweep(now=None):
    """Periodic: dispatch messages whose dispatch was lost, and attempt due deliveries.

    Returns (messages dispatched, deliveries attempted).
    """
    now = now or timezone.now()
    stale = OutboxMessage.objects.filter(dispatched_at__isnull=True, created_at__lte=now - DISPATCH_GRACE)
    message_ids = [str(i) for i in stale.order_by("created_at").values_list("id", flat=True)[:SWEEP_BATCH]]
    for message_id in message_ids:
        tasks.dispatch_webhook_message.delay(message_id)
    due = WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=now)
    delivery_ids = [str(i) for i in due.order_by("next_attempt_at").values_list("id", flat=True)[:SWEEP_BATCH]]
    for delivery_id in delivery_ids:
        tasks.deliver_webhook.delay(delivery_id)
    return len(message_ids), len(delivery_ids)


@transaction.atomic(durable=True)
def redeliver(*, actor, endpoint_id, delivery_id):
    """Send a delivery again now (a fresh timestamp and signature, the same webhook-id), with a new retry cycle."""
    endpoint = get_endpoint(actor, endpoint_id, lock=True)
    if not endpoint.enabled:
        raise ValidationFailed({"endpoint": ["This endpoint is disabled; enable it before redelivering."]})
    delivery = WebhookDelivery.objects.select_for_update().filter(id=delivery_id, endpoint=endpoint).first()
    if delivery is None:
        raise NotFound("Delivery not found.")
    delivery.status, delivery.attempt_count, delivery.next_attempt_at = "pending", 0, timezone.now()
    delivery.save()
    record_event(
        actor=actor,
        action="webhook_delivery.redelivered",
        obj=delivery,
        data={"endpoint_id": str(endpoint.id), "message_id": str(delivery.message_id)},
    )
    delivery_id = str(delivery.id)
    transaction.on_commit(lambda: _enqueue_delivery(delivery_id), robust=True)  # the sweeper catches up
    return delivery
