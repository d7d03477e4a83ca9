"""When a failed delivery is tried again: exponential backoff with jitter, about a day in all."""

import random
from datetime import timedelta
from email.utils import parsedate_to_datetime

from django.utils import timezone

MAX_ATTEMPTS = 10
FIRST_DELAY_SECONDS = 15
FACTOR = 3
MAX_DELAY_SECONDS = 10 * 3600
JITTER = 0.2


def backoff_seconds(attempts_made):
    """Nominal wait after `attempts_made` failed attempts (15 s, 45 s, … capped at 10 h)."""
    return min(FIRST_DELAY_SECONDS * FACTOR ** (attempts_made - 1), MAX_DELAY_SECONDS)


def next_attempt_at(attempts_made, retry_after=None, now=None):
    """The next attempt time, or None when the last attempt has been made."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    delay = backoff_seconds(attempts_made) * random.uniform(1 - JITTER, 1 + JITTER)
    waited = parse_retry_after(retry_after, now)
    if waited is not None:
        delay = max(delay, min(waited, MAX_DELAY_SECONDS))
    return (now or timezone.now()) + timedelta(seconds=delay)


def parse_retry_after(value, now=None):
    """Seconds asked for by a `Retry-After` header (delta-seconds or HTTP date); None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, (when - (now or timezone.now())).total_seconds())
