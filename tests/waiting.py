"""Waiting on what another process or thread does (a Celery worker, a restarted server)."""

import time


def wait_for(predicate, timeout=60, interval=0.1):
    """True as soon as predicate() is, False if it never was within timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
