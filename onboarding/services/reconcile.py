"""Re-enqueue work whose task was lost (a broker restarted, a message dropped).

Tasks are idempotent and claim their work under a row lock, so enqueuing one
that is in fact still queued costs a no-op run, never a second result.
"""

from datetime import timedelta

from django.utils import timezone

from onboarding import tasks
from onboarding.models import Session, SessionStatus, Verification, VerificationStatus

# Longer than any check takes, so running work is not enqueued twice in the normal case.
STALLED_AFTER = timedelta(minutes=5)


def requeue_stalled_work(now=None):
    """Enqueue the check of every verification and the processing of every session stuck
    in flight for longer than STALLED_AFTER. Returns (verifications, sessions) enqueued."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    verification_ids = list(
        Verification.objects.filter(
            status__in=[VerificationStatus.SUBMITTED, VerificationStatus.PROCESSING], updated_at__lt=cutoff
        ).values_list("id", flat=True)
    )
    session_ids = list(
        Session.objects.filter(status=SessionStatus.PROCESSING, updated_at__lt=cutoff).values_list("id", flat=True)
    )
    for verification_id in verification_ids:
        tasks.check_verification.delay(str(verification_id))
    for session_id in session_ids:
        tasks.process_session.delay(str(session_id))
    return len(verification_ids), len(session_ids)
