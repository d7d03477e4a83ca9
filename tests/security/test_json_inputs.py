"""Hostile JSON bodies on the API: each is a 400 problem naming what is wrong, never a 500."""

import json

import pytest

from onboarding.models import Session
from tests.api.conftest import V1, client_for, problem
from tests.factories import FORM_ONLY_STEPS, make_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org):
    return client_for(org)[0]


@pytest.fixture
def workflow_id(org):
    return str(make_workflow(org, steps=FORM_ONLY_STEPS).id)


def post_raw(api, body, path="/sessions"):
    return api.post(f"{V1}{path}", body, content_type="application/json")


def session_body(workflow_id, **fields):
    return json.dumps({"workflow_id": workflow_id, **fields})


def deep(depth):
    return "[" * depth + "]" * depth


BAD_BODIES = {
    "raw NUL byte": lambda wid: session_body(wid, name="a").replace('"a"', '"a\x00b"'),
    "escaped NUL in a field": lambda wid: session_body(wid, name="a\u0000b"),
    "escaped NUL in metadata": lambda wid: session_body(wid, metadata={"note": "x\u0000y"}),
    "NUL in a metadata key": lambda wid: session_body(wid, metadata={"k\u0000": 1}),
    "invalid UTF-8": lambda wid: session_body(wid).replace("}", ', "name": "Zo\u00eb"}').encode("latin-1"),
    "lone surrogate in metadata": lambda wid: session_body(wid).replace("}", ', "metadata": {"a": "\\udc80"}}'),
    "lone surrogate": lambda wid: session_body(wid).replace("}", ', "name": "\\ud800"}'),
    "nesting 10,000 deep": lambda wid: session_body(wid).replace("}", f', "metadata": {{"a": {deep(10_000)}}}}}'),
    "nesting 500 deep in metadata": lambda wid: session_body(wid).replace("}", f', "metadata": {{"a": {deep(500)}}}}}'),
    "a number of 5,000 digits": lambda wid: session_body(wid).replace("}", ', "ttl_days": ' + "9" * 5000 + "}"),
    "a float beyond double": lambda wid: session_body(wid).replace("}", ', "metadata": {"x": 1e400}}'),
    "NaN": lambda wid: session_body(wid).replace("}", ', "metadata": {"x": NaN}}'),
    "huge ttl": lambda wid: session_body(wid, ttl_days=10**30),
    "duplicate keys": lambda wid: '{"workflow_id": "' + str(wid) + '", "name": "a", "name": "b"}',
    "unknown field": lambda wid: session_body(wid, is_admin=True),
    "wrong type for name": lambda wid: session_body(wid, name=["a"]),
    "wrong type for metadata": lambda wid: session_body(wid, metadata="text"),
    "wrong type for applicants": lambda wid: session_body(wid, applicants={"type": "natural_person"}),
    "wrong type for workflow_id": lambda wid: json.dumps({"workflow_id": ["x"]}),
    "a list as the body": lambda wid: json.dumps([{"workflow_id": wid}]),
    "a string as the body": lambda wid: json.dumps("workflow"),
    "empty body": lambda wid: "",
    "trailing garbage": lambda wid: session_body(wid) + "}",
    "state over 2048 characters": lambda wid: session_body(wid, state="s" * 2049),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_json_is_a_400_problem(api, workflow_id, case):
    body = problem(post_raw(api, BAD_BODIES[case](workflow_id)), 400)
    assert body["detail"]
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "case",
    [
        "escaped NUL in metadata",
        "nesting 10,000 deep",
        "duplicate keys",
        "a float beyond double",
        "unknown field",
        "wrong type for metadata",
    ],
)
def test_bad_json_on_patch_is_a_400_problem(api, workflow_id, case):
    created = post_raw(api, session_body(workflow_id, name="ok"))
    assert created.status_code == 201
    session_id = created.json()["id"]
    body = BAD_BODIES[case](workflow_id)
    if isinstance(body, str):
        body = body.replace(f'"workflow_id": "{workflow_id}"', '"priority": 1')
    problem(api.patch(f"{V1}/sessions/{session_id}", body, content_type="application/json"), 400)
    assert Session.objects.get(id=session_id).metadata == {}


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "a\x00b"},
        {"metadata[note]": "a\x00b"},
        {"applicants[0][type]": "natural_person", "applicants[0][email]": "anna\x00@example.com"},
        {"input[identity][first_name]": "An\x00na", "input[identity][last_name]": "Eriksson"},
        {"state\x00": "x"},
    ],
    ids=["name", "metadata", "applicant email", "identity", "field name"],
)
def test_nul_in_a_multipart_form_is_a_400_problem(api, workflow_id, fields):
    problem(api.post(f"{V1}/sessions", {"workflow_id": workflow_id, **fields}, format="multipart"), 400)
    assert not Session.objects.exists()
