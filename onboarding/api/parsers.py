"""The API's JSON and multipart parsers: DRF's, stricter about what a request body may hold.

Each of these is a 400 (ParseError) instead of a 500 or a silently odd value:
text that is not UTF-8; nesting deeper than MAX_DEPTH (Python's parser overflows
its stack at a few thousand levels); duplicate keys (two readers of the same body
could disagree on its value); NUL characters and lone surrogates (PostgreSQL can
store neither in text or jsonb); numbers beyond a double (1e400 reads as infinity,
which has no JSON form to be written back). Multipart form values are held to
the same rule on NUL characters.
"""

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

MAX_DEPTH = 64


def _unique_keys(pairs):
    data = {}
    for key, value in pairs:
        if key in data:
            raise ParseError(f"JSON parse error - the key {key!r} appears twice in one object.")
        data[key] = value
    return data


def _refuse_constant(name):
    raise ParseError(f"JSON parse error - {name} is not a JSON number.")


def _bad_string(text):
    if "\x00" in text:
        return "NUL characters are not accepted"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "lone surrogate characters are not accepted"
    return None


def check_values(data):
    """Walk the parsed body once (iteratively: no recursion on deep input)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nesting deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _bad_string(key)
                if problem:
                    raise ParseError(f"JSON parse error - {problem} (in a key).")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            problem = _bad_string(value)
            if problem:
                raise ParseError(f"JSON parse error - {problem}.")
        elif isinstance(value, float) and not math.isfinite(value):
            raise ParseError("JSON parse error - a number is too large.")


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from None
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nesting deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        check_values(data)
        return data


class StrictMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        for key, values in parsed.data.lists():
            for text in (key, *values):
                problem = _bad_string(text)
                if problem:
                    raise ParseError(f"Multipart form parse error - {problem} (in {_printable(key)}).")
        return parsed


def _printable(text):
    return "".join(c for c in text if c.isprintable())[:100]
