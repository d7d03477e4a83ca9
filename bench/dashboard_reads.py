"""Dashboard and API reads at scale: the inbox, its counts, search, the overview and the
API list's search and summary, p95 over repeated requests through the Django test client,
interleaved with the API list (limit 50) measured in the same rounds as the baseline. The
rounds are run REPEATS times: each figure is the median p95 with its range.

    BENCH_SESSIONS=1000000 python -m bench.dashboard_reads
"""

import os
import time

from bench.common import median, percentile, report, result, setup_django, spread

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# Searches a reviewer types: a surname (many hits), an exact e-mail fragment, a reference (one hit).
SEARCHES = ["Eriksson", "lucas.martin12", "CUS-000421", "Kowalski"]
# Why a target is missed, when it is.
NOTES = {}
# (name, client, path, target p95 in ms)
READS = [
    ("API list (limit 50)", "api", "/api/v1/sessions?limit=50", None),
    ("inbox", "dashboard", "/dashboard/", 150),
    ("inbox tab manual review", "dashboard", "/dashboard/?inbox=manual_review", 150),
    ("inbox counts", "dashboard", "/dashboard/counts/", 150),
    ("inbox search", "dashboard", "/dashboard/?q={q}", 200),
    ("overview 30 days", "dashboard", "/dashboard/overview/", 300),
    ("overview 90 days", "dashboard", "/dashboard/overview/?days=90", 300),
    ("API search (q=, limit 50)", "api", "/api/v1/sessions?limit=50&q={q}", 200),
    ("API include_summary (limit 50)", "api", "/api/v1/sessions?limit=50&include_summary=true", 150),
]


def clients(organization):
    from django.test import Client

    from onboarding import services
    from onboarding.actors import Actor
    from tests.factories import make_api_key

    services.member_set(
        actor=Actor.system(organization.id), username="bench-reviewer", role="admin", password="bench-password-1"
    )
    _, key = make_api_key(organization, scopes=["sessions:read"], name="bench reads")
    dashboard = Client()
    assert dashboard.login(username="bench-reviewer", password="bench-password-1")
    return {"api": Client(HTTP_AUTHORIZATION=f"Bearer {key}"), "dashboard": dashboard}


def measure(clients, rounds):
    """{name: [seconds]}: every read once per round, in the same order, one warm-up round first."""
    timings = {name: [] for name, *_ in READS}
    for number in range(rounds + 1):
        for name, client, path, _ in READS:
            url = path.format(q=SEARCHES[number % len(SEARCHES)])
            begin = time.perf_counter()
            response = clients[client].get(url)
            elapsed = time.perf_counter() - begin
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            if number:
                timings[name].append(elapsed)
    return timings


def main():
    setup_django()
    from bench.seed import seed

    started = time.monotonic()
    organization = seed(SESSIONS)["bench"]
    print(f"data ready in {time.monotonic() - started:.0f} s", flush=True)
    reviewers = clients(organization)
    runs = [measure(reviewers, ROUNDS) for _ in range(REPEATS)]
    p95s = {name: [percentile(run[name], 0.95) * 1000 for run in runs] for name, *_ in READS}
    baselines = p95s[READS[0][0]]
    rows = [_row(READS[0][0], baselines, 50, runs)]
    for name, _, _, target in READS[1:]:
        row = _row(name, p95s[name], target, runs)
        # The API list measured in the same rounds, for reading the figure on a busy machine.
        row["times_api_list"] = round(median([p95 / base for p95, base in zip(p95s[name], baselines)]), 2)
        rows.append(row)
    return report(f"dashboard_reads_{SESSIONS // 1000}k", rows)


def _row(name, p95s, target, runs):
    note = NOTES.get(name, "") if median(p95s) > target else ""
    row = result(f"{name} p95, {SESSIONS:,} sessions", median(p95s), None, target, unit=" ms", note=note)
    row.update(value_range=spread(p95s), median=round(median([t for run in runs for t in run[name]]) * 1000, 2))
    return row


if __name__ == "__main__":
    main()
