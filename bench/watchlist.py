"""Watchlist screening against 1,000,000 synthetic entries (target: p95 under 200 ms).

    python -m bench.watchlist [--entries 1000000] [--queries 300] [--passes 3] [--reload]

Uses PostgreSQL when DATABASE_URL is set, else a SQLite file in the temporary directory.
Entries are generated deterministically and loaded through the production loader
(batched upserts and the token index); a later run reuses them unless --reload,
which deletes them and measures a fresh load (our floor: 1M entries in 10 minutes).
A run that reuses them carries over the load-rate row of the run that loaded them,
marked as such, when the last results are of that very load (same `loaded_at`).
After a load, PostgreSQL's statistics of the watchlist tables are gathered before
measuring: until autovacuum gets to them, the planner guesses, and the bare lookup
(one query) suffers more from a bad plan than screening (which adds scoring).
Queries are listed names (with birth date), the same names misspelt, and unlisted
names. The second line compares screening with the bare indexed token lookup of the
same queries (the candidates fetched, nothing scored): what scoring adds. Passes over
all queries alternate between screening and lookup (`--passes` of each, order swapped
each pair), both on a warm cache; each pass gives one p95.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import (
    interleaved,
    median,
    paired_result,
    percentile,
    report,
    result,
    results_path,
    setup_django,
    spread,
)

ORGANIZATION_SLUG = "bench-watchlist"
DATASET = "synthetic"
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "ch",
    "dr",
    "gr",
    "kh",
    "kr",
    "sh",
    "st",
    "tr",
    "vl",
    "zh",
]
VOWELS = ["a", "e", "i", "o", "u", "ia", "io", "ou", "ei", "ai"]
CODAS = ["", "", "n", "r", "s", "l", "m", "v", "k", "sh", "ov", "in", "ez", "son", "ski", "ller"]
COUNTRIES = [
    "ru",
    "by",
    "ir",
    "kp",
    "sy",
    "ve",
    "cu",
    "mm",
    "fr",
    "de",
    "gb",
    "us",
    "cn",
    "tr",
    "ae",
    "sa",
    "ua",
    "kz",
    "ng",
    "za",
    "br",
    "mx",
    "ar",
    "co",
    "pk",
    "in",
    "af",
    "iq",
    "ly",
    "sd",
]
LOAD_FLOOR_PER_S = 1667  # a million entries in 10 minutes


def _word(rng, syllables):
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)


def _pool(seed, size, syllables):
    rng = random.Random(seed)
    return sorted({_word(rng, syllables).capitalize() for _ in range(size * 2)})[:size]


FIRST_NAMES = _pool(1, 3000, 2)
LAST_NAMES = _pool(2, 60000, 3)


def synthetic_person(index):
    """The same entry for the same index, so queries can be rebuilt without the database."""
    from onboarding.watchlist import WatchlistRecord

    rng = random.Random(index)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.3 else ""
    aliases = [f"{last.upper()} {first}"] if rng.random() < 0.4 else []
    born = rng.random() < 0.8
    birth_date = f"{rng.randint(1930, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return WatchlistRecord(
        entity_id=f"syn-{index}",
        name=f"{first}{middle} {last}",
        aliases=aliases,
        birth_dates=[birth_date] if born else [],
        countries=[rng.choice(COUNTRIES)],
        lists=[rng.choice(["Synthetic SDN", "Synthetic PEP", "Synthetic EU"])],
    )


def with_typo(name, rng):
    position = rng.randrange(1, len(name) - 1)
    while not name[position].isalpha():
        position = rng.randrange(1, len(name) - 1)
    return name[:position] + rng.choice("aeiou") + name[position + 1 :]


def _delete_previous(organization, dataset):
    """Plain SQL: the ORM's cascade would fetch millions of rows to delete them. On PostgreSQL
    the bench database's watchlist tables are truncated: deleting a million rows there waits
    on a million deferred foreign-key checks at commit."""
    from django.db import connection, transaction

    from onboarding.models import WatchlistEntry, WatchlistToken

    tables = [model._meta.db_table for model in (WatchlistToken, WatchlistEntry)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.id.hex])
    dataset.delete()


def _analyze():
    from django.db import connection

    from onboarding.models import WatchlistEntry, WatchlistToken

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (WatchlistEntry, WatchlistToken):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def ensure_loaded(entries, reload):
    """The bench organization, its dataset with `entries` loaded, and the load's duration in seconds
    (None if reused)."""
    from django.core.management import call_command

    from onboarding.models import Organization, WatchlistDataset, WatchlistToken
    from onboarding.watchlist import load_records

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(slug=ORGANIZATION_SLUG, defaults={"name": "Bench"})
    dataset = WatchlistDataset.objects.filter(organization=organization, name=DATASET).first()
    indexed = WatchlistToken.objects.filter(organization=organization).exists()
    if dataset and dataset.entry_count == entries and indexed and not reload:
        return organization, dataset, None
    if dataset:
        _delete_previous(organization, dataset)
    started = time.monotonic()
    records = (synthetic_person(index) for index in range(entries))
    dataset, _ = load_records(organization, records, DATASET, f"synthetic-{entries}", batch_size=5000)
    seconds = time.monotonic() - started
    _analyze()
    return organization, dataset, seconds


def load_rate_row(entries, dataset, load_seconds):
    """This run's load rate, or the one measured by the run that loaded the reused entries (marked
    as carried over), or None when the last results are not of this load."""
    loaded_at = dataset.loaded_at.isoformat()
    if load_seconds is not None:
        row = result("watchlist load rate", entries / load_seconds, None, LOAD_FLOOR_PER_S, unit=" entries/s",
                     higher_is_better=True)  # fmt: skip
        return {**row, "loaded_at": loaded_at}
    path = results_path("watchlist")
    previous = json.loads(path.read_text())["results"] if path.exists() else []
    row = next((row for row in previous if row.get("loaded_at") == loaded_at), None)
    if row is None:
        print(f"no load-rate row: the last results are not of the load of {loaded_at} (use --reload)")
        return None
    return {**row, "name": f"watchlist load rate (carried over from the load of {loaded_at[:10]})",
            "carried_over": True}  # fmt: skip


def queries(entries, count):
    """(name, birth_date, expected entity id or None): listed, misspelt listed, unlisted."""
    rng = random.Random(42)
    listed = [synthetic_person(rng.randrange(entries)) for _ in range(count // 3)]
    exact = [(entry.name, (entry.birth_dates or [None])[0], entry.entity_id) for entry in listed]
    misspelt = [(with_typo(entry.name, rng), None, entry.entity_id) for entry in listed]
    unlisted = [
        (f"{_word(rng, 2).capitalize()} {_word(rng, 3).capitalize()}", None, None)
        for _ in range(count - 2 * len(listed))
    ]
    return exact, misspelt, unlisted


def elapsed_ms(function):
    started = time.perf_counter()
    output = function()
    return (time.perf_counter() - started) * 1000, output


def found_first(workload, hits):
    """Share of queries whose entry is among the best-scored hits (synthetic namesakes tie)."""
    return statistics.mean(
        any(hit["entity_id"] == query[2] and hit["score"] == found[0]["score"] for hit in found)
        for query, found in zip(workload, hits)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--passes", type=int, default=3, help="interleaved passes of screening and lookup")
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    default_db = Path(tempfile.gettempdir()) / "threshold-bench-watchlist.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{default_db}")
    os.environ["DJANGO_DEBUG"] = "0"  # no query log growing with a million inserts
    setup_django()
    from onboarding.watchlist import candidates, name_tokens, screen

    organization, dataset, load_seconds = ensure_loaded(args.entries, args.reload)
    exact, misspelt, unlisted = queries(args.entries, args.queries)
    workload = exact + misspelt + unlisted
    for name, _, _ in workload[:20]:  # warm caches and the matcher
        screen(organization.id, name)

    hits = [screen(organization.id, name, birth_date=birth_date) for name, birth_date, _ in workload]

    def screening_p95():
        return percentile([elapsed_ms(lambda q=q: screen(organization.id, q[0], birth_date=q[1]))[0]
                           for q in workload], 0.95)  # fmt: skip

    def lookup_p95():
        return percentile([elapsed_ms(lambda q=q: list(candidates(organization.id, name_tokens([q[0]]))))[0]
                           for q in workload], 0.95)  # fmt: skip

    paired = interleaved(screening_p95, lookup_p95, args.passes)
    listed_hits, misspelt_hits = hits[: len(exact)], hits[len(exact) : len(exact) + len(misspelt)]
    unlisted_hits = hits[len(exact) + len(misspelt) :]
    p95 = result(f"watchlist screening p95 over {args.entries:,} entries", median(paired.values), None, 200,
                 unit=" ms")  # fmt: skip
    p95["value_range"] = spread(paired.values)
    rows = [
        p95,
        paired_result("watchlist screening p95 vs bare token lookup of the same queries", paired, 2.0, unit=" ms"),
        result("listed names found first", found_first(exact, listed_hits), None, 1.0, higher_is_better=True),
        result(
            "misspelt listed names found first", found_first(misspelt, misspelt_hits), None, 0.8, higher_is_better=True
        ),
        result("unlisted names with a hit", sum(map(bool, unlisted_hits)), None, 0, unit=" names"),
    ]
    if not rows[1]["met"]:
        rows[1]["note"] = (
            "scoring each of up to 60 candidates with nomenklatura's LogicV1, and building the "
            "FollowTheMoney entities it compares, costs more than finding them"
        )
    load_rate = load_rate_row(args.entries, dataset, load_seconds)
    if load_rate:
        rows.append(load_rate)
    return report("watchlist", rows)


if __name__ == "__main__":
    main()
