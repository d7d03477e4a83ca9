"""A real Celery worker checking documents: its throughput, its memory, and hostile PDFs.

    python -m bench.worker [--sessions 3] [--pairs 3]

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the worker is `celery -A config
worker --concurrency=2` on all three queues, started by this script as production
starts it, and fed through the services exactly as portal submissions feed it.

Data: each session has three document steps, filled with the generators of
tests/documents (tuning splits): an identity document phone photo (or PDF of one), and
a proof of address and a bank details document that need OCR (phone photos, PDFs of
photos, app screenshots; text PDFs are left out, since their text layer needs none).
Uploads are normalised once, as the portal does, before anything is timed.

Throughput: a batch of sessions is submitted at once and timed until every document is
checked and every session processed; documents per minute are compared with two bare
`tesseract` processes reading the same pages (the pages the checks load, one
`tesseract` call per page, two at a time). Worker batch and bare batch run interleaved,
`--pairs` times. Bare Tesseract is a yardstick for the whole batch: identity documents
are read by the text-line models, not by Tesseract. So the same batch is also compared with
bare OCR by each page's own engine, two processes at a time: the text models (the detector and
the recogniser over every line of the page, loaded once per process) for identity documents,
`tesseract` for the others. Both bare batches run in each baseline turn of the pairs.

Memory: while the worker runs, the resident size (RSS) of its main process, of each
pool child and of each Tesseract subprocess is sampled every 100 ms (psutil); the tree
RSS is their sum at one instant (pages shared after fork count once per process, so it
is an upper bound), the tree PSS the same sum with each shared page split among the
processes that map it. Target: under 400 MB per pool child.

Hostile files: the PDF bombs of tests/security/hostile_files.py (a Flate stream behind
another filter, a plain deflate bomb, twenty pages of 14,400 pt, a 10^9 pt wide page)
are stored as files accepted before the upload check knew them
(the upload check refuses them today) and submitted to the same worker. Each must cost
one attempt (the step back with `document_unreadable`) and leave the worker alive and
checking the next session; each file's memory peak is reported apart.
"""

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from bench.common import ROOT, Paired, interleaved, paired_result, report, result, setup_django

STEPS = [
    {"id": "identity", "type": "identity_document"},
    {"id": "address", "type": "proof_of_address"},
    {"id": "bank", "type": "bank_account"},
]
CONCURRENCY = 2
TARGET_CHILD_MB = 400
TARGET_DOCS_RATIO = 1.0  # documents per minute against two bare Tesseract processes
SETTLE_TIMEOUT_S = 900
MB = 2**20


class TreeSampler(threading.Thread):
    """Peak RSS of a process, of its children by kind, and of the whole tree, sampled every `interval`."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peaks = {"main": 0, "pool child": 0, "tesseract": 0, "tree": 0, "tree pss": 0}
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                processes = [(self.root, "main"), *((child, None) for child in self.root.children(recursive=True))]
            except psutil.NoSuchProcess:
                return
            total = total_pss = 0
            for process, kind in processes:
                try:
                    # PSS shares each page among the processes mapping it: the tree's real footprint.
                    memory, name = process.memory_full_info(), process.name()
                except psutil.Error:
                    continue  # a Tesseract call that just ended
                kind = kind or ("tesseract" if name.startswith("tesseract") else "pool child")
                self.peaks[kind] = max(self.peaks[kind], memory.rss)
                total += memory.rss
                total_pss += memory.pss
            self.peaks["tree"] = max(self.peaks["tree"], total)
            self.peaks["tree pss"] = max(self.peaks["tree pss"], total_pss)
            time.sleep(self.interval)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.halt.set()
        self.join()

    def mb(self, kind):
        return self.peaks[kind] / MB


class Worker:
    """`celery worker` in a child process, ready once it answers a ping."""

    def __init__(self):
        from config.celery import app

        self.app = app
        self.name = f"bench-{os.getpid()}@localhost"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={CONCURRENCY}",
                   "-Q", "checks,processing,webhooks", "-n", self.name, "--loglevel=warning",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=os.environ)
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[self.name], timeout=1):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the Celery worker did not start")

    @property
    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: the current tasks finish
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def uploads(sessions):
    """Per session, [(step id, kind, PreparedFile)], normalised as the portal normalises uploads."""
    from onboarding.uploads import prepare_upload
    from tests.documents.address import proof_of_address_set
    from tests.documents.bank import bank_details_set
    from tests.documents.identity import phone_photos

    def needing_ocr(samples):
        return iter([s for s in samples if not s.name.endswith("text_pdf")])

    # One in three of these sets is a text PDF: make enough of the others.
    identities, enough = phone_photos("tuning", sessions), sessions * 3 // 2 + 2
    addresses = needing_ocr(proof_of_address_set("tuning", enough))
    banks = needing_ocr(bank_details_set("tuning", enough))
    return [
        [
            ("identity", "passport", prepare_upload(identity.content)),
            ("address", "utility_bill", prepare_upload(next(addresses).content)),
            ("bank", "rib", prepare_upload(next(banks).content)),
        ]
        for identity in identities
    ]


def page_files(batch, folder):
    """(step id, PNG file) of every page the checks will read, for the bare OCR baselines."""
    from onboarding.checks.images import load_pages

    pages = []
    for session_uploads in batch:
        for step_id, _, prepared in session_uploads:
            for page in load_pages(prepared.content, prepared.mime_type):
                path = Path(folder, f"page-{len(pages):03d}.png")
                page.save(path)
                pages.append((step_id, path))
    return pages


def new_session(organization, workflow):
    from onboarding import services
    from onboarding.actors import Actor
    from tests.factories import make_session, system

    session = make_session(organization, workflow)
    services.links_generate(actor=system(organization), session_id=session.id)
    return session, Actor.for_applicant(session.applicants.get())


def submit(organization, workflow, batch):
    """Upload and submit every step of every session; the worker is queued on commit. Session ids."""
    from onboarding import services

    ids = []
    for session_uploads in batch:
        session, actor = new_session(organization, workflow)
        for step_id, kind, prepared in session_uploads:
            verification = session.verifications.get(step_id=step_id)
            services.document_add(actor=actor, verification_id=verification.id, content=prepared, kind=kind)
            services.verification_submit(actor=actor, verification_id=verification.id)
        ids.append(session.id)
    return ids


def wait_settled(session_ids, timeout=SETTLE_TIMEOUT_S):
    """Until no step of these sessions waits for its check and no session for its processing."""
    from onboarding.models import Session, Verification, VerificationStatus
    from onboarding.standing import SESSION_CHECKING

    checking = [VerificationStatus.SUBMITTED, VerificationStatus.PROCESSING]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not (
            Verification.objects.filter(session_id__in=session_ids, status__in=checking).exists()
            or Session.objects.filter(id__in=session_ids, status__in=SESSION_CHECKING).exists()
        ):
            return True
        time.sleep(0.1)
    return False


def _tesseract(path):
    """One `tesseract` call on a page, as the checks call it."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # as onboarding.checks.ocr_text sets it
    subprocess.run(["tesseract", str(path), "stdout", "-l", "eng+fra+deu"], env=env, capture_output=True, check=True)


def bare_tesseract(pages):
    """Seconds for two `tesseract` processes at a time to read every page."""
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(_tesseract, [path for _, path in pages]))
    return time.perf_counter() - started


def _load_text_models():
    """A bare OCR process, set up as a worker's pool child is: the text models loaded once."""
    setup_django()
    from onboarding.checks import textlines

    textlines.unmap_large_buffers()
    textlines.models()


def _read_with_engine(page):
    """Bare OCR of one page by its check's engine: every line detected and recognised on an
    identity document, one `tesseract` call on the others."""
    step_id, path = page
    if step_id != "identity":
        _tesseract(path)
        return
    from PIL import Image

    from onboarding.checks import textlines

    with Image.open(path) as image:
        textlines.detect_lines(image)


def bare_engines(pool, pages):
    """Seconds for the two processes of ``pool`` to read every page by its check's engine."""
    started = time.perf_counter()
    pool.map(_read_with_engine, pages, chunksize=1)
    return time.perf_counter() - started


def hostile_uploads():
    from tests.security import hostile_files as hostile

    return {
        "Flate behind ASCIIHex (300 MB unpacked)": hostile.pdf_filter_chain_bomb(300),
        "deflate bomb (300 MB unpacked)": hostile.pdf_deflate_bomb(300),
        "20 pages of 14,400 pt": hostile.pdf_of_huge_pages(),
        "MediaBox 10^9 pt wide": hostile.pdf_stripe_page(),
    }


def bomb_run(organization, worker):
    """Each hostile file in its own session, one after the other, with its own memory sampler.
    Per file: (name, size in bytes, sampler, whether it cost exactly one attempt)."""
    from onboarding import services
    from tests.security.test_hostile_checks import store_unchecked

    workflow = organization.workflows.get(name="Bench hostile files")
    for name, content in hostile_uploads().items():
        session, actor = new_session(organization, workflow)
        verification = session.verifications.get()
        store_unchecked(verification, content)
        with TreeSampler(worker.process.pid) as sampler:
            services.verification_submit(actor=actor, verification_id=verification.id)
            settled = wait_settled([session.id])
        verification.refresh_from_db()
        reasons = (verification.previous_attempt or {}).get("reason_codes", [])
        yield name, len(content), sampler, settled and verification.attempts == 1 and "document_unreadable" in reasons


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3, help="sessions per batch (3 documents each)")
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from onboarding.models import Organization
    from onboarding.services import organization_create
    from tests.factories import make_workflow

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        sys.exit("bench.worker needs DATABASE_URL (PostgreSQL) and REDIS_URL: a real worker shares them")
    organization = Organization.objects.filter(slug="bench-worker").first() or organization_create(
        name="Bench worker", slug="bench-worker"
    )
    workflow = organization.workflows.filter(name="Bench documents").first() or make_workflow(
        organization, steps=STEPS, name="Bench documents"
    )
    if not organization.workflows.filter(name="Bench hostile files").exists():
        make_workflow(organization, steps=[{"id": "address", "type": "proof_of_address"}], name="Bench hostile files")

    phase = time.monotonic()
    batch = uploads(args.sessions)
    documents = sum(len(session_uploads) for session_uploads in batch)
    folder = tempfile.TemporaryDirectory()
    pages = page_files(batch, folder.name)
    print(f"documents generated and normalised: {time.monotonic() - phase:.0f} s", flush=True)
    readers = multiprocessing.get_context("spawn").Pool(CONCURRENCY, initializer=_load_text_models)
    worker = Worker()
    try:
        # One session first, unmeasured: each pool child loads its models on its first document.
        wait_settled(submit(organization, workflow, batch[:1]))
        phase = time.monotonic()
        samplers = []

        def worker_rate():
            with TreeSampler(worker.process.pid) as sampler:
                started = time.perf_counter()
                if not wait_settled(submit(organization, workflow, batch)):
                    raise RuntimeError("the worker did not check the batch in time")
                elapsed = time.perf_counter() - started
            samplers.append(sampler)
            return 60 * documents / elapsed

        def bare_rates():
            return 60 * documents / bare_tesseract(pages), 60 * documents / bare_engines(readers, pages)

        bare_engines(readers, pages[:CONCURRENCY])  # each reader's first page is its warm-up
        paired = interleaved(worker_rate, bare_rates, args.pairs)
        by_tesseract = Paired(paired.values, [tesseract for tesseract, _ in paired.baselines])
        by_engine = Paired(paired.values, [engine for _, engine in paired.baselines])
        print(f"worker and bare batches: {time.monotonic() - phase:.0f} s", flush=True)
        bombs = list(bomb_run(organization, worker))
        survived = worker.alive and wait_settled(submit(organization, workflow, batch[:1]))
    finally:
        worker.stop()
        readers.terminate()
        folder.cleanup()

    def peak(kind, runs):
        return max(sampler.mb(kind) for sampler in runs)

    tree_target = TARGET_CHILD_MB * (CONCURRENCY + 1)  # the main process and each child under 400 MB
    bomb_samplers = [sampler for _, _, sampler, _ in bombs]
    return report(
        "worker",
        [
            paired_result(
                f"documents per minute, Celery worker at concurrency {CONCURRENCY} vs two bare Tesseract "
                f"processes on the same pages ({documents} documents, {len(pages)} pages)",
                by_tesseract,
                TARGET_DOCS_RATIO,
                unit=" docs/min",
                higher_is_better=True,
            ),
            paired_result(
                f"documents per minute, Celery worker at concurrency {CONCURRENCY} vs two bare processes "
                f"reading each page by its check's engine (text models for identity documents, Tesseract "
                f"for the others; {documents} documents, {len(pages)} pages)",
                by_engine,
                TARGET_DOCS_RATIO,
                unit=" docs/min",
                higher_is_better=True,
            ),
            result("worker main process peak RSS", peak("main", samplers), None, TARGET_CHILD_MB, unit=" MB"),
            result("worker pool child peak RSS", peak("pool child", samplers), None, TARGET_CHILD_MB, unit=" MB"),
            result("Tesseract subprocess peak RSS", peak("tesseract", samplers), None, TARGET_CHILD_MB, unit=" MB"),
            result(
                f"worker process tree peak RSS (main, {CONCURRENCY} pool children, Tesseract)",
                peak("tree", samplers),
                None,
                tree_target,
                unit=" MB",
            ),
            result(
                "worker process tree peak PSS (pages shared after fork counted once)",
                peak("tree pss", samplers),
                None,
                tree_target,
                unit=" MB",
            ),
            *(
                result(
                    f"PDF bomb, {name} ({size / 1024:,.0f} KB): pool child peak RSS",
                    sampler.mb("pool child"),
                    None,
                    TARGET_CHILD_MB,
                    unit=" MB",
                    note="" if one_attempt else "did not end as one attempt with document_unreadable",
                )
                for name, size, sampler, one_attempt in bombs
            ),
            result("PDF bombs: worker tree peak RSS", peak("tree", bomb_samplers), None, tree_target, unit=" MB"),
            result(
                f"PDF bombs costing exactly one attempt (of {len(bombs)})",
                sum(one_attempt for *_, one_attempt in bombs),
                None,
                len(bombs),
                higher_is_better=True,
            ),
            result(
                "worker alive and checking the next session after the bombs",
                int(survived),
                None,
                1,
                higher_is_better=True,
            ),
        ],
    )


if __name__ == "__main__":
    main()
