"""Fixed one-minute windows counted in Django's cache: the API's rate limits and the
dashboard's login attempts both count with hit()."""

import time

from django.core.cache import cache

WINDOW_SECONDS = 60


def _window_key(bucket, now):
    return f"threshold:ratelimit:{bucket}:{int(now // WINDOW_SECONDS)}"


def counted(bucket):
    """Requests counted in the current window, without counting one more."""
    return cache.get(_window_key(bucket, time.time()), 0)


def hit(bucket, limit):
    """Count one request in the current window; returns (allowed, remaining, seconds until reset)."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = _window_key(bucket, now)
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    reset = int((window + 1) * WINDOW_SECONDS - now) + 1
    return count <= limit, max(0, limit - count), reset
