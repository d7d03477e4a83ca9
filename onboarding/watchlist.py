"""Watchlist: loading sanctions and PEP lists, and screening names against them.

Lists come as OpenSanctions ``targets.simple.csv`` or FollowTheMoney JSON lines.
A load is incremental: entries are upserted by entity id, entries absent from the
new file are marked removed, and the dataset keeps the version and count loaded.
Each entry's names are indexed as normalised tokens plus phonetic keys
(``WatchlistToken``), so screening first narrows a million entries to a few dozen
candidates with one indexed lookup, then scores them with nomenklatura's
LogicV1 (name, birth date and country) on FollowTheMoney entities.
"""

import csv
import functools
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from django.db import connections, transaction
from django.db.models import Count
from django.utils import timezone
from normality import ascii_text
from rigour.names import normalize_name
from rigour.text.phonetics import metaphone

from onboarding.models import WatchlistDataset, WatchlistEntry, WatchlistToken

BATCH_SIZE = 2000
# Some entities carry hundreds of transliterated aliases; the first ones are enough to find them.
MAX_TOKENS_PER_ENTRY = 64
# Candidates scored per query, best token overlap first.
CANDIDATE_LIMIT = 60
DEFAULT_THRESHOLD = 0.7
PHONETIC_PREFIX = "~"
SCREENED_SCHEMATA = {"Person", "LegalEntity", "Organization", "Company", "PublicBody", "Vessel", "Airplane"}
COUNTRY_PROPERTIES = ("country", "nationality", "citizenship", "jurisdiction")
csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class WatchlistRecord:
    """One entity as read from a list file, before it is stored."""

    entity_id: str
    name: str
    schema: str = "Person"
    aliases: list = field(default_factory=list)
    birth_dates: list = field(default_factory=list)
    countries: list = field(default_factory=list)
    lists: list = field(default_factory=list)
    properties: dict = field(default_factory=dict)

    def stored_values(self):
        return {
            "schema": self.schema,
            "name": self.name[:500],
            "aliases": self.aliases,
            "birth_dates": self.birth_dates,
            "countries": self.countries,
            "lists": self.lists,
            "properties": self.properties,
        }


# --- reading list files ------------------------------------------------------


def _split(value):
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _unique(values):
    return list(dict.fromkeys(values))


def read_simple_csv(path):
    """Records of an OpenSanctions ``targets.simple.csv`` (multi-values separated by ';')."""
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row.get("id") or not row.get("name"):
                continue
            extra = {key: _split(row.get(key)) for key in ("addresses", "identifiers", "sanctions", "phones", "emails")}
            yield WatchlistRecord(
                entity_id=row["id"],
                name=row["name"].strip(),
                schema=row.get("schema") or "Person",
                aliases=_unique(a for a in _split(row.get("aliases")) if a != row["name"]),
                birth_dates=_split(row.get("birth_date")),
                countries=[c.lower() for c in _split(row.get("countries"))],
                lists=_split(row.get("dataset")),
                properties={key: values for key, values in extra.items() if values},
            )


def ftm_record(data, default_list=""):
    """A record for one FollowTheMoney entity dict, or None for entities nobody screens
    (sanctions, addresses, relationships)."""
    schema, properties = data.get("schema"), data.get("properties") or {}
    names = properties.get("name") or []
    if schema not in SCREENED_SCHEMATA or not data.get("id") or not names:
        return None
    countries = _unique(c.lower() for prop in COUNTRY_PROPERTIES for c in properties.get(prop, []))
    return WatchlistRecord(
        entity_id=data["id"],
        name=names[0],
        schema=schema,
        aliases=_unique(n for n in [*names[1:], *properties.get("alias", [])] if n != names[0]),
        birth_dates=list(properties.get("birthDate", [])),
        countries=countries,
        lists=list(data.get("datasets") or ([default_list] if default_list else [])),
        properties={key: values for key, values in properties.items() if key in ("topics", "position", "program")},
    )


def read_ftm_jsonl(path, default_list=""):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = ftm_record(json.loads(line), default_list)
                if record is not None:
                    yield record


def read_records(path, default_list=""):
    """Records of a list file, its format told by its first character."""
    with open(path, encoding="utf-8") as handle:
        first = handle.read(1)
    if first == "{":
        return read_ftm_jsonl(path, default_list)
    return read_simple_csv(path)


# --- the name index ----------------------------------------------------------


def name_tokens(names):
    """Index keys of some names: ASCII-folded words and their metaphone keys.

    Word fragments (first or last letters) would also catch misspellings that change a
    word's sound, but they are shared by so many names ("-ller", "-ovich") that the
    lookup stops narrowing: a 1M-entry screening went from 50 ms to 1.4 s at p95."""
    tokens = []
    for name in names:
        text = ascii_text(normalize_name(name) or "") or ""
        for word in "".join(c if c.isalnum() else " " for c in text.lower()).split():
            if len(word) < 2:
                continue
            tokens.append(word)
            if len(word) > 2 and word.isalpha():
                tokens.append(PHONETIC_PREFIX + metaphone(word))
    return _unique(t[:64] for t in tokens)[:MAX_TOKENS_PER_ENTRY]


def _insert_tokens(entries):
    """Index rows of ``entries``, written directly: a million-entry load creates millions of
    them, and model instances would cost more than the inserts. PostgreSQL gets them by COPY."""
    if not entries:
        return
    db = connections[WatchlistToken.objects.db]
    opts = WatchlistToken._meta
    uuid_field = opts.get_field("entry").target_field
    table = db.ops.quote_name(opts.db_table)
    columns = ", ".join(db.ops.quote_name(opts.get_field(name).column) for name in ("entry", "organization", "token"))
    organization_id = uuid_field.get_db_prep_value(entries[0].organization_id, db)
    rows = [
        (entry_id, organization_id, token)
        for entry_id, entry in ((uuid_field.get_db_prep_value(entry.id, db), entry) for entry in entries)
        for token in name_tokens([entry.name, *entry.aliases])
    ]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)", rows)


# --- loading -----------------------------------------------------------------


def _batches(records, size):
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        # A file may repeat an entity: its last occurrence wins.
        yield list({record.entity_id: record for record in batch}.values())


@transaction.atomic
def _store_batch(dataset, batch):
    now = timezone.now()
    existing = {
        entry.entity_id: entry
        for entry in WatchlistEntry.objects.filter(dataset=dataset, entity_id__in=[r.entity_id for r in batch])
    }
    created, changed, unchanged = [], [], []
    for record in batch:
        values = record.stored_values()
        entry = existing.get(record.entity_id)
        if entry is None:
            created.append(
                WatchlistEntry(
                    id=uuid.uuid4(),
                    organization_id=dataset.organization_id,
                    dataset=dataset,
                    entity_id=record.entity_id,
                    **values,
                )
            )
        elif entry.removed_at is not None or any(getattr(entry, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(entry, key, value)
            entry.removed_at, entry.updated_at = None, now
            changed.append(entry)
        else:
            unchanged.append(entry.id)
    WatchlistEntry.objects.bulk_create(created)
    if changed:
        WatchlistEntry.objects.bulk_update(changed, [*WatchlistRecord.__dataclass_fields__, "removed_at", "updated_at"])
        WatchlistToken.objects.filter(entry__in=[entry.id for entry in changed]).delete()
    if unchanged:
        # Touched so that the end of the load knows they are still listed.
        WatchlistEntry.objects.filter(id__in=unchanged).update(updated_at=now)
    _insert_tokens(created + changed)
    return len(created), len(changed)


@transaction.atomic
def _remove_unlisted(dataset, load_started):
    """Entries the new load no longer contains: marked removed and dropped from the index."""
    unlisted = WatchlistEntry.objects.filter(dataset=dataset, removed_at__isnull=True, updated_at__lt=load_started)
    WatchlistToken.objects.filter(entry__in=unlisted.values("id")).delete()
    return unlisted.update(removed_at=timezone.now())


def load_records(organization, records, dataset_name, version, source_file="", batch_size=BATCH_SIZE):
    """Upsert ``records`` into the dataset; returns (dataset, stats)."""
    dataset, _ = WatchlistDataset.objects.get_or_create(
        organization=organization, name=dataset_name, defaults={"version": version}
    )
    load_started = timezone.now()
    stats = {"read": 0, "created": 0, "updated": 0, "removed": 0}
    for batch in _batches(records, batch_size):
        created, changed = _store_batch(dataset, batch)
        stats["read"] += len(batch)
        stats["created"] += created
        stats["updated"] += changed
    stats["removed"] = _remove_unlisted(dataset, load_started)
    dataset.version = version
    dataset.source_file = str(source_file)[:300]
    dataset.entry_count = WatchlistEntry.objects.filter(dataset=dataset, removed_at__isnull=True).count()
    dataset.loaded_at = timezone.now()
    dataset.save(update_fields=["version", "source_file", "entry_count", "loaded_at", "updated_at"])
    return dataset, stats


def default_version(path):
    return datetime.fromtimestamp(os.path.getmtime(path), tz=UTC).strftime("%Y%m%d%H%M%S")


def default_dataset_name(path):
    return Path(path).name.split(".")[0]


def load_file(organization, path, dataset_name=None, version=None, batch_size=BATCH_SIZE):
    dataset_name = dataset_name or default_dataset_name(path)
    records = read_records(path, default_list=dataset_name)
    return load_records(
        organization,
        records,
        dataset_name,
        version or default_version(path),
        source_file=Path(path).name,
        batch_size=batch_size,
    )


# --- screening ---------------------------------------------------------------


# LogicV1's features that can score what ``_entity`` and ``_add_facts`` give an entity (names,
# aliases, birth dates, countries). Its others compare identifiers, addresses, genders, wallets or
# last-name properties, which these entities never carry: they score 0 and change no score.
_SCORED_FEATURES = {
    "name_literal_match",
    "person_name_jaro_winkler",
    "person_name_phonetic_match",
    "name_fingerprint_levenshtein",
    "country_mismatch",
    "dob_year_disjoint",
    "dob_day_disjoint",
    "numbers_mismatch",
}


@functools.cache
def _matching():
    """FollowTheMoney's model, the scoring defaults and LogicV1's weighted features, imported on the
    first name that has candidates: together they weigh about 170 MB, which a worker checking
    documents (or screening against no list) never needs. Main features come heaviest first."""
    from followthemoney import model
    from nomenklatura.matching import LogicV1, ScoringConfig

    config = ScoringConfig.defaults()
    for name, var in LogicV1.CONFIG.items():
        config.config.setdefault(name, var.default)
    weighted = [
        (feature, config.weights.get(feature.name, feature.weight))
        for feature in LogicV1.features
        if feature.name in _SCORED_FEATURES
    ]
    mains = sorted(
        ((feature.func, weight) for feature, weight in weighted if not feature.qualifier and weight),
        key=lambda pair: -pair[1],
    )
    qualifiers = [(feature.func, weight) for feature, weight in weighted if feature.qualifier and weight]
    # A qualifier only lowers a score, which lets a candidate stop at its names (see _score).
    assert all(weight < 0 for _, weight in qualifiers)
    return model, config, mains, qualifiers


def _entity(schema, entity_id, names):
    entity = _matching()[0].make_entity(schema)
    entity.id = entity_id
    entity.add("name", names[0], quiet=True)
    entity.add("alias", list(names[1:]), quiet=True)
    return entity


def _add_facts(entity, birth_dates=(), countries=()):
    if "birthDate" in entity.schema.properties:
        entity.add("birthDate", list(birth_dates), quiet=True)
    entity.add("country", list(countries), quiet=True)


def _iso(value):
    return value.isoformat() if isinstance(value, date) else str(value)


def candidates(organization_id, tokens, limit=CANDIDATE_LIMIT):
    """Listed entries sharing the most index tokens with the query."""
    best = (
        WatchlistToken.objects.filter(organization_id=organization_id, token__in=tokens)
        .values("entry_id")
        .annotate(hits=Count("id"))
        .order_by("-hits")[:limit]
    )
    entry_ids = [row["entry_id"] for row in best]
    return WatchlistEntry.objects.filter(id__in=entry_ids, removed_at__isnull=True).select_related("dataset")


def _score(query, entry, schema, threshold):
    """LogicV1's score of a listed entry against the query, or None when it is below ``threshold``.

    The same sums as ``LogicV1.compare`` (the best weighted main feature, then each qualifier's
    weight added), with less work per candidate: a main feature that cannot beat the best so far
    (scores are at most 1) is skipped, and since qualifiers only lower a score, a candidate whose
    names score below the threshold stops there, before its dates and countries are even parsed.
    """
    _, config, mains, qualifiers = _matching()
    listed = _entity(schema, entry.entity_id, [entry.name, *entry.aliases])
    score = 0.0
    for compare, weight in mains:
        if score < weight:
            score = max(score, weight * compare(query, listed, config).score)
    if score < threshold:
        return None
    if score > 0:
        _add_facts(listed, entry.birth_dates, entry.countries)
        for compare, weight in qualifiers:
            score += weight * compare(query, listed, config).score
        score = min(1.0, max(0.0, score))
    return score if score >= threshold else None


def screen(organization_id, name, birth_date=None, country=None, threshold=DEFAULT_THRESHOLD, schema="Person"):
    """Watchlist hits for one name, best first: dicts with entity_id, name, score,
    lists, dataset, birth_dates, countries. ``birth_date`` (date or ISO text) and
    ``country`` (ISO code) raise or lower the score of each candidate."""
    tokens = name_tokens([name]) if name else []
    entries = list(candidates(organization_id, tokens)) if tokens else []
    if not entries:
        return []
    model = _matching()[0]
    query_schema = model.get(schema) or model.get("Person")
    query = _entity(query_schema, f"query-{uuid.uuid4().hex}", [name])
    _add_facts(query, [_iso(birth_date)] if birth_date else [], [country] if country else [])
    hits = []
    for entry in entries:
        entry_schema = model.get(entry.schema) or model.get("LegalEntity")
        if not query_schema.can_match(entry_schema):
            continue
        score = _score(query, entry, entry_schema, threshold)
        if score is not None:
            hits.append({
                "entity_id": entry.entity_id,
                "name": entry.name,
                "score": round(score, 4),
                "lists": entry.lists,
                "dataset": entry.dataset.name,
                "birth_dates": entry.birth_dates,
                "countries": entry.countries,
            })  # fmt: skip
    return sorted(hits, key=lambda hit: -hit["score"])


def dataset_versions(organization_id):
    """Name and version of every dataset loaded for the organization (for the evidence of a screening)."""
    return [
        {"name": name, "version": version, "entry_count": count}
        for name, version, count in WatchlistDataset.objects.filter(organization_id=organization_id)
        .order_by("name")
        .values_list("name", "version", "entry_count")
    ]
