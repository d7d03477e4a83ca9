"""What every benchmark shares: Django set-up, the machine description, and
results printed and written as ratios against a baseline measured in the same run."""

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def machine():
    def command(*args):
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "tesseract": command("tesseract", "--version").splitlines()[0] if command("tesseract", "--version") else "",
        "database": os.environ.get("DATABASE_URL", "sqlite").split("@")[-1],
    }


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(values):
    return statistics.median(values)


def result(name, value, baseline, target, unit="", higher_is_better=False):
    """One line of the table. `target` is a ratio to the baseline (or an absolute limit when baseline is None)."""
    ratio = value / baseline if baseline else None
    measured = ratio if baseline else value
    met = measured >= target if higher_is_better else measured <= target
    return {
        "name": name,
        "value": round(value, 4),
        "baseline": round(baseline, 4) if baseline else baseline,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "unit": unit,
        "met": met,
    }


def report(bench_name, results):
    """Print one line per result and write bench/results/<bench_name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    for row in results:
        ratio = f"ratio {row['ratio']:.3f}" if row["ratio"] is not None else "absolute"
        baseline = f"baseline {row['baseline']}{row['unit']}" if row["baseline"] is not None else ""
        print(
            f"{'MET ' if row['met'] else 'MISS'} {row['name']}: {row['value']}{row['unit']} {baseline} "
            f"{ratio} target {row['target']}",
            flush=True,
        )
    path = RESULTS / f"{bench_name}.json"
    path.write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")
    return results
