"""Celery tasks: take ids, call a service, own their retries. Every task tolerates running twice.

Tasks are thin wrappers: each imports its service inside the function, while services
import this module at the top to schedule work, so the import graph has no cycle.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Storage, broker and database hiccups are retried with exponential backoff; a task that
# raised anything else has a bug a retry would not fix. acks_late, reject_on_worker_lost and
# prefetch 1 (settings) make a killed worker's task run again; every task is idempotent.
RETRY = {
    "autoretry_for": (OSError, ConnectionError, OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def check_verification(verification_id):
    from onboarding.services.processing import run_verification_check

    run_verification_check(verification_id)


@shared_task(**RETRY)
def process_session(session_id):
    from onboarding.services.processing import run_session_processing

    run_session_processing(session_id)


@shared_task
def expire_sessions():
    from onboarding.services.sessions import sessions_expire

    return sessions_expire()


@shared_task
def apply_retention():
    from onboarding.services.sessions import sessions_apply_retention

    return sessions_apply_retention()


@shared_task(**RETRY)
def dispatch_webhook_message(message_id):
    from onboarding import webhooks

    return webhooks.dispatch_message(message_id)


@shared_task
def deliver_webhook(delivery_id):
    # Retries are the delivery's own schedule (WebhookDelivery.next_attempt_at), run by sweep_webhooks.
    from onboarding import webhooks

    attempt = webhooks.deliver(delivery_id)
    return attempt.status_code if attempt else None


@shared_task
def sweep_webhooks():
    from onboarding import webhooks

    return webhooks.sweep()


@shared_task
def requeue_stalled_work():
    from onboarding.services.reconcile import requeue_stalled_work

    return requeue_stalled_work()


@shared_task
def verify_audit_chains():
    from onboarding.audit import audit_verify_all

    return audit_verify_all()


@shared_task
def refresh_daily_counts():
    from onboarding.services.daily_counts import daily_counts_refresh_all

    daily_counts_refresh_all()


@shared_task
def purge_idempotency_records():
    from onboarding.services.api_support import idempotency_purge

    return idempotency_purge()


@shared_task(**RETRY)
def send_outcome_notice(session_id, decided_at):
    from onboarding.services.emails import outcome_notice_send

    return outcome_notice_send(session_id, decided_at)


@shared_task
def remind_applicants():
    from onboarding.services.emails import reminders_send

    return reminders_send()
