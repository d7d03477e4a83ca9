"""Watchlist screening against 1,000,000 synthetic entries (target: p95 < 200 ms).

    python bench/watchlist.py [--entries 1000000] [--queries 300] [--reload]

Uses PostgreSQL when DATABASE_URL is set, else a SQLite file in the temporary directory.
Entries are generated deterministically and loaded through the production loader
(batched upserts and the token index); a later run reuses them unless --reload.
The baseline is the bare indexed token lookup for the same queries, so the ratio
shows what candidate scoring adds. Writes bench/results/watchlist.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
RESULTS.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'threshold-bench-watchlist.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_DEBUG"] = "0"  # no query log growing with a million inserts

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from onboarding.models import Organization, WatchlistDataset  # noqa: E402
from onboarding.watchlist import candidates, load_records, name_tokens, screen, WatchlistRecord  # noqa: E402

ORGANIZATION_SLUG = "bench-watchlist"
DATASET = "synthetic"
TARGET_P95_MS = 200
ONSETS = "b c d f g h j k l m n p r s t v z br ch dr gr kh kr sh st tr vl zh".split()
VOWELS = "a e i o u ia io ou ei ai".split()
CODAS = ["", "", "n", "r", "s", "l", "m", "v", "k", "sh", "ov", "in", "ez", "son", "ski", "ller"]
COUNTRIES = "ru by ir kp sy ve cu mm fr de gb us cn tr ae sa ua kz ng za br mx ar co pk in af iq ly sd".split()


def _word(rng, syllables):
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)


def _pool(seed, size, syllables):
    rng = random.Random(seed)
    return sorted({_word(rng, syllables).capitalize() for _ in range(size * 2)})[:size]


FIRST_NAMES = _pool(1, 3000, 2)
LAST_NAMES = _pool(2, 60000, 3)


def synthetic_person(index):
    """The same entry for the same index, so queries can be rebuilt without the database."""
    rng = random.Random(index)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.3 else ""
    name = f"{first}{middle} {last}"
    aliases = [f"{last.upper()} {first}"] if rng.random() < 0.4 else []
    birth_dates = [f"{rng.randint(1930, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"] \
        if rng.random() < 0.8 else []
    return WatchlistRecord(
        entity_id=f"syn-{index}", name=name, aliases=aliases, birth_dates=birth_dates,
        countries=[rng.choice(COUNTRIES)], lists=[rng.choice(["Synthetic SDN", "Synthetic PEP", "Synthetic EU"])],
    )


def with_typo(name, rng):
    position = rng.randrange(1, len(name) - 1)
    while not name[position].isalpha():
        position = rng.randrange(1, len(name) - 1)
    return name[:position] + rng.choice("aeiou") + name[position + 1:]


def ensure_loaded(entries, reload):
    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(slug=ORGANIZATION_SLUG, defaults={"name": "Bench"})
    dataset = WatchlistDataset.objects.filter(organization=organization, name=DATASET).first()
    if dataset and dataset.entry_count == entries and not reload:
        return organization, None
    started = time.monotonic()
    records = (synthetic_person(index) for index in range(entries))
    load_records(organization, records, DATASET, f"synthetic-{entries}", batch_size=5000)
    return organization, time.monotonic() - started


def queries(entries, count):
    rng = random.Random(42)
    listed = [synthetic_person(rng.randrange(entries)) for _ in range(count // 3)]
    exact = [(entry.name, (entry.birth_dates or [None])[0], entry.entity_id) for entry in listed]
    typos = [(with_typo(entry.name, rng), None, entry.entity_id) for entry in listed]
    unlisted = [(f"{_word(rng, 2).capitalize()} {_word(rng, 3).capitalize()}", None, None)
                for _ in range(count - 2 * len(listed))]
    return exact + typos + unlisted


def p95(values):
    return statistics.quantiles(values, n=20)[-1]


def timed(function, items):
    timings = []
    outputs = []
    for item in items:
        started = time.perf_counter()
        outputs.append(function(item))
        timings.append((time.perf_counter() - started) * 1000)
    return timings, outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()

    organization, load_seconds = ensure_loaded(args.entries, args.reload)
    workload = queries(args.entries, args.queries)
    for name, _, _ in workload[:20]:  # warm caches and the matcher
        screen(organization.id, name)

    lookup_ms, _ = timed(lambda q: list(candidates(organization.id, name_tokens([q[0]]))), workload)
    screen_ms, hits = timed(lambda q: screen(organization.id, q[0], birth_date=q[1]), workload)
    found = [bool(h) and h[0]["entity_id"] == q[2] for q, h in zip(workload, hits) if q[2]]
    exact, typos = found[: len(found) // 2], found[len(found) // 2:]
    false_hits = sum(1 for q, h in zip(workload, hits) if not q[2] and h)

    value, baseline = p95(screen_ms), p95(lookup_ms)
    results = [
        {"name": "watchlist_screen_p95_ms", "value": round(value, 1), "baseline": round(baseline, 1),
         "ratio": round(value / baseline, 2), "target": TARGET_P95_MS, "met": value < TARGET_P95_MS},
        {"name": "watchlist_screen_p50_ms", "value": round(statistics.median(screen_ms), 1),
         "baseline": round(statistics.median(lookup_ms), 1),
         "ratio": round(statistics.median(screen_ms) / statistics.median(lookup_ms), 2), "target": None,
         "met": None},
        {"name": "watchlist_exact_name_found_top1", "value": round(sum(exact) / len(exact), 3), "baseline": None,
         "ratio": None, "target": None, "met": None},
        {"name": "watchlist_typo_name_found_top1", "value": round(sum(typos) / len(typos), 3), "baseline": None,
         "ratio": None, "target": None, "met": None},
        {"name": "watchlist_unlisted_with_hits", "value": false_hits, "baseline": None, "ratio": None,
         "target": None, "met": None},
    ]
    if load_seconds is not None:
        results.append({"name": "watchlist_load_entries_per_s", "value": round(args.entries / load_seconds),
                        "baseline": None, "ratio": None, "target": None, "met": None})
    machine = {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "database": connection.vendor, "entries": args.entries, "queries": len(workload),
    }
    (RESULTS / "watchlist.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"{'name':32} {'value':>10} {'baseline':>10} {'ratio':>7} {'target':>8}  met")
    for row in results:
        cells = ["" if row[k] is None else str(row[k]) for k in ("value", "baseline", "ratio", "target", "met")]
        print(f"{row['name']:32} {cells[0]:>10} {cells[1]:>10} {cells[2]:>7} {cells[3]:>8}  {cells[4]}")


if __name__ == "__main__":
    main()
