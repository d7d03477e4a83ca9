"""Document checks: pure functions over bytes and dicts.

Each step type has one module here exposing
``run(documents: list[DocumentInput], known: dict, config: dict) -> CheckResult``.
``known`` is the applicant's known data (identity, address, bank_account,
company blocks plus submitted form data); ``config`` is the step's config merged
with the workflow settings that concern checks. Modules are imported lazily so a
worker only loads the heavy libraries (OCR, dlib) of the checks it runs.
"""

import importlib
from dataclasses import asdict, dataclass, field

from onboarding.steps import STEP_TYPES

PASSED, FAILED, INCONCLUSIVE = "passed", "failed", "inconclusive"

CHECK_MODULES = {name: step_type.check_module for name, step_type in STEP_TYPES.items()}


@dataclass(frozen=True)
class DocumentInput:
    content: bytes
    mime_type: str
    kind: str = ""
    side: str = ""
    document_id: str = ""


@dataclass
class CheckResult:
    result: str
    fields: dict = field(default_factory=dict)
    reason_codes: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    # True when the document itself could not be read: it costs the applicant an attempt.
    unusable: bool = False

    def to_dict(self):
        return asdict(self)


def get_check(step_type):
    """The ``run`` function for a step type."""
    return importlib.import_module(CHECK_MODULES[step_type]).run
