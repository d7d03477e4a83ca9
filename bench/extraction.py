"""Identity document extraction as a worker runs it: time against bare OCR of the same
image, the worker's memory, documents per minute.

    python -m bench.extraction [--documents 12]

For each generated passport / ID card / visa phone photo (the tuning split of
tests/documents/identity.py), times the identity check exactly as a worker calls it
(upload normalisation done before, then page loading, MRZ location and reading,
rules) and bare OCR of the same image: the same text detector and recogniser
reading every line of it (target: extraction <= 1.0x the bare OCR, SPEC 11). Also
reports the process's peak resident memory (target < 400 MB) and documents per
minute on one worker process against bare OCR pages per minute.
"""

import argparse
import resource
import time

from bench.common import median, report, result, setup_django

TARGET_RATIO = 1.0
TARGET_RSS_MB = 400


def samples(count):
    """Uploaded phone photos of identity documents, as the portal stores them."""
    from onboarding.uploads import prepare_upload
    from tests.documents.identity import phone_photos

    for sample in phone_photos("tuning", count):
        yield prepare_upload(sample.content)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=12)
    args = parser.parse_args()
    setup_django()
    from onboarding.checks import DocumentInput, get_check, textlines
    from onboarding.checks.images import load_pages

    check = get_check("identity_document")
    extraction_ms, bare_ms = [], []
    for prepared in samples(args.documents):
        started = time.perf_counter()
        check([DocumentInput(prepared.content, prepared.mime_type, "passport")], {}, {})
        extraction_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for page in load_pages(prepared.content, prepared.mime_type):
            textlines.detect_lines(page)
        bare_ms.append((time.perf_counter() - started) * 1000)

    per_minute = 60000 * len(extraction_ms) / sum(extraction_ms)
    bare_per_minute = 60000 * len(bare_ms) / sum(bare_ms)
    return report(
        "extraction",
        [
            result(
                "identity extraction vs bare OCR of the same image (median)",
                median(extraction_ms),
                median(bare_ms),
                TARGET_RATIO,
                unit=" ms",
            ),
            result(
                "identity extraction vs bare OCR (slowest document)",
                max(e / b for e, b in zip(extraction_ms, bare_ms)),
                None,
                TARGET_RATIO,
            ),
            result("worker peak resident memory", peak_rss_mb(), None, TARGET_RSS_MB, unit=" MB"),
            result(
                "identity documents per minute per worker vs bare OCR pages",
                per_minute,
                bare_per_minute,
                round(1 / TARGET_RATIO, 3),
                unit=" docs/min",
                higher_is_better=True,
            ),
        ],
    )


if __name__ == "__main__":
    main()
