"""Sessions: creation (JSON, multipart), input checked against the workflow, lists, filters, summary, changes."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding import services
from onboarding.errors import ValidationFailed
from onboarding.models import Document, Session
from onboarding.services.common import session_counts_rebuild
from tests.api.applicant import applicant_submits
from tests.api.conftest import V1, client_for, pdf, png, problem, uploaded
from tests.factories import ALICE, FORM_ONLY_STEPS, MembershipFactory, make_session, make_workflow, system

pytestmark = pytest.mark.django_db

SIGNING_STEPS = [{"id": "sign", "type": "signature"}]


def create(api, workflow, **fields):
    return api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id), **fields}, format="json")


def test_create_with_prefill_and_session_fields(org, api):
    workflow = make_workflow(org, settings={"redirect_allowlist": ["https://shop.example"]})
    response = create(
        api,
        workflow,
        name="Anna Eriksson",
        metadata={"subject_id": "cust-7", "tier": "gold"},
        locale="fr",
        redirect_url="https://shop.example/done",
        state="opaque-123",
        ttl_days=3,
        input=ALICE,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["reference_id"], body["locale"], body["state"]) == (
        "draft",
        "cust-7",
        "fr",
        "opaque-123",
    )
    assert body["metadata"] == {"subject_id": "cust-7", "tier": "gold"}
    applicant = body["applicants"][0]
    assert applicant["identity"]["last_name"] == "Eriksson" and applicant["bank_account"] == ALICE["bank_account"]
    assert [v["step_id"] for v in applicant["verifications"]] == ["details", "identity", "address", "bank"]
    assert all(v["status"] == "awaiting_data" for v in applicant["verifications"])
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=2, hours=23) < expires - timezone.now() <= timedelta(days=3)


def test_input_blocks_the_workflow_does_not_need_are_refused(org, api):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    body = problem(create(api, workflow, input={"identity": ALICE["identity"]}), 400)
    assert body["errors"] == {"input.identity": ["Not used by this workflow's steps."]}
    assert not Session.objects.exists()


def test_input_fields_are_typed_and_required_ones_checked(api, workflow):
    body = problem(
        create(
            api,
            workflow,
            input={
                "identity": {"first_name": "Anna", "birth_date": "12/08/1974", "shoe_size": 38},
                "form": {"email": "not-an-email"},
            },
        ),
        400,
    )
    errors = body["errors"]
    assert "input.identity.shoe_size" in errors
    assert errors["input.identity.last_name"] == ["This field is required."]
    assert errors["input.identity.birth_date"] == ["Must be a date as YYYY-MM-DD."]
    assert "input.form.email" in errors


def test_session_field_rules_come_back_per_field(org, api):
    workflow = make_workflow(org, settings={"redirect_allowlist": ["https://shop.example"]})
    body = problem(
        create(api, workflow, locale="it", redirect_url="https://evil.example/x", state="s" * 3000, ttl_days=0), 400
    )
    assert set(body["errors"]) == {"locale", "redirect_url", "state", "ttl_days"}
    assert not Session.objects.exists()


def test_json_documents_are_attached_to_their_step(org, api):
    workflow = make_workflow(org, steps=SIGNING_STEPS)
    response = create(
        api,
        workflow,
        input={
            "identity": {"first_name": "Anna", "last_name": "Eriksson", "birth_date": "1974-08-12"},
            "documents": [{"step_id": "sign", "content_base64": base64.b64encode(pdf()).decode(), "filename": "c.pdf"}],
        },
    )
    assert response.status_code == 201, response.json()
    (document,) = response.json()["documents"]
    assert (document["mime_type"], document["original_name"]) == ("application/pdf", "c.pdf")
    assert document["verification_id"] == response.json()["applicants"][0]["verifications"][0]["id"]


def test_multipart_creation_with_bracketed_fields_and_files(org, api):
    workflow = make_workflow(org)
    response = api.post(
        f"{V1}/sessions",
        {
            "workflow_id": str(workflow.id),
            "name": "Anna",
            "ttl_days": "5",
            "metadata[subject_id]": "cust-9",
            "input[identity][first_name]": "Anna",
            "input[identity][last_name]": "Eriksson",
            "input[bank_account][iban]": "FR7630006000011234567890189",
            "input[documents][identity][front]": uploaded(png(), "front.png"),
            "input[documents][address]": uploaded(pdf(), "bill.pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference_id"] == "cust-9"
    assert body["applicants"][0]["identity"] == {"first_name": "Anna", "last_name": "Eriksson"}
    by_step = {v["id"]: v["step_id"] for v in body["applicants"][0]["verifications"]}
    assert sorted((by_step[d["verification_id"]], d["side"], d["mime_type"]) for d in body["documents"]) == [
        ("address", "", "application/pdf"),
        ("identity", "front", "image/png"),
    ]


def test_multipart_checkbox_words_become_booleans(org, api):
    workflow = make_workflow(
        org,
        steps=[
            {
                "id": "consent",
                "type": "form",
                "config": {
                    "fields": [{"id": "terms", "type": "checkbox", "required": True}, {"id": "city", "type": "text"}]
                },
            }
        ],
    )
    response = api.post(
        f"{V1}/sessions",
        {"workflow_id": str(workflow.id), "input[form][terms]": "true", "input[form][city]": "Lyon"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["applicants"][0]["form_data"] == {"terms": True, "city": "Lyon"}


def test_a_refused_file_leaves_no_session(org, api):
    workflow = make_workflow(org)
    body = problem(
        api.post(
            f"{V1}/sessions",
            {
                "workflow_id": str(workflow.id),
                "input[documents][identity]": uploaded(b"MZ\x90\x00 not a document", "virus.exe"),
            },
            format="multipart",
        ),
        400,
    )
    assert "input.documents[0]" in body["errors"]
    assert not Session.objects.exists() and not Document.objects.exists()


def test_sandbox_and_live_keys_see_only_their_environment(org, workflow):
    live, _ = client_for(org, environment="live")
    sandbox, _ = client_for(org, environment="sandbox")
    live_id = create(live, workflow).json()["id"]
    sandbox_body = create(sandbox, make_workflow(org, environment="sandbox")).json()
    assert sandbox_body["environment"] == "sandbox"
    assert [s["id"] for s in live.get(f"{V1}/sessions").json()["data"]] == [live_id]
    assert [s["id"] for s in sandbox.get(f"{V1}/sessions").json()["data"]] == [sandbox_body["id"]]
    problem(sandbox.get(f"{V1}/sessions/{live_id}"), 404)
    problem(live.get(f"{V1}/applicants/{sandbox_body['applicants'][0]['id']}"), 404)


def test_another_tenants_session_is_404_everywhere(other_api, session):
    applicant = session.applicants.get()
    verification = session.verifications.first()
    for response in (
        other_api.get(f"{V1}/sessions/{session.id}"),
        other_api.patch(f"{V1}/sessions/{session.id}", {"priority": 5}, format="json"),
        other_api.delete(f"{V1}/sessions/{session.id}"),
        other_api.post(f"{V1}/sessions/{session.id}/links", {}, format="json"),
        other_api.get(f"{V1}/sessions/{session.id}/events"),
        other_api.get(f"{V1}/applicants/{applicant.id}"),
        other_api.get(f"{V1}/verifications/{verification.id}"),
        other_api.post(f"{V1}/verifications", {"applicant_id": str(applicant.id), "type": "selfie"}, format="json"),
        other_api.post(f"{V1}/sessions", {"workflow_id": str(session.workflow_id)}, format="json"),
    ):
        problem(response, 404)
    assert other_api.get(f"{V1}/sessions").json()["data"] == []
    session.refresh_from_db()
    assert (session.status, session.priority, session.applicants.get().link_token_hash) == ("draft", 0, None)


def test_list_filters(org, api, workflow):
    reviewer = MembershipFactory(organization=org).user
    other_workflow = make_workflow(org, steps=FORM_ONLY_STEPS, name="Other")
    anna = make_session(org, workflow, name="Anna Eriksson", reference_id="cust-1")
    bob = make_session(org, other_workflow, name="Bob Martin", reference_id="cust-2", input={})
    services.links_generate(actor=system(org), session_id=bob.id)
    services.session_update(actor=system(org), session_id=anna.id, assigned_to=reviewer.pk)
    Session.objects.filter(id=anna.id).update(created_at=timezone.now() - timedelta(days=10))

    def ids(query):
        response = api.get(f"{V1}/sessions?{query}")
        assert response.status_code == 200, response.json()
        return {s["name"] for s in response.json()["data"]}

    assert ids("") == {"Anna Eriksson", "Bob Martin"}
    assert ids("status=active") == {"Bob Martin"}
    assert ids("status_list=draft,active") == {"Anna Eriksson", "Bob Martin"}
    assert ids("compliance_status=incomplete") == {"Anna Eriksson"}
    assert ids(f"workflow_id={other_workflow.id}") == {"Bob Martin"}
    assert ids("reference_id=cust-1") == {"Anna Eriksson"}
    assert ids(f"assigned_to={reviewer.pk}") == {"Anna Eriksson"}
    assert ids("assigned_to=none") == {"Bob Martin"}
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"created_from={since}") == {"Bob Martin"}
    assert ids(f"created_to={since}") == {"Anna Eriksson"}
    assert ids("q=eriks") == {"Anna Eriksson"}
    body = problem(api.get(f"{V1}/sessions?status=nonsense"), 400)
    assert "status" in body["errors"]


def test_list_filters_given_blank_are_left_out_and_malformed_ones_refused(org, api, workflow):
    make_session(org, workflow, name="Anna Eriksson")
    # As an integrator's form sends its empty fields: each is read as not given, so nothing is filtered.
    blank = "created_from=&created_to=&workflow_id=&include_summary=&status=&assigned_to=&limit="
    response = api.get(f"{V1}/sessions?{blank}")
    assert response.status_code == 200, response.json()
    assert [s["name"] for s in response.json()["data"]] == ["Anna Eriksson"]
    assert "summary" not in response.json()["meta"]
    for query, name in [
        ("created_from=yesterday", "created_from"),
        ("created_to=2026-13-01T00:00:00Z", "created_to"),
        ("created_to=2026-01-31", "created_to"),
        ("workflow_id=not-a-uuid", "workflow_id"),
        ("workflow_id=%20", "workflow_id"),
        ("include_summary=maybe", "include_summary"),
    ]:
        body = problem(api.get(f"{V1}/sessions?{query}"), 400)
        assert list(body["errors"]) == [name], query


def test_summary_counts_every_matching_row(org, api, workflow):
    for _ in range(3):
        make_session(org, workflow)
    session = make_session(org, workflow)
    services.links_generate(actor=system(org), session_id=session.id)
    Session.objects.filter(id=session.id).update(risk_score=40)
    session_counts_rebuild(org.id)  # the score was written outside the services
    meta = api.get(f"{V1}/sessions?include_summary=true&limit=1").json()["meta"]
    summary = meta["summary"]
    assert summary["total"] == 4
    assert summary["status_counts"]["draft"] == 3 and summary["status_counts"]["active"] == 1
    assert summary["inbox_counts"]["incomplete"] == 3 and summary["inbox_counts"]["pending"] == 1
    assert (summary["avg_risk_score"], summary["sessions_with_risk_score"]) == (40.0, 1)
    assert meta["next_cursor"]
    assert "summary" not in api.get(f"{V1}/sessions").json()["meta"]


def test_cursor_pagination_walks_every_row_once(org, api, workflow):
    created = {str(make_session(org, workflow, input={}).id) for _ in range(5)}
    seen, cursor = [], ""
    while True:
        page = api.get(f"{V1}/sessions?limit=2{cursor}").json()
        seen += [s["id"] for s in page["data"]]
        if not page["meta"]["next_cursor"]:
            break
        cursor = f"&cursor={page['meta']['next_cursor']}"
    assert len(seen) == 5 and set(seen) == created
    problem(api.get(f"{V1}/sessions?limit=101"), 400)
    problem(api.get(f"{V1}/sessions?cursor=garbage"), 400)


@pytest.mark.parametrize("size", [3, 12])
def test_list_with_summary_costs_the_same_queries_whatever_the_rows(
    org, api, workflow, size, django_assert_max_num_queries
):
    for _ in range(size):
        make_session(org, workflow, input={})
    # Not counted below: the key's last-used time (written once a minute) and the first count of every day.
    api.get(f"{V1}/sessions?include_summary=true")
    with django_assert_max_num_queries(8):
        response = api.get(f"{V1}/sessions?include_summary=true&limit=100")
    assert len(response.json()["data"]) == size


@pytest.mark.parametrize("size", [1, 6])
def test_session_detail_costs_the_same_queries_whatever_the_children(org, api, size, django_assert_max_num_queries):
    session = make_session(org, make_workflow(org), applicants=[{"type": "natural_person"}] * size)
    api.get(f"{V1}/sessions")
    with django_assert_max_num_queries(9):
        response = api.get(f"{V1}/sessions/{session.id}")
    assert len(response.json()["applicants"]) == size


def test_patch_bookkeeping_and_erase(org, api, session):
    reviewer = MembershipFactory(organization=org).user
    response = api.patch(
        f"{V1}/sessions/{session.id}",
        {"assigned_to": reviewer.pk, "priority": 3, "metadata": {"crm": "1"}},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["assigned_to"], response.json()["priority"]) == (reviewer.pk, 3)
    assert api.delete(f"{V1}/sessions/{session.id}").status_code == 204
    body = api.get(f"{V1}/sessions/{session.id}").json()
    assert body["data_anonymized"] is True and body["applicants"][0]["identity"] == {}


def test_a_refused_decision_changes_nothing_else(org, api, session):
    response = api.patch(f"{V1}/sessions/{session.id}", {"status": "approved", "priority": 9}, format="json")
    problem(response, 409)
    session.refresh_from_db()
    assert (session.status, session.priority) == ("draft", 0)


def test_search_with_summary_counts_sessions_not_the_applicants_that_matched(org, api, workflow):
    family = [{"type": "natural_person", "email": f"{name}@eriksson.example"} for name in ("anna", "bo", "lars")]
    session = make_session(org, workflow, name="Eriksson family", applicants=family)
    make_session(org, workflow, name="Someone else")
    response = api.get(f"{V1}/sessions?q=eriksson&include_summary=true")
    assert [row["id"] for row in response.json()["data"]] == [str(session.id)]
    summary = response.json()["meta"]["summary"]
    assert summary["total"] == 1
    assert summary["status_counts"]["draft"] == 1 and summary["inbox_counts"]["incomplete"] == 1
    assert summary["validation_counts"] == {}


def test_form_data_shows_what_the_applicant_typed_over_the_prefill(org, api):
    workflow = make_workflow(
        org,
        steps=[
            {
                "id": "details",
                "type": "form",
                "config": {
                    "fields": [{"id": "email", "type": "email", "required": True}, {"id": "city", "type": "text"}]
                },
            }
        ],
    )
    # Prefilled in part (a complete prefill would submit the step at once).
    created = create(api, workflow, input={"form": {"city": "Lyon"}}).json()
    applicant = created["applicants"][0]
    applicant_submits(applicant["verifications"][0]["id"], data={"email": "anna@example.com", "city": "Lyons"})
    body = api.get(f"{V1}/sessions/{created['id']}").json()
    assert body["form_data"] == {applicant["id"]: {"email": "anna@example.com", "city": "Lyons"}}
    assert body["applicants"][0]["form_data"] == {"city": "Lyon"}


def test_links_on_create_return_each_applicants_link_and_expiry(org, api, client):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS, settings={"link_ttl_hours": 12})
    response = create(api, workflow, links=True, applicants=[{"label": "Anna"}, {"label": "Bo"}])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "active"
    assert [link["applicant_id"] for link in body["links"]] == [a["id"] for a in body["applicants"]]
    for link, applicant in zip(body["links"], body["applicants"]):
        assert link["link_expires_at"] == applicant["link_expires_at"]
        expires = timezone.datetime.fromisoformat(link["link_expires_at"])
        assert timedelta(hours=11) < expires - timezone.now() <= timedelta(hours=12)
        assert client.get(link["link_url"].replace("http://127.0.0.1:8000", ""), follow=True).status_code == 200
    assert "links" not in create(api, workflow).json()


def test_a_refused_second_file_leaves_no_file_behind(org, media_root):
    from onboarding.services.api_support import Upload, session_create_with_documents

    workflow = make_workflow(org)
    with pytest.raises(ValidationFailed):
        session_create_with_documents(
            actor=system(org),
            workflow_id=workflow.id,
            documents=[Upload("identity", png(), "front.png", "id_card", "front"), Upload("nope", pdf(), "bill.pdf")],
        )
    assert not Session.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_session_runs_the_latest_published_version_of_a_workflow_its_key_may_see(org, api):
    workflow = make_workflow(org, name="KYC")
    services.workflow_update(actor=system(org), workflow_id=workflow.id, name="KYC 2", steps=FORM_ONLY_STEPS)
    services.workflow_publish(actor=system(org), workflow_id=workflow.id)
    services.workflow_update(actor=system(org), workflow_id=workflow.id, name="KYC 3 draft")
    body = create(api, workflow, input={"form": {"email": "anna@example.com"}}).json()
    assert body["workflow_version"] == 2
    assert [step["step_id"] for step in body["steps_data"]] == [step["id"] for step in FORM_ONLY_STEPS]

    sandbox, _ = client_for(org, environment="sandbox")
    problem(create(sandbox, workflow), 404)
    body = problem(create(api, make_workflow(org, publish=False)), 400)
    assert "no published version" in body["errors"]["workflow_id"][0]
    services.workflow_delete(actor=system(org), workflow_id=workflow.id)
    problem(create(api, workflow), 404)
