"""Multipart bodies with bracketed names (`input[identity][first_name]`) as nested dicts."""

import re

from rest_framework.exceptions import ValidationError

KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
MAX_DEPTH = 4


def split_name(name):
    match = KEY.match(name)
    if not match:
        raise ValidationError({name: ["Malformed field name."]})
    parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    if len(parts) > MAX_DEPTH or any(part == "" for part in parts):
        raise ValidationError({name: ["Malformed field name."]})
    return parts


def unflatten(fields):
    """{"a[b][c]": value} -> {"a": {"b": {"c": value}}}; numeric keys under a name become list positions."""
    root = {}
    for name, value in fields.items():
        parts = split_name(name)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValidationError({name: ["Conflicts with another field."]})
        if isinstance(node.get(parts[-1]), dict):
            raise ValidationError({name: ["Conflicts with another field."]})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def multipart_parts(data):
    """(fields as a nested dict, files as [(name parts, file)]) from a multipart QueryDict."""
    fields, files = {}, []
    for name, values in data.lists():
        for value in values:
            if hasattr(value, "read"):
                files.append((split_name(name), value))
            else:
                fields[name] = value
    return unflatten(fields), files
