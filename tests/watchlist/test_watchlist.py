"""Loading OpenSanctions CSV and FollowTheMoney JSON lines, incremental reloads, screening."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from onboarding.models import WatchlistDataset, WatchlistEntry, WatchlistToken
from onboarding.watchlist import load_file, name_tokens, screen

COLUMNS = [
    "id",
    "schema",
    "name",
    "aliases",
    "birth_date",
    "countries",
    "addresses",
    "identifiers",
    "sanctions",
    "phones",
    "emails",
    "dataset",
    "first_seen",
    "last_seen",
    "last_change",
]
ROWS = [
    {
        "id": "NK-putin",
        "schema": "Person",
        "name": "Vladimir Vladimirovich PUTIN",
        "aliases": "Владимир Путин;Vladimir Putin",
        "birth_date": "1952-10-07",
        "countries": "ru",
        "sanctions": "EU sanctions;UK sanctions",
        "dataset": "EU Financial Sanctions Files;UK HMT Sanctions List",
    },
    {
        "id": "NK-eriksson",
        "schema": "Person",
        "name": "Anna Maria Eriksson",
        "birth_date": "1974-08-12",
        "countries": "se",
        "dataset": "Swedish PEP list",
    },
    {
        "id": "NK-acme",
        "schema": "Company",
        "name": "Acme Shell Holdings Ltd",
        "countries": "cy",
        "dataset": "OFAC SDN List",
    },
]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return path


@pytest.fixture
def targets(tmp_path):
    return write_csv(tmp_path / "targets.simple.csv", ROWS)


def test_csv_load_stores_entries_with_lists_and_index(org, targets):
    call_command("load_watchlist", str(targets), "--organization", org.slug, "--version", "20260101")
    dataset = WatchlistDataset.objects.get(organization=org)
    assert (dataset.name, dataset.version, dataset.entry_count) == ("targets", "20260101", 3)
    putin = WatchlistEntry.objects.get(entity_id="NK-putin")
    assert putin.aliases == ["Владимир Путин", "Vladimir Putin"]
    assert putin.lists == ["EU Financial Sanctions Files", "UK HMT Sanctions List"]
    assert putin.birth_dates == ["1952-10-07"] and putin.countries == ["ru"]
    assert putin.properties["sanctions"] == ["EU sanctions", "UK sanctions"]
    assert set(putin.tokens.values_list("token", flat=True)) >= {"vladimir", "putin", "~PTN"}


def test_screen_finds_a_listed_person_with_score_and_lists(org, targets):
    load_file(org, targets, version="1")
    hits = screen(org.id, "Vladimir Putin", birth_date="1952-10-07", country="RU")
    assert hits[0]["entity_id"] == "NK-putin"
    assert hits[0]["score"] >= 0.9
    assert hits[0]["lists"] == ["EU Financial Sanctions Files", "UK HMT Sanctions List"]
    assert set(hits[0]) == {"entity_id", "name", "score", "lists", "dataset", "birth_dates", "countries"}


def test_screen_matches_other_scripts_and_typos(org, targets):
    load_file(org, targets, version="1")
    assert screen(org.id, "Владимир Путин")[0]["entity_id"] == "NK-putin"
    assert screen(org.id, "Vladimir Poutin")[0]["entity_id"] == "NK-putin"


def test_birth_date_and_country_lower_the_score_of_a_namesake(org, targets):
    load_file(org, targets, version="1")
    same = screen(org.id, "Vladimir Putin", birth_date="1952-10-07", threshold=0)[0]["score"]
    namesake = screen(org.id, "Vladimir Putin", birth_date="1990-03-01", country="fr", threshold=0)[0]["score"]
    assert namesake < 0.7 <= same
    assert screen(org.id, "Vladimir Putin", birth_date="1990-03-01", country="fr") == []


def test_unrelated_name_and_other_tenant_have_no_hits(org, other_org, targets):
    load_file(org, targets, version="1")
    assert screen(org.id, "Jean Dupont") == []
    assert screen(other_org.id, "Vladimir Putin") == []


def test_company_query_does_not_match_persons(org, targets):
    load_file(org, targets, version="1")
    assert [h["entity_id"] for h in screen(org.id, "ACME Shell Holdings", schema="Company")] == ["NK-acme"]
    assert screen(org.id, "Anna Maria Eriksson", schema="Company") == []


def test_reload_updates_removes_and_restores(org, tmp_path, targets):
    load_file(org, targets, version="1")
    changed = [dict(ROWS[0], aliases="Putin V.V."), ROWS[2]]
    dataset, stats = load_file(org, write_csv(tmp_path / "targets.simple.csv", changed), version="2")
    assert stats == {"read": 2, "created": 0, "updated": 1, "removed": 1}
    assert (dataset.version, dataset.entry_count) == ("2", 2)
    eriksson = WatchlistEntry.objects.get(entity_id="NK-eriksson")
    assert eriksson.removed_at is not None and not eriksson.tokens.exists()
    assert screen(org.id, "Anna Maria Eriksson", birth_date="1974-08-12") == []
    assert WatchlistEntry.objects.get(entity_id="NK-putin").aliases == ["Putin V.V."]

    dataset, stats = load_file(org, write_csv(tmp_path / "targets.simple.csv", ROWS), version="3")
    assert stats["updated"] == 2 and dataset.entry_count == 3
    assert screen(org.id, "Anna Maria Eriksson", birth_date="1974-08-12")[0]["entity_id"] == "NK-eriksson"


def test_reloading_the_same_file_changes_nothing(org, targets):
    load_file(org, targets, version="1")
    tokens = WatchlistToken.objects.count()
    dataset, stats = load_file(org, targets, version="1")
    assert stats == {"read": 3, "created": 0, "updated": 0, "removed": 0}
    assert WatchlistToken.objects.count() == tokens and dataset.entry_count == 3


def test_small_batches_give_the_same_result(org, targets):
    dataset, stats = load_file(org, targets, version="1", batch_size=1)
    assert stats["created"] == 3 and dataset.entry_count == 3


def test_followthemoney_json_lines(org, tmp_path):
    path = tmp_path / "entities.ftm.json"
    entities = [
        {
            "id": "ofac-1",
            "schema": "Person",
            "datasets": ["us_ofac_sdn"],
            "properties": {
                "name": ["Kim Jong Un"],
                "alias": ["Kim Jong-un"],
                "birthDate": ["1984-01-08"],
                "nationality": ["kp"],
                "topics": ["sanction"],
            },
        },
        {
            "id": "ofac-2",
            "schema": "Organization",
            "properties": {"name": ["Korea Mining Development Corp"], "country": ["kp"]},
        },
        {"id": "sanction-1", "schema": "Sanction", "properties": {"entity": ["ofac-1"]}},
    ]
    path.write_text("\n".join(json.dumps(entity) for entity in entities) + "\n")
    dataset, stats = load_file(org, path, dataset_name="ofac", version="2026-11")
    assert stats["created"] == 2 and dataset.entry_count == 2
    kim = WatchlistEntry.objects.get(entity_id="ofac-1")
    assert (kim.lists, kim.countries, kim.birth_dates) == (["us_ofac_sdn"], ["kp"], ["1984-01-08"])
    assert WatchlistEntry.objects.get(entity_id="ofac-2").lists == ["ofac"]
    assert screen(org.id, "Kim Jong-Un", birth_date="1984-01-08")[0]["entity_id"] == "ofac-1"


def test_command_requires_an_organization_when_several_exist(org, other_org, targets):
    with pytest.raises(CommandError, match="--organization"):
        call_command("load_watchlist", str(targets))
    with pytest.raises(CommandError, match="nowhere"):
        call_command("load_watchlist", str(targets), "--organization", "nowhere")


def test_name_tokens_fold_accents_and_add_phonetic_keys():
    tokens = name_tokens(["José-Luis Müller"])
    assert {"jose", "luis", "muller"} <= set(tokens)
    assert any(token.startswith("~") for token in tokens)


def _logic_v1_score(name, entry, birth_date=None, country=None, schema="Person"):
    """The score nomenklatura's LogicV1 gives, on entities carrying every stored fact of the entry."""
    from followthemoney import model
    from nomenklatura.matching import LogicV1, ScoringConfig

    def entity(schema_name, names, birth_dates, countries):
        entity = model.make_entity(schema_name)
        entity.id = names[0]
        entity.add("name", names[0])
        entity.add("alias", names[1:])
        if "birthDate" in entity.schema.properties:
            entity.add("birthDate", birth_dates)
        entity.add("country", countries)
        return entity

    query = entity(schema, [name], [birth_date] if birth_date else [], [country] if country else [])
    listed = entity(entry.schema, [entry.name, *entry.aliases], entry.birth_dates, entry.countries)
    return round(LogicV1.compare(query, listed, ScoringConfig.defaults()).score, 4)


@pytest.mark.parametrize(
    "name, birth_date, country, schema",
    [
        ("Vladimir Putin", "1952-10-07", "ru", "Person"),
        ("Vladimir Poutin", "1990-03-01", "fr", "Person"),
        ("Владимир Путин", None, None, "Person"),
        ("Anna Eriksson", "1974-12-08", "se", "Person"),
        ("Acme Shell Holdings 2 Ltd", None, "cy", "LegalEntity"),
        ("Acme Holdings", None, None, "LegalEntity"),
    ],
)
def test_screening_scores_are_logic_v1_scores(org, targets, name, birth_date, country, schema):
    load_file(org, targets, version="1")
    hits = screen(org.id, name, birth_date=birth_date, country=country, threshold=0, schema=schema)
    entries = {entry.entity_id: entry for entry in WatchlistEntry.objects.all()}
    assert hits
    for hit in hits:
        assert hit["score"] == _logic_v1_score(name, entries[hit["entity_id"]], birth_date, country, schema)
    above = [hit for hit in hits if hit["score"] >= 0.7]
    assert screen(org.id, name, birth_date=birth_date, country=country, schema=schema) == above
