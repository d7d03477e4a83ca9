"""`make bench`: every benchmark against PostgreSQL and Redis on 127.0.0.1, one line per target,
then the README's table regenerated from bench/results (bench.readme).

Each benchmark runs in its own process so one's memory does not weigh on the next.

    python -m bench [bench.worker ...]   # all, or the ones named
    python -m bench --quick              # smaller sizes, to try a change out

Quick results go to bench/results/quick/, which the README table never reads.
"""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

from bench import readme
from bench.common import RESULTS, ROOT

BENCHMARKS = [
    "bench.summary",
    "bench.dashboard_reads",
    "bench.throughput",
    "bench.uploads",
    "bench.portal_pages",
    "bench.query_counts",
    "bench.extraction",
    "bench.worker",
    "bench.mrz_accuracy",
    "bench.document_fields",
    "bench.watchlist",
]
DATABASE = "threshold_bench"
# Smaller sizes of the benchmarks that take them (the others always measure at full size).
QUICK = {
    "bench.extraction": ["--documents", "3"],
    "bench.worker": ["--sessions", "1"],
}


def ensure_database(env):
    """The database DATABASE_URL names (BENCH_DATABASE_URL's, or DATABASE) created if missing, migrated."""
    name = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # gunicorn serves static files through whitenoise, from the collected folder.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def main():
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        # Throughput is measured, not the per-key rate limiter.
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    quick = "--quick" in sys.argv[1:]
    names = [arg for arg in sys.argv[1:] if arg != "--quick"] or (list(QUICK) if quick else BENCHMARKS)
    if quick:
        env["BENCH_RESULTS"] = str(RESULTS / "quick")
    ensure_database(env)
    failed = []
    for name in names:
        print(f"== {name}", flush=True)
        started = time.monotonic()
        options = QUICK.get(name, []) if quick else []
        code = subprocess.run([sys.executable, "-m", name, *options], cwd=ROOT, env=env).returncode
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        if code:
            failed.append(name)
    if not quick:
        readme.update()
    if failed:
        print("benchmarks that did not run to the end: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
