"""Each document check against bare OCR of the same input, per kind of document.

    python -m bench.extraction [--documents 5]

Data: the tuning splits of tests/documents: identity document phone photos (or PDFs
of them; twice ``--documents``, reported apart as read and refused as unreadable), proofs of address and bank details documents that need OCR (phone photos,
PDFs of photos, app screenshots; text PDFs are left out, their text layer needs none).
Each is normalised as the portal normalises uploads before anything is timed.

Measured: the check exactly as the worker calls it (page loading, reading, rules),
against bare OCR of the same input with the engine that check uses:
- identity: the text detector over the same page and the recogniser over the lines
  of the MRZ band only (the band's lines are picked once, untimed, as the detected lines
  that read like the printed MRZ). So both sides read the same band; what the check
  adds is finding the band among the page's lines, decoding and second looks.
- proof of address, bank: one `tesseract` call (eng+fra+deu, as the checks call it)
  per page the check loads.
Each document is timed in 3 interleaved pairs (check and bare OCR alternate which runs
first); a kind's ratio is the median of all its pairs' ratios, with their range.
Target: each check ≤ 1.0× bare OCR of the same input.
"""

import argparse
import difflib
import itertools

from bench.common import Paired, interleaved, paired_result, report, setup_django, timed

TARGET_RATIO = 1.0
PAIRS = 3  # per document: one pair swung a kind's ratio by 0.8 from one run to the next
LANG = "eng+fra+deu"  # onboarding.checks.ocr_text.DEFAULT_LANG


def identity_inputs(count):
    """(DocumentInput, MRZ lines printed on it) per identity document photo."""
    from onboarding.checks import DocumentInput
    from onboarding.uploads import prepare_upload
    from tests.documents.identity import phone_photos

    for sample in phone_photos("tuning", count):
        prepared = prepare_upload(sample.content)
        yield DocumentInput(prepared.content, prepared.mime_type, "passport"), sample.truth


def ocr_inputs(make_set, kind, count):
    """`count` documents of a generated set (`make_set(split, count)`) that need OCR: one in
    three of these sets is a text PDF, left out."""
    from onboarding.checks import DocumentInput
    from onboarding.uploads import prepare_upload

    needing_ocr = (sample for sample in make_set("tuning", count * 3 // 2 + 2) if not sample.name.endswith("text_pdf"))
    for sample in itertools.islice(needing_ocr, count):
        prepared = prepare_upload(sample.content)
        yield DocumentInput(prepared.content, prepared.mime_type, kind)


def band_reader(document, truth):
    """Bare OCR of the MRZ band: detection over every page, recognition of the band's lines.
    None when the detector finds no line reading like the MRZ (the pair is left out)."""
    from onboarding.checks import textlines
    from onboarding.checks.images import load_pages

    pages = load_pages(document.content, document.mime_type)
    band = []
    for index, page in enumerate(pages):
        for line in textlines.detect_lines(page):
            text = line.text.replace(" ", "").replace("«", "<")
            if max(difflib.SequenceMatcher(None, text, printed).ratio() for printed in truth) >= 0.6:
                band.append((index, line.box))
    if not band:
        return None

    def read():
        loaded = load_pages(document.content, document.mime_type)
        for page in loaded:
            textlines.find_boxes(page)
        textlines.recognise([textlines.strip(loaded[index], box) for index, box in band])

    return read


def tesseract_reader(document):
    """Bare Tesseract of every page the check loads, one call per page."""
    import pytesseract

    from onboarding.checks.images import load_pages

    def read():
        for page in load_pages(document.content, document.mime_type):
            pytesseract.image_to_string(page, lang=LANG)

    return read


def compare(step_type, documents_and_readers):
    """Interleaved pairs (check, bare OCR), ``PAIRS`` per document."""
    from onboarding.checks import get_check
    from onboarding.steps import STEP_TYPES

    check = get_check(step_type)
    config = STEP_TYPES[step_type].default_config
    values, baselines = [], []
    for document, bare in documents_and_readers:
        pair = interleaved(timed(lambda document=document: check([document], {}, config)), timed(bare), pairs=PAIRS)
        values += pair.values
        baselines += pair.baselines
    return Paired(values, baselines)


def _by_outcome(identities):
    """(documents whose MRZ the check reads, documents it refuses as unreadable): a refusal
    searches the whole page, turned too, within its time budget, where a read stops at the
    first zone settled; one median over both would tell neither."""
    from onboarding.checks import get_check
    from onboarding.steps import STEP_TYPES

    check = get_check("identity_document")
    config = STEP_TYPES["identity_document"].default_config
    outcomes = [check([document], {}, config).unusable for document, _ in identities]
    return (
        [pair for pair, unusable in zip(identities, outcomes) if not unusable],
        [pair for pair, unusable in zip(identities, outcomes) if unusable],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5, help="documents per kind")
    args = parser.parse_args()
    setup_django()
    from tests.documents.address import proof_of_address_set
    from tests.documents.bank import bank_details_set

    identities = [(document, band_reader(document, truth)) for document, truth in identity_inputs(2 * args.documents)]
    read, refused = _by_outcome([(document, reader) for document, reader in identities if reader is not None])
    kinds = [
        ("identity (MRZ read)", "identity_document", read, "the recogniser over the same MRZ band"),
        ("identity (refused as unreadable)", "identity_document", refused, "the recogniser over the same MRZ band"),
        (
            "proof of address",
            "proof_of_address",
            [(d, tesseract_reader(d)) for d in ocr_inputs(proof_of_address_set, "utility_bill", args.documents)],
            "bare Tesseract of the same pages",
        ),
        (
            "bank details",
            "bank_account",
            [(d, tesseract_reader(d)) for d in ocr_inputs(bank_details_set, "rib", args.documents)],
            "bare Tesseract of the same pages",
        ),
    ]
    return report(
        "extraction",
        [
            paired_result(
                f"{label} check vs {baseline} ({len(pairs)} documents)",
                compare(step_type, pairs),
                TARGET_RATIO,
                unit=" ms",
            )
            for label, step_type, pairs, baseline in kinds
        ],
    )


if __name__ == "__main__":
    main()
