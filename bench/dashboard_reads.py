"""Dashboard and API reads at scale: the inbox, its counts, search, the overview and the
API list's search and summary, p95 over repeated requests through the Django test client,
interleaved with the API list (limit 50) measured in the same rounds as the baseline.

    BENCH_SESSIONS=1000000 python -m bench.dashboard_reads
"""

import os
import time

from bench.common import median, percentile, report, result, setup_django

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
# Searches a reviewer types: a surname (many hits), an exact e-mail fragment, a reference (one hit).
SEARCHES = ["Eriksson", "lucas.martin12", "CUS-000421", "Kowalski"]
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
    timings = measure(clients(organization), ROUNDS)
    baseline = percentile(timings[READS[0][0]], 0.95) * 1000
    rows = [result(f"{READS[0][0]} p95, {SESSIONS:,} sessions", baseline, None, 50, unit=" ms")]
    for name, _, _, target in READS[1:]:
        p95 = percentile(timings[name], 0.95) * 1000
        row = result(f"{name} p95, {SESSIONS:,} sessions", p95, None, target, unit=" ms")
        # The API list measured in the same rounds, for reading the figure on a busy machine.
        row["times_api_list"] = round(p95 / baseline, 2)
        row["median"] = round(median(timings[name]) * 1000, 2)
        rows.append(row)
    return report(f"dashboard_reads_{SESSIONS // 1000}k", rows)


if __name__ == "__main__":
    main()
