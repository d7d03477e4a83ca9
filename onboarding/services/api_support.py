"""Storage behind the API's Idempotency-Key: one record per (key, Idempotency-Key) for 24 hours."""

from datetime import timedelta
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils import timezone

from onboarding.models import IdempotencyRecord

IDEMPOTENCY_TTL = timedelta(hours=24)


class Claim(Enum):
    NEW = "new"  # first time: run the request, then store its response
    REPLAY = "replay"  # same request seen before: answer with the stored response
    MISMATCH = "mismatch"  # same key, other request
    IN_PROGRESS = "in_progress"  # same request, still running elsewhere


def idempotency_claim(*, api_key, key, fingerprint, now=None):
    """(record, Claim). A NEW record is committed at once so a concurrent duplicate sees it."""
    now = now or timezone.now()
    IdempotencyRecord.objects.filter(api_key=api_key, key=key, created_at__lt=now - IDEMPOTENCY_TTL).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(api_key=api_key, key=key, request_hash=fingerprint,
                                                      created_at=now)
        return record, Claim.NEW
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    if record is None:  # released by its owner between our insert and our read
        return idempotency_claim(api_key=api_key, key=key, fingerprint=fingerprint, now=now)
    if record.request_hash != fingerprint:
        return record, Claim.MISMATCH
    if record.response_status is None:
        return record, Claim.IN_PROGRESS
    return record, Claim.REPLAY


def idempotency_store(record, status, body):
    IdempotencyRecord.objects.filter(id=record.id).update(response_status=status, response_body=body)


def idempotency_release(record):
    """Forget a claim whose request failed on the server, so the client may retry it."""
    IdempotencyRecord.objects.filter(id=record.id, response_status__isnull=True).delete()


def idempotency_purge(now=None):
    """Delete records past their 24 hours; returns how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).delete()
    return deleted
