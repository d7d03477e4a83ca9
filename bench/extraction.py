"""Identity document extraction: time against one bare Tesseract call, worker memory, throughput.

    python bench/extraction.py [--documents 12]

For each generated passport / ID card photo (tests/documents/identity.py), times the
identity check as a worker runs it and one bare ``pytesseract.image_to_string`` on
the same image (target: extraction <= 1.3x the bare call). Also reports the
process's peak resident memory (target < 400 MB), documents per minute on one worker process, and how many documents had
every field read correctly. Writes bench/results/extraction.json.
"""

import argparse
import io
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from onboarding.checks import DocumentInput, get_check  # noqa: E402
from onboarding.uploads import prepare_upload  # noqa: E402
from tests.documents.identity import photograph, random_capture, random_document, render  # noqa: E402

TARGET_RATIO = 1.3
TARGET_RSS_MB = 400
FORMATS = ["TD3", "TD1", "TD2"]


def samples(count):
    """(document, encoded image of the page with the MRZ): clean scans and phone photos, every format."""
    rng = random.Random(7)
    for index in range(count):
        doc = random_document(rng, FORMATS[index % len(FORMATS)])
        severity = (0.0, 0.4, 0.8)[index // len(FORMATS) % 3]
        page = render(doc, seed=index)[-1]
        yield doc, prepare_upload(photograph(page, random_capture(rng, severity), seed=index))


def correct(doc, fields):
    expected = {"birth_date": doc.birth_date.isoformat(), "expiry_date": doc.expiry_date.isoformat(),
                "document_number": doc.document_number, "sex": doc.sex}
    return all(fields.get(key) == value for key, value in expected.items())


def peak_rss_mb():
    # Tesseract runs as a child process with its own memory; this is the worker's own peak.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=12)
    args = parser.parse_args()

    check = get_check("identity_document")
    extraction_ms, bare_ms, right = [], [], 0
    for doc, prepared in samples(args.documents):
        started = time.perf_counter()
        outcome = check([DocumentInput(prepared.content, prepared.mime_type, "passport")], {}, {})
        extraction_ms.append((time.perf_counter() - started) * 1000)
        right += correct(doc, outcome.fields)

        started = time.perf_counter()
        pytesseract.image_to_string(Image.open(io.BytesIO(prepared.content)))
        bare_ms.append((time.perf_counter() - started) * 1000)

    value, baseline = statistics.median(extraction_ms), statistics.median(bare_ms)
    ratios = [e / b for e, b in zip(extraction_ms, bare_ms)]
    rss = peak_rss_mb()
    per_minute = 60000 / statistics.mean(extraction_ms)
    results = [
        {"name": "identity_extraction_ms_median", "value": round(value), "baseline": round(baseline),
         "ratio": round(value / baseline, 2), "target": TARGET_RATIO, "met": value / baseline <= TARGET_RATIO},
        {"name": "identity_extraction_ratio_worst", "value": round(max(ratios), 2), "baseline": None,
         "ratio": round(max(ratios), 2), "target": TARGET_RATIO, "met": max(ratios) <= TARGET_RATIO},
        {"name": "worker_peak_rss_mb", "value": round(rss), "baseline": None, "ratio": round(rss / TARGET_RSS_MB, 2),
         "target": TARGET_RSS_MB, "met": rss < TARGET_RSS_MB},
        {"name": "identity_documents_per_minute", "value": round(per_minute, 1), "baseline": None, "ratio": None,
         "target": None, "met": None},
        {"name": "identity_fields_correct", "value": round(right / args.documents, 3), "baseline": None,
         "ratio": None, "target": None, "met": None},
    ]
    machine = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
               "tesseract": str(pytesseract.get_tesseract_version()), "documents": args.documents}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "extraction.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"{'name':34} {'value':>8} {'baseline':>9} {'ratio':>6} {'target':>7}  met")
    for row in results:
        cells = ["" if row[k] is None else str(row[k]) for k in ("value", "baseline", "ratio", "target", "met")]
        print(f"{row['name']:34} {cells[0]:>8} {cells[1]:>9} {cells[2]:>6} {cells[3]:>7}  {cells[4]}")


if __name__ == "__main__":
    main()
