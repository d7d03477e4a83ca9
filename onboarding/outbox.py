"""Webhook events, written to the outbox in the transaction of the change that causes them."""

from django.db import transaction

from onboarding import tasks
from onboarding.models import OutboxMessage, WebhookEndpoint

EVENT_TYPES = [
    "session.created",
    "session.status_changed",
    "applicant.status_changed",
    "verification.completed",
    "session.processed",
    "session.corrections_requested",
    "session.expired",
    "session.cancelled",
    # Personal data and files erased (DELETE or retention); the audit skeleton stays.
    "session.erased",
]


def listened_to(session, event_type):
    """Whether an enabled endpoint of the session's organization and environment subscribes to the
    event (the endpoints dispatch would deliver it to). The subscriptions are read once per session
    object: the changes of one request or task ask once, however many events they emit."""
    subscriptions = session.__dict__.get("_webhook_subscriptions")
    if subscriptions is None:
        subscriptions = session._webhook_subscriptions = list(
            WebhookEndpoint.objects.filter(
                organization_id=session.organization_id, environment=session.environment, enabled=True
            ).values_list("event_types", flat=True)
        )
    return any(not types or event_type in types for types in subscriptions)


def emit(*, session, event_type, data):
    """Queue one event about a session; payloads are thin: ids, statuses, times, and what the
    integrator filed the session under (reference_id, custom_tags) so a receiver can route it.

    An event no endpoint listens to is not written: it would only cost a row and a dispatch task
    for each change (an endpoint receives the events that happen once it is registered)."""
    assert event_type in EVENT_TYPES, event_type
    if not listened_to(session, event_type):
        return None
    message = OutboxMessage.objects.create(
        organization_id=session.organization_id,
        environment=session.environment,
        event_type=event_type,
        payload={
            "session_id": str(session.id),
            "reference_id": session.reference_id,
            "custom_tags": list(session.custom_tags),
            **data,
        },
    )
    # Only once the change is committed: a rollback sends nothing. A lost dispatch is swept up later.
    message_id = str(message.id)
    transaction.on_commit(lambda: _schedule_dispatch(message_id), robust=True)
    return message


def _schedule_dispatch(message_id):
    tasks.dispatch_webhook_message.delay(message_id)
