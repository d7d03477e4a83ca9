"""Identity document extraction as a worker runs it: time against one bare Tesseract
call, the worker's memory, documents per minute.

    python -m bench.extraction [--documents 12]

For each generated passport / ID card photo (tests/documents/identity.py), from a clean
scan to a hurried phone photo, times the identity check exactly as a worker calls it
(upload normalisation done before, then page loading, MRZ location and reading,
rules) and one bare ``pytesseract.image_to_string`` on the same image (target:
extraction <= 1.3x the bare call). Also reports the process's peak resident memory
(target < 400 MB; Tesseract runs as a child process) and documents per minute on
one worker process against bare Tesseract calls per minute.
"""

import argparse
import io
import random
import resource
import time

from bench.common import median, report, result, setup_django

TARGET_RATIO = 1.3
TARGET_RSS_MB = 400
FORMATS = ["TD3", "TD1", "TD2"]
SEVERITIES = (0.0, 0.4, 0.8)


def samples(count):
    """Uploaded images of the page with the MRZ: every format, clean to degraded."""
    from onboarding.uploads import prepare_upload
    from tests.documents.identity import photograph, random_capture, random_document, render

    rng = random.Random(7)
    for index in range(count):
        doc = random_document(rng, FORMATS[index % len(FORMATS)])
        severity = SEVERITIES[index // len(FORMATS) % len(SEVERITIES)]
        page = render(doc, seed=index)[-1]
        yield prepare_upload(photograph(page, random_capture(rng, severity), seed=index))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=12)
    args = parser.parse_args()
    setup_django()
    import pytesseract
    from PIL import Image

    from onboarding.checks import DocumentInput, get_check

    check = get_check("identity_document")
    extraction_ms, bare_ms = [], []
    for prepared in samples(args.documents):
        started = time.perf_counter()
        check([DocumentInput(prepared.content, prepared.mime_type, "passport")], {}, {})
        extraction_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pytesseract.image_to_string(Image.open(io.BytesIO(prepared.content)))
        bare_ms.append((time.perf_counter() - started) * 1000)

    per_minute = 60000 * len(extraction_ms) / sum(extraction_ms)
    bare_per_minute = 60000 * len(bare_ms) / sum(bare_ms)
    return report("extraction", [
        result("identity extraction vs one bare Tesseract call (median)", median(extraction_ms), median(bare_ms),
               TARGET_RATIO, unit=" ms"),
        result("identity extraction vs bare Tesseract (slowest document)",
               max(e / b for e, b in zip(extraction_ms, bare_ms)), None, TARGET_RATIO),
        result("worker peak resident memory", peak_rss_mb(), None, TARGET_RSS_MB, unit=" MB"),
        result("identity documents per minute per worker vs bare Tesseract calls", per_minute, bare_per_minute,
               round(1 / TARGET_RATIO, 3), unit=" docs/min", higher_is_better=True),
    ])


if __name__ == "__main__":
    main()
