"""What every API view shares. Build endpoints on these:

- `ApiView` (a GenericAPIView): bearer auth and scopes (set `required_scopes`,
  e.g. {"GET": "sessions:read", "POST": "sessions:write"}), the per-key rate
  limit with RateLimit-* headers, a 413 for oversized bodies, and
  Idempotency-Key on every POST (replay within 24 h returns the stored
  response with `Idempotent-Replayed: true`; same key with another body 422;
  a duplicate still running 409). `self.actor` is the key's Actor: pass it to
  every service. `created(data)` answers 201; `get_paginated_response(data,
  **meta)` adds entries to a list's `meta`; `cursor_ordering` sets a list's
  keyset order. Its OpenAPI documents the Idempotency-Key header and the
  problem responses. A view without a key (set `authentication_classes = []`)
  sets `idempotent = False`.
- `StrictSerializer`: a Serializer that refuses unknown fields (400 naming them).
- `validated(serializer_class, data)`: run a serializer and return its data.

Views only parse, authorize and render; state changes go through onboarding.services.
"""

import hashlib
import json
import re

from django.conf import settings
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from onboarding.api.errors import PROBLEM_CONTENT_TYPE, Conflict, PayloadTooLarge, Unprocessable
from onboarding.api.schema import ApiAutoSchema
from onboarding.api.throttling import ApiKeyRateThrottle, rate_limit_headers
from onboarding.services.api_support import (
    Claim,
    ReplayUnreadable,
    idempotency_claim,
    idempotency_release,
    idempotency_response,
    idempotency_store,
)

IDEMPOTENCY_KEY_MAX = 255
# Multipart bodies carry files (each checked against MAX_UPLOAD_BYTES by the
# upload service); JSON bodies carry at most base64 documents of that size.
MULTIPART_OVERHEAD = 1024 * 1024


def body_limit(request):
    if request.content_type.startswith("multipart/"):
        return 2 * settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    return settings.MAX_UPLOAD_BYTES


def check_body_size(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = body_limit(request)
    if length > limit:
        raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}.")


def request_fingerprint(request):
    """A hash of what the request asks for: method, path, query and body (files by content)."""
    data = request.data
    if hasattr(data, "lists"):  # multipart QueryDict
        body = {}
        for name, values in sorted(data.lists()):
            body[name] = [_value_digest(value) for value in values]
    else:
        body = data
    canonical = json.dumps(
        [request.method, request.path, sorted(request.query_params.lists()), body], sort_keys=True, cls=JSONEncoder
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _value_digest(value):
    if hasattr(value, "read"):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{digest.hexdigest()}"
    return value


class PlainMetadata(SimpleMetadata):
    """OPTIONS answers with names and media types; the request shapes are in the OpenAPI schema."""

    def determine_actions(self, request, view):
        return {}


class IdempotentReplay(Exception):
    def __init__(self, status, body):
        self.status, self.body = status, body


class ApiView(GenericAPIView):
    throttle_classes = [ApiKeyRateThrottle]
    metadata_class = PlainMetadata
    schema = ApiAutoSchema()
    required_scopes = None
    # POSTs honour Idempotency-Key (needs an authenticated key to file the record under).
    idempotent = True
    idempotency = None

    @property
    def actor(self):
        return self.request.actor

    def initial(self, request, *args, **kwargs):
        check_body_size(request)
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and self.idempotent:
            self.idempotency = self.claim_idempotency(request)

    def claim_idempotency(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return None
        if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [f"Must be 1 to {IDEMPOTENCY_KEY_MAX} characters."]})
        record, claim = idempotency_claim(api_key=request.auth, key=key, fingerprint=request_fingerprint(request))
        if claim is Claim.MISMATCH:
            raise Unprocessable("This Idempotency-Key was already used with a different request.")
        if claim is Claim.IN_PROGRESS:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry later.")
        if claim is Claim.REPLAY:
            try:
                body = idempotency_response(record)
            except ReplayUnreadable:
                # Running the request again could act twice: the client must choose a new key.
                raise Conflict(
                    "The stored response for this Idempotency-Key can no longer be read "
                    "(the server's secret key changed); send the request with a new key."
                ) from None
            raise IdempotentReplay(record.response_status, body)
        return record

    def handle_exception(self, exc):
        if isinstance(exc, IdempotentReplay):
            content_type = PROBLEM_CONTENT_TYPE if exc.status >= 400 else None
            return Response(
                exc.body, status=exc.status, content_type=content_type, headers={"Idempotent-Replayed": "true"}
            )
        return super().handle_exception(exc)

    def raise_uncaught_exception(self, exc):
        if self.idempotency is not None:
            idempotency_release(self.idempotency)
            self.idempotency = None
        super().raise_uncaught_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency is not None:
            if response.status_code >= 500:
                idempotency_release(self.idempotency)
            else:
                body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
                idempotency_store(self.idempotency, response.status_code, body)
            self.idempotency = None
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response

    def get_paginated_response(self, data, **meta):
        """The page, with extra entries (e.g. `summary`) in `meta`."""
        return self.paginator.get_paginated_response(data, **meta)

    @staticmethod
    def created(data):
        return Response(data, status=status.HTTP_201_CREATED)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, so a typo is an error rather than silently ignored,
    and a number where the schema says string (DRF's CharField would store 12 as "12", its
    UUIDField read 7 as the UUID whose integer is 7)."""

    refuses_unknown_fields = True  # the schema says so: additionalProperties false

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
            not_text = sorted(
                name for name, field in self.fields.items()
                if isinstance(field, (serializers.CharField, serializers.UUIDField))
                and data.get(name) is not None and not isinstance(data[name], str)
            )  # fmt: skip
            if not_text:
                raise ValidationError({name: ["Not a valid string."] for name in not_text})
        return super().to_internal_value(data)


class DateTimeFilter(serializers.DateTimeField):
    """A date and time, as the schema's date-time says: a bare date is refused, since
    created_to=2026-01-31 would quietly mean that day's first instant and leave the day out."""

    default_error_messages = {"date_only": "Give a date and a time, e.g. 2026-01-31T23:59:59Z."}

    def to_internal_value(self, value):
        if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
            self.fail("date_only")
        return super().to_internal_value(value)


# The schema's word for what the services accept (they keep the last word): an address with a dotted domain,
# a URL with its scheme (a % only as the start of an escape, one # at most: it starts the fragment).
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
_URL_CHARACTER = r"([A-Za-z0-9._~:/?!$&'()*+,;=-]|%[0-9A-Fa-f]{2})"
HTTP_URL_PATTERN = rf"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:([0-9]{{1,4}}|[1-5][0-9]{{4}}|6[0-4][0-9]{{3}}|65[0-4][0-9]{{2}}|655[0-2][0-9]|6553[0-5]))?([/?]{_URL_CHARACTER}*)?(#{_URL_CHARACTER}*)?$"


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
