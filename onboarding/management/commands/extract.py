import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onboarding.checks import DocumentInput, get_check
from onboarding.errors import ValidationFailed
from onboarding.uploads import prepare_upload

KINDS = [
    "identity_document",
    "proof_of_address",
    "bank_account",
    "company_registry",
    "document_analysis",
    "selfie",
    "face_match",
]


def _json_object(text, option):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{option} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise CommandError(f"{option} must be a JSON object.")
    return value


class Command(BaseCommand):
    help = (
        "Run one document check on files outside any session and print its result as JSON "
        "(fields, result, reason codes, timings). Files go through the same upload checks as in production. "
        "face_match takes the identity document then the selfie."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument(
            "--known", default="{}", help='Applicant data as JSON, e.g. \'{"identity": {"first_name": "Anna"}}\'.'
        )
        parser.add_argument("--config", default="{}", help="Step config and check settings as JSON.")

    def _documents(self, paths, kind):
        if kind == "face_match" and len(paths) != 2:
            raise CommandError("face_match takes two files: ID_FILE SELFIE_FILE.")
        if kind != "face_match" and kind != "identity_document" and len(paths) > 1:
            raise CommandError(f"{kind} takes one file.")
        documents = []
        for index, path in enumerate(paths):
            try:
                prepared = prepare_upload(Path(path).read_bytes())
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
            except ValidationFailed as exc:
                raise CommandError(f"{path}: {' '.join(m for ms in exc.errors.values() for m in ms)}") from exc
            # The selfie check tells the portrait from the selfie by kind.
            is_selfie = kind == "selfie" or (kind == "face_match" and index == 1)
            documents.append(
                DocumentInput(
                    prepared.content, prepared.mime_type, "selfie" if is_selfie else "", document_id=Path(path).name
                )
            )
        return documents

    def handle(self, *args, **options):
        kind = options["kind"]
        known = _json_object(options["known"], "--known")
        config = _json_object(options["config"], "--config")
        started = time.perf_counter()
        documents = self._documents(options["files"], kind)
        prepared_ms = (time.perf_counter() - started) * 1000
        try:
            check = get_check("selfie" if kind == "face_match" else kind)
        except ModuleNotFoundError as exc:
            raise CommandError(f"The {kind} check is not available in this installation ({exc.name}).") from exc
        checked = time.perf_counter()
        outcome = check(documents, known, config)
        check_ms = (time.perf_counter() - checked) * 1000
        output = {
            "kind": kind,
            "files": options["files"],
            **outcome.to_dict(),
            "timings_ms": {
                "prepare": round(prepared_ms, 1),
                "check": round(check_ms, 1),
                "total": round(prepared_ms + check_ms, 1),
            },
        }
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False, default=str))
