"""What every benchmark shares: Django set-up, the machine description, and
results printed and written as ratios against a baseline measured in the same run.

The machine is shared and its speed drifts by a factor of two within a minute, so a
measurement and its baseline run interleaved (`interleaved`): pairs alternate which
runs first, and the table reports the median and the range of each side and of the
per-pair ratio (`paired_result`).
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
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


def spread(values):
    """[lowest, highest] of repeated figures, rounded like the figures themselves."""
    return [round(min(values), 4), round(max(values), 4)]


@dataclass(frozen=True)
class Paired:
    """Figures of a measurement and of its baseline, one of each per interleaved pair."""

    values: list
    baselines: list

    @property
    def ratios(self):
        return [value / baseline for value, baseline in zip(self.values, self.baselines)]


def timed(function):
    """`function` wrapped to return its duration in milliseconds instead of its result."""

    def run():
        started = time.perf_counter()
        function()
        return (time.perf_counter() - started) * 1000

    return run


def interleaved(measure, baseline, pairs=3):
    """Run `measure()` and `baseline()` alternately, `pairs` times each; each call returns one figure
    (a time, a rate, a peak). Odd pairs run the baseline first, even pairs the measurement, so a
    machine that warms up or gets busier weighs on both sides alike."""
    values, baselines = [], []
    for index in range(pairs):
        if index % 2:
            values.append(measure())
            baselines.append(baseline())
        else:
            baselines.append(baseline())
            values.append(measure())
    return Paired(values, baselines)


def result(name, value, baseline, target, unit="", higher_is_better=False, note=""):
    """One line of the table. `target` is a ratio to the baseline (or an absolute limit when baseline is None)."""
    ratio = value / baseline if baseline else None
    measured = ratio if baseline else value
    met = measured >= target if higher_is_better else measured <= target
    row = {
        "name": name,
        "value": round(value, 4),
        "baseline": round(baseline, 4) if baseline else baseline,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "unit": unit,
        "higher_is_better": higher_is_better,
        "met": met,
    }
    if note:
        row["note"] = note
    return row


def paired_result(name, paired, target, unit="", higher_is_better=False, note=""):
    """One line of the table from interleaved pairs: medians, ranges, and the target judged on the
    median of the per-pair ratios (not the ratio of medians, which would mix pairs)."""
    ratio = median(paired.ratios)
    row = result(name, median(paired.values), median(paired.baselines), target, unit, higher_is_better, note)
    row.update(
        ratio=round(ratio, 3),
        met=ratio >= target if higher_is_better else ratio <= target,
        value_range=spread(paired.values),
        baseline_range=spread(paired.baselines),
        ratio_range=[round(min(paired.ratios), 3), round(max(paired.ratios), 3)],
        pairs=len(paired.values),
    )
    return row


def results_path(bench_name):
    return Path(os.environ.get("BENCH_RESULTS", RESULTS)) / f"{bench_name}.json"


def report(bench_name, results):
    """Print one line per result and write bench/results/<bench_name>.json (or into $BENCH_RESULTS)."""
    for row in results:
        ratio = f"ratio {row['ratio']:.3f}" if row["ratio"] is not None else "absolute"
        if "ratio_range" in row:
            ratio += " ({:.3f}-{:.3f} over {} pairs)".format(*row["ratio_range"], row["pairs"])
        baseline = f"baseline {row['baseline']}{row['unit']}" if row["baseline"] is not None else ""
        print(
            f"{'MET ' if row['met'] else 'MISS'} {row['name']}: {row['value']}{row['unit']} {baseline} "
            f"{ratio} target {row['target']}",
            flush=True,
        )
    path = results_path(bench_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")
    return results
