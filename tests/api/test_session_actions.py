"""Watchlist screening and search, the audit trail, links and extension, subsessions' edges."""

import pytest

from onboarding import services
from onboarding.watchlist import WatchlistRecord, load_records
from tests.api.conftest import V1, client_for, problem
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctions(org):
    records = [
        WatchlistRecord(
            "ofac-1", "Viktor Petrovich Bout", birth_dates=["1967-01-13"], countries=["ru"], lists=["us_ofac_sdn"]
        ),
        WatchlistRecord("eu-2", "Acme Shell Holdings Ltd", schema="Company", lists=["eu_fsf"]),
    ]
    return load_records(org, records, "sanctions", "2026-11-01")[0]


def test_watchlist_search_screens_one_name(api, sanctions):
    body = api.get(f"{V1}/watchlist/search?name=Viktor%20Bout&birth_date=1967-01-13&country=RU").json()
    assert [hit["entity_id"] for hit in body["data"]] == ["ofac-1"]
    assert body["data"][0]["lists"] == ["us_ofac_sdn"] and body["data"][0]["score"] > 0.7
    assert body["meta"]["datasets"] == [{"name": "sanctions", "version": "2026-11-01", "entry_count": 2}]
    assert api.get(f"{V1}/watchlist/search?name=Anna%20Eriksson").json()["data"] == []
    problem(api.get(f"{V1}/watchlist/search"), 400)
    # A blank birth date is read as none given; a malformed one is refused, named.
    blank = api.get(f"{V1}/watchlist/search?name=Viktor%20Bout&birth_date=&country=")
    assert blank.status_code == 200 and [hit["entity_id"] for hit in blank.json()["data"]] == ["ofac-1"]
    for birth_date in ("13/01/1967", "1967-02-30"):
        body = problem(api.get(f"{V1}/watchlist/search?name=Viktor%20Bout&birth_date={birth_date}"), 400)
        assert list(body["errors"]) == ["birth_date"]


def test_another_tenant_never_sees_our_lists(other_api, sanctions):
    assert other_api.get(f"{V1}/watchlist/search?name=Viktor%20Bout").json()["data"] == []


def test_validate_rescreens_every_applicant(api, org, sanctions):
    session = make_session(
        org, input={"identity": {"first_name": "Viktor", "last_name": "Bout", "birth_date": "1967-01-13"}}
    )
    response = api.post(f"{V1}/sessions/{session.id}/validate")
    assert response.status_code == 200
    watchlist = response.json()["watchlist"]
    assert (watchlist["is_match"], watchlist["match_count"]) == (True, 1)
    assert watchlist["matches"][0]["applicant_id"] == str(session.applicants.get().id)
    stored = api.get(f"{V1}/sessions/{session.id}").json()["processing_results"]["external_validations"]
    assert stored["watchlist"]["match_count"] == 1
    assert "session.revalidated" in [e["action"] for e in api.get(f"{V1}/sessions/{session.id}/events").json()["data"]]


def test_validate_respects_the_workflow_setting(api, org):
    workflow = make_workflow(org, settings={"validations": {"watchlist": False, "face_match": True}})
    body = problem(api.post(f"{V1}/sessions/{make_session(org, workflow).id}/validate"), 400)
    assert "validations" in body["errors"]


def test_events_are_paged_oldest_first(api, org):
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    for note in ("one", "two", "three"):
        services.session_add_note(actor=system(org), session_id=session.id, note=note)
    first = api.get(f"{V1}/sessions/{session.id}/events?limit=2").json()
    rest = api.get(f"{V1}/sessions/{session.id}/events?limit=10&cursor={first['meta']['next_cursor']}").json()
    events = first["data"] + rest["data"]
    assert [e["action"] for e in events] == ["session.created", "session.note", "session.note", "session.note"]
    assert [e["note"] for e in events[1:]] == ["one", "two", "three"]
    assert [e["sequence"] for e in events] == sorted(e["sequence"] for e in events)
    assert rest["meta"]["next_cursor"] is None


def test_links_for_some_applicants_and_extension_rules(api, org):
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), applicants=[{"label": "a"}, {"label": "b"}])
    second = session.applicants.order_by("created_at")[1]
    links = api.post(f"{V1}/sessions/{session.id}/links", {"applicant_ids": [str(second.id)]}, format="json")
    assert [link["applicant_id"] for link in links.json()["links"]] == [str(second.id)]
    body = problem(api.post(f"{V1}/sessions/{session.id}/extend", {"extend_days": 0}, format="json"), 400)
    assert "extend_days" in body["errors"]
    assert api.post(f"{V1}/sessions/{session.id}/extend", {"extend_days": 2}, format="json").status_code == 200


def test_subsessions_stay_under_their_parent(api, org, other_org):
    parent = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    child = api.post(
        f"{V1}/sessions/{parent.id}/subsessions", {"role": "director", "name": "Director"}, format="json"
    ).json()
    assert child["parent_id"] == str(parent.id)
    body = problem(api.post(f"{V1}/sessions/{child['id']}/subsessions", {"name": "x"}, format="json"), 400)
    assert "session_id" in body["errors"]
    problem(api.post(f"{V1}/sessions/{parent.id}/subsessions", {"role": "cousin"}, format="json"), 400)
    links = api.post(f"{V1}/sessions/{parent.id}/subsessions/{child['id']}/links")
    assert links.status_code == 200 and len(links.json()["links"]) == 1
    other_parent = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    problem(api.delete(f"{V1}/sessions/{other_parent.id}/subsessions/{child['id']}"), 404)
    stranger, _ = client_for(other_org)
    problem(stranger.get(f"{V1}/sessions/{parent.id}/subsessions"), 404)
    assert api.delete(f"{V1}/sessions/{parent.id}/subsessions/{child['id']}").status_code == 204
    problem(api.get(f"{V1}/sessions/{child['id']}"), 404)


def test_a_related_party_added_through_the_api_is_listed_in_the_portal(api, org, client):
    from tests.portal.conftest import COMPANY_STEPS, open_link

    session = make_session(
        org, make_workflow(org, steps=COMPANY_STEPS), input={"company": {"company_name": "Atelier Dubois"}}
    )
    response = api.post(
        f"{V1}/sessions/{session.id}/subsessions",
        {"role": "director", "name": "Jean Dubois", "input": {}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["metadata"]["related_party"]["role"] == "director"
    _, path = open_link(client, session)
    page = client.get(path + "steps/people/").content.decode()
    assert "Jean Dubois" in page
    problem(
        api.post(f"{V1}/sessions/{session.id}/subsessions", {"role": "legal_representative"}, format="json"), 400
    )  # the step takes UBOs and directors only
