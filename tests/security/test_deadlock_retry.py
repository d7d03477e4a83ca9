"""A page request aborted by PostgreSQL to break a deadlock is run again, and only that."""

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from config.deadlock_retry import ATTEMPTS, DeadlockRetryMiddleware


def aborted(cause):
    exc = OperationalError(str(cause))
    exc.__cause__ = cause
    return exc


def view_failing(times, cause):
    calls = []

    def view(request):
        calls.append(request.FILES["photo"].read() if request.FILES else b"")
        if len(calls) <= times:
            raise aborted(cause)
        return HttpResponse("saved")

    return view, calls


def run(view, request):
    return DeadlockRetryMiddleware(None).process_view(request, view, (), {})


def test_a_deadlock_victim_is_run_again_with_its_upload_whole():
    request = RequestFactory().post("/s/p/x/steps/selfie/", {"photo": SimpleUploadedFile("me.jpg", b"\xff\xd8 jpeg")})
    view, calls = view_failing(1, psycopg.errors.DeadlockDetected("deadlock detected"))
    assert run(view, request).content == b"saved"
    assert calls == [b"\xff\xd8 jpeg", b"\xff\xd8 jpeg"]


def test_a_request_that_keeps_deadlocking_gives_up():
    view, calls = view_failing(ATTEMPTS, psycopg.errors.DeadlockDetected("deadlock detected"))
    with pytest.raises(OperationalError):
        run(view, RequestFactory().get("/"))
    assert len(calls) == ATTEMPTS


def test_other_database_errors_are_not_retried():
    view, calls = view_failing(1, psycopg.errors.ConnectionTimeout("server closed the connection"))
    with pytest.raises(OperationalError):
        run(view, RequestFactory().get("/"))
    assert len(calls) == 1


def test_api_views_are_left_to_answer_503_themselves():
    view, calls = view_failing(1, psycopg.errors.DeadlockDetected("deadlock detected"))
    view.cls = object  # how REST framework marks its views
    assert run(view, RequestFactory().get("/api/v1/sessions")) is None
    assert calls == []
