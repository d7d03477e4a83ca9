"""Webhook events, written to the outbox in the transaction of the change that causes them."""

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

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


def subscriptions_read_with(organization_id, environment_column):
    """listened_to's read as an expression another query of the same request carries, one statement
    less where it reads anyway (PostgreSQL; None elsewhere). `environment_column`: the query's
    column that holds the environment, as its SQL names it. Plain SQL: the subquery's statement is
    then built for nothing, where Django's building of it weighed as much as a statement of its own."""
    if connection.vendor != "postgresql":
        return None
    return RawSQL(
        f"ARRAY(SELECT event_types FROM {WebhookEndpoint._meta.db_table} "
        f"WHERE organization_id = %s AND environment = {environment_column} AND enabled)",
        [organization_id],
        output_field=ArrayField(JSONField()),
    )


def subscriptions_known(session, subscriptions):
    """The session's subscriptions as subscriptions_read_with read them (None: not read, listened_to will)."""
    if subscriptions is not None:
        session._webhook_subscriptions = list(subscriptions)


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
