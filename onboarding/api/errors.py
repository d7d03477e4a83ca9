"""RFC 9457 problem details for every API error, DRF's and Django's alike.

Domain errors map as the SPEC says: NotFound 404, ValidationFailed 400 with
per-field `errors`, InvalidTransition 409 naming the current status,
LinkUnavailable and SessionErased 410, a file over the upload limit 413, a file
store refusing writes 503 with Retry-After. Django-level 404/500 for /api/ paths
answer the same way; an unreachable database is a 503 with Retry-After
(problem JSON under /api/, templates/503.html elsewhere).
"""

import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions, status
from rest_framework.response import Response

from onboarding.errors import (
    InvalidTransition,
    LinkUnavailable,
    NotFound,
    SessionErased,
    StorageUnavailable,
    ValidationFailed,
)
from onboarding.uploads import FileTooLarge

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
# Seconds a client should wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 30
# ... and while the file store refuses writes.
STORAGE_RETRY_AFTER = 60


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def problem(status_code, detail, *, code=None, **extra):
    """The problem-details body. `type` is a URN per error kind; "about:blank" when only the status matters."""
    body = {
        "type": f"urn:threshold:problem:{code.replace('_', '-')}" if code else "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    body.update(extra)
    return body


def problem_response(status_code, detail, *, code=None, headers=None, **extra):
    return Response(
        problem(status_code, detail, code=code, **extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def flatten_errors(detail, prefix=""):
    """DRF's nested error detail as {"field.sub[0]": ["message", ...]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            if isinstance(key, int):  # DRF's errors for a list item
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _domain_problem(exc):
    if isinstance(exc, NotFound):
        return problem_response(404, str(exc) or "Not found.", code="not_found")
    if isinstance(exc, FileTooLarge):
        return problem_response(413, "The file is too large.", code="payload_too_large", errors=exc.errors)
    if isinstance(exc, ValidationFailed):
        return problem_response(400, "The request has invalid fields.", code="validation_error", errors=exc.errors)
    if isinstance(exc, InvalidTransition):
        return problem_response(409, str(exc), code="invalid_transition", current_status=exc.status)
    if isinstance(exc, LinkUnavailable):
        return problem_response(410, "This link is no longer available.", code="link_unavailable")
    if isinstance(exc, SessionErased):
        return problem_response(410, str(exc), code="session_erased")
    if isinstance(exc, StorageUnavailable):
        return problem_response(
            503, str(exc), code="storage_unavailable", headers={"Retry-After": str(STORAGE_RETRY_AFTER)}
        )
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        return problem_response(409, "The object changed meanwhile; retry the request.", code="conflict")
    return None


def _django_problem(exc):
    if isinstance(exc, Http404):
        return problem_response(404, "Not found.", code="not_found")
    if isinstance(exc, DjangoPermissionDenied):
        return problem_response(403, "You may not do this.", code="permission_denied")
    if isinstance(exc, (RequestDataTooBig, TooManyFilesSent)):
        return problem_response(413, "The request body is too large.", code="payload_too_large")
    if isinstance(exc, TooManyFieldsSent):
        return problem_response(400, "The request has too many fields.", code="too_many_fields")
    return None


def _drf_problem(exc):
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    code = exc.get_codes() if not isinstance(exc.detail, (dict, list)) else None
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            400,
            "The request has invalid fields.",
            code="validation_error",
            errors=flatten_errors(exc.detail),
            headers=headers,
        )
    if isinstance(exc, exceptions.ParseError):
        return problem_response(400, str(exc.detail), code="malformed_body", headers=headers)
    extra = {"missing_scope": exc.scope} if hasattr(exc, "scope") else {}
    detail = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else "Error."
    return problem_response(
        exc.status_code, detail, code=code if isinstance(code, str) else None, headers=headers, **extra
    )


def problem_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER. Unknown exceptions return None: Django's handler500 answers them."""
    for convert in (_domain_problem, _django_problem):
        response = convert(exc)
        if response is not None:
            return response
    if isinstance(exc, exceptions.APIException):
        return _drf_problem(exc)
    return None


# Django-level handlers (config/urls.py handler404/handler500) and the /api/ catch-all.


def _is_api(request):
    return request.path.startswith("/api/")


def problem_json(status_code, detail, code):
    return JsonResponse(problem(status_code, detail, code=code), status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def not_found(request, exception=None):
    """handler404: problem JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return problem_json(404, "No such endpoint or resource.", "not_found")
    return defaults.page_not_found(request, exception)


# A lost or refused connection to the database, to Redis (cache and rate limits) or to the
# broker: a retry will succeed once it is back, so the answer is 503, never 500.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerOperationalError)


def _database_unavailable():
    """True when the exception being handled is a lost or refused connection to a backing service."""
    return isinstance(sys.exc_info()[1], UNAVAILABLE_ERRORS)


def server_error(request):
    """handler500: problem JSON under /api/, Django's page elsewhere; 503 with Retry-After
    when the database, Redis or the broker is unreachable (a retry will succeed once it is back)."""
    if _database_unavailable():
        if _is_api(request):
            response = problem_json(503, "The service is briefly unavailable; retry shortly.", "service_unavailable")
        else:
            # Rendered without a request: no context processor may touch the database.
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    if _is_api(request):
        return problem_json(500, "The server failed to answer this request.", "server_error")
    return defaults.server_error(request)


@csrf_exempt  # an API client has no CSRF cookie: a POST to a wrong path must still get its 404
def unknown_endpoint(request, *args, **kwargs):
    """Catch-all at the end of the API's routes: 404 problem JSON even with DEBUG on."""
    return problem_json(404, "No such endpoint.", "not_found")
