"""Cursor (keyset) pagination: `{"data": [...], "meta": {"next_cursor": ...}}`.

The cursor encodes the ordering values of the last row returned, so a page
costs one indexed query however deep it is, and rows inserted meanwhile never
shift a page. A view sets `cursor_ordering` (default newest first).
"""

import base64
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


INVALID_CURSOR = "Invalid cursor: pass meta.next_cursor of the previous page."


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, size):
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        values = None
    if not isinstance(values, list) or len(values) != size or any(not isinstance(v, (str, int)) for v in values):
        raise ValidationError({"cursor": [INVALID_CURSOR]})
    return values


def _typed(model, ordering, values):
    """The cursor's values as its fields' types: a tampered one (`["garbage", "x"]`) is a 400, not a 500."""
    try:
        return [model._meta.get_field(f.lstrip("-")).to_python(v) for f, v in zip(ordering, values)]
    except DjangoValidationError:
        raise ValidationError({"cursor": [INVALID_CURSOR]}) from None


def after(ordering, values):
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) ... per direction."""
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        equal = {f.lstrip("-"): values[i] for i, f in enumerate(ordering[:index])}
        condition |= Q(**equal, **{f"{name}__{lookup}": values[index]})
    return condition


def parse_limit(query_params):
    raw = query_params.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        number = float(raw)  # a JSON Schema integer may be written 2.0
        limit = int(number) if number.is_integer() else 0
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": [f"Must be a whole number from 1 to {MAX_LIMIT}."]})
    return limit


class CursorPagination(pagination.BasePagination):
    ordering = ("-created_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        ordering = tuple(getattr(view, "cursor_ordering", self.ordering))
        limit = parse_limit(request.query_params)
        cursor = request.query_params.get("cursor")
        queryset = queryset.order_by(*ordering)
        if cursor:
            values = _typed(queryset.model, ordering, decode_cursor(cursor, len(ordering)))
            queryset = queryset.filter(after(ordering, values))
        rows = list(queryset[: limit + 1])
        page, more = rows[:limit], len(rows) > limit
        self.next_cursor = None
        if more:
            last = page[-1]
            self.next_cursor = encode_cursor([_cursor_value(last, f.lstrip("-")) for f in ordering])
        return page

    def get_paginated_response(self, data, **meta):
        return Response({"data": data, "meta": {"next_cursor": self.next_cursor, **meta}})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "properties": {
                        "next_cursor": {
                            "type": ["string", "null"],
                            "description": "Pass as `cursor` to get the next page; null on the last.",
                        },
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "meta.next_cursor of the previous page.",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                # `?limit=` (empty) is read as no limit given: the default.
                "schema": {
                    "anyOf": [
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        {"type": "string", "maxLength": 0},
                    ],
                    "default": DEFAULT_LIMIT,
                },
            },
        ]


def _cursor_value(obj, name):
    value = getattr(obj, name)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, int) else str(value)
