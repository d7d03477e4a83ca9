"""MRZ extraction accuracy and speed on generated identity documents.

    python bench/mrz_accuracy.py [--documents 60] [--seed 1]

Draws TD1, TD2 and TD3 documents with random holders, photographs them from clean
to degraded (rotation, blur, noise, downscaling, JPEG), and reads the MRZ side
through the production path (page loading, MRZ reader). Reports the share read
fully correct (every check digit valid and every field equal to the truth), the
number of wrong values that passed their check digits (must be 0), and the mean
extraction time against one bare ``pytesseract.image_to_string`` call on the same
image (target: at most 1.3x). Writes bench/results/mrz_accuracy.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

import pytesseract  # noqa: E402

from onboarding.checks.images import load_pages  # noqa: E402
from onboarding.checks.mrz import parse  # noqa: E402
from onboarding.checks.mrz_reader import read_pages  # noqa: E402
from tests.documents.identity import photograph, random_capture, random_document, render  # noqa: E402

FORMATS = ("TD1", "TD2", "TD3")
SEVERITIES = (0.0, 0.3, 0.6, 1.0)


def measure(count, seed):
    rng = random.Random(seed)
    correct = wrong_but_valid = unreadable = 0
    extraction, bare = [], []
    failures = []
    for index in range(count):
        document = random_document(rng, FORMATS[index % len(FORMATS)])
        capture = random_capture(rng, SEVERITIES[index // len(FORMATS) % len(SEVERITIES)])
        content = photograph(render(document, seed=index)[-1], capture, seed=index)
        truth = parse(document.mrz_lines())

        started = time.perf_counter()
        reading = read_pages(load_pages(content, "image/png"))
        extraction.append(time.perf_counter() - started)
        image = load_pages(content, "image/png")[0]
        started = time.perf_counter()
        pytesseract.image_to_string(image)
        bare.append(time.perf_counter() - started)

        read = reading.mrz if reading else None
        if read is not None and read.valid and read.fields() == truth.fields() and list(read.lines) == list(truth.lines):
            correct += 1
            continue
        if read is not None and read.valid:
            wrong_but_valid += 1
        elif read is None:
            unreadable += 1
        failures.append({"index": index, "format": document.format, "capture": repr(capture),
                         "truth": truth.lines, "read": reading.lines if reading else None})  # fmt: skip
    return {
        "correct": correct / count,
        "wrong_but_valid": wrong_but_valid,
        "unreadable": unreadable,
        "extraction_ms": statistics.mean(extraction) * 1000,
        "bare_ms": statistics.mean(bare) * 1000,
        "failures": failures,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    outcome = measure(args.documents, args.seed)
    ratio = outcome["extraction_ms"] / outcome["bare_ms"]
    results = [
        {"name": "mrz_fully_correct_share", "value": round(outcome["correct"], 3), "baseline": None,
         "ratio": None, "target": 0.95, "met": outcome["correct"] >= 0.95},
        {"name": "mrz_wrong_but_valid_count", "value": outcome["wrong_but_valid"], "baseline": None,
         "ratio": None, "target": 0, "met": outcome["wrong_but_valid"] == 0},
        {"name": "mrz_extraction_mean_ms", "value": round(outcome["extraction_ms"], 1),
         "baseline": round(outcome["bare_ms"], 1), "ratio": round(ratio, 2), "target": 1.3, "met": ratio <= 1.3},
    ]  # fmt: skip
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tesseract": str(pytesseract.get_tesseract_version()),
        "documents": args.documents,
        "seed": args.seed,
        "unreadable": outcome["unreadable"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mrz_accuracy.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    for result in results:
        print(f"{result['name']}: {result['value']} (baseline {result['baseline']}, ratio {result['ratio']}, "
              f"target {result['target']}, met {result['met']})")  # fmt: skip
    for failure in outcome["failures"]:
        print("not fully correct:", failure)


if __name__ == "__main__":
    main()
