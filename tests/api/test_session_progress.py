"""Progress as an integrator follows it: per-step progress in steps_data, progress counters on list rows."""

import json

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from onboarding import selectors, services
from onboarding.actors import Actor
from onboarding.api.serializers import SessionDetailSerializer, SessionSerializer
from tests.api.applicant import applicant_submits
from tests.api.conftest import V1, png
from tests.factories import make_session, make_workflow, system

pytestmark = pytest.mark.django_db

STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "bank", "type": "bank_account"},
    {"id": "consent", "type": "form", "config": {"fields": [{"id": "terms", "type": "checkbox", "required": True}]}},
]


@pytest.fixture
def halfway(org):
    """An applicant who sent the first step and one file of the second."""
    session = make_session(org, make_workflow(org, steps=STEPS), input={})
    services.links_generate(actor=system(org), session_id=session.id)
    details, bank, _ = session.verifications.order_by("created_at")
    applicant_submits(details.id, data={"email": "anna@example.com"})
    services.document_add(
        actor=Actor.for_applicant(bank.applicant), verification_id=bank.id, content=png(), filename="rib.png"
    )
    return session


def test_steps_data_gives_each_steps_progress(api, halfway):
    before = timezone.now()
    body = api.get(f"{V1}/sessions/{halfway.id}").json()
    applicant_id = body["applicants"][0]["id"]
    details, bank, consent = body["steps_data"]
    assert [(s["step_id"], s["type"], s["applicant_id"]) for s in body["steps_data"]] == [
        ("details", "form", applicant_id),
        ("bank", "bank_account", applicant_id),
        ("consent", "form", applicant_id),
    ]
    assert (details["status"], details["result"], details["standing"]) == ("done", "passed", "under_review")
    assert details["started_at"] and details["completed_at"] and details["completed_at"] <= before.isoformat()
    assert details["documents"] == []
    assert (bank["status"], bank["standing"], bank["completed_at"]) == ("awaiting_data", "to_do", None)
    assert bank["started_at"] and bank["documents"] == [body["documents"][0]["id"]]
    assert (consent["status"], consent["started_at"], consent["completed_at"]) == ("awaiting_data", None, None)
    assert consent["title"] and consent["required"] is True
    assert body["applicants"][0]["standing"] == "to_do"


def test_list_rows_count_steps_in_the_database(api, org, halfway, django_assert_max_num_queries):
    untouched = make_session(org, make_workflow(org, steps=STEPS), input={})
    api.get(f"{V1}/sessions")
    with django_assert_max_num_queries(4):
        rows = {row["id"]: row for row in api.get(f"{V1}/sessions").json()["data"]}
    progress = ("current_step_index", "completed_steps", "total_steps", "progress_percent")
    assert tuple(rows[str(halfway.id)][key] for key in progress) == (1, 1, 3, 33)
    assert tuple(rows[str(untouched.id)][key] for key in progress) == (0, 0, 3, 0)
    detail = api.get(f"{V1}/sessions/{halfway.id}").json()
    assert detail["steps_data"][detail["current_step_index"]]["step_id"] == "bank"


def test_a_finished_session_is_at_100_percent_with_no_current_step(api, org):
    session = make_session(org, make_workflow(org, steps=STEPS[:1]), input={})
    services.links_generate(actor=system(org), session_id=session.id)
    applicant_submits(session.verifications.get().id, data={"email": "anna@example.com"})
    row = api.get(f"{V1}/sessions").json()["data"][0]
    assert (row["current_step_index"], row["completed_steps"], row["total_steps"], row["progress_percent"]) == (
        None,
        1,
        1,
        100,
    )


def test_a_session_answers_as_a_serializer_made_for_it_renders_it(api, org, halfway):
    """The API represents with one serializer instance per class (onboarding.api.serializers.represent),
    not one per answer: the JSON stays what a serializer of its own gives."""

    def rendered(data):
        return json.loads(JSONRenderer().render(data))

    sessions = selectors.session_detail_queryset(system(org))
    assert api.get(f"{V1}/sessions/{halfway.id}").json() == rendered(
        SessionDetailSerializer(sessions.get(id=halfway.id)).data
    )
    [row] = api.get(f"{V1}/sessions").json()["data"]
    assert row == rendered(SessionSerializer(sessions.get(id=halfway.id)).data)
