"""A page request whose transaction PostgreSQL aborted to break a deadlock is run again.

The services' changes of one organization take its write turn first
(onboarding.audit.lock_organization), so they do not wait on each other in a cycle; rows
changed outside them (the Django admin, a management command) still can, and PostgreSQL
breaks such a cycle by aborting one side. That request changed nothing: its transaction
rolled back, and files stored before it were deleted (onboarding.storage). Running it again
is what the applicant or reviewer would do, and they would otherwise see "Service briefly
unavailable". API views read their body as a stream, which cannot be read twice: they answer
503 with Retry-After, and workers retry their task.
"""

import psycopg
from django.db import OperationalError, connection

ATTEMPTS = 3


def _deadlock(exc):
    return isinstance(exc.__cause__, psycopg.errors.DeadlockDetected)


class DeadlockRetryMiddleware:
    """Last in MIDDLEWARE: the view runs here, after every other middleware's checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if hasattr(view_func, "cls"):  # a REST framework view
            return None
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return view_func(request, *view_args, **view_kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or not _deadlock(exc) or connection.in_atomic_block:
                    raise
                for _, uploads in request.FILES.lists():
                    for upload in uploads:
                        upload.seek(0)
