"""What the session page shows, arranged for the template: no rule is decided here.

Mismatches are the ones the checks reported (their reason codes); the page only
puts each extracted value beside the known value it was checked against.
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onboarding.comparisons import comparisons, display, established
from onboarding.labels import ACTORS, action_label, field_label, legible, reason_label, result_label
from onboarding.models import SessionStatus
from onboarding.steps import STEP_TYPES
from onboarding.texts import text_in

PREVIEW_PAGES = 4


@dataclass
class DocumentView:
    document: object
    preview_urls: list
    download_url: str


@dataclass
class StepView:
    verification: object
    step: dict
    comparisons: list
    checks: dict
    documents: list = field(default_factory=list)
    superseded: list = field(default_factory=list)
    field_ids: list = field(default_factory=list)
    document_types: list = field(default_factory=list)
    # For a selfie: the identity document it is compared with, shown beside it.
    portraits: list = field(default_factory=list)

    @property
    def title(self):
        return step_title(self.step) or legible(self.verification.step_id)

    @property
    def validity(self):
        """MRZ and IBAN validity, the two checksums a reviewer looks for first, when a check computed them."""
        return established(self.verification)

    @property
    def reasons(self):
        return [(code, reason_label(code)) for code in self.verification.status_codes]

    @property
    def overrides(self):
        return self.verification.data.get("overrides") or []

    @property
    def check_result(self):
        """What the check itself concluded, when a person has since changed the result."""
        checked = (self.verification.data.get("checks") or {}).get("result")
        return checked if checked and checked != self.verification.result else ""

    @property
    def detail_rows(self):
        """The check's details as (label, code, text); where each field was read shows in its row instead."""
        return [
            (field_label(key), key, display(value))
            for key, value in self.checks.items()
            if key not in ("sources", "provenance")
        ]


def step_title(step):
    """A step's title in the reader's language (a workflow may give one per locale)."""
    return text_in(step.get("title"), get_language())


def step_views(session, applicant, document_urls):
    """One StepView per verification of the applicant, in workflow order."""
    version = session.workflow_version
    by_verification = {}
    for document in session.documents.all():
        by_verification.setdefault(document.verification_id, []).append(document)
    verifications = list(applicant.verifications.all())
    identity_documents = [
        d
        for v in verifications
        if v.type == "identity_document"
        for d in by_verification.get(v.id, [])
        if not d.superseded
    ]
    views = []
    for verification in verifications:
        step = version.step(verification.step_id) or {
            "id": verification.step_id,
            "type": verification.type,
            "config": {},
        }
        docs = by_verification.get(verification.id, [])
        config = step.get("config") or {}
        views.append(
            StepView(
                verification=verification,
                step=step,
                comparisons=comparisons(verification, applicant),
                checks=(verification.data.get("checks") or {}).get("details") or {},
                documents=[document_urls(d) for d in docs if not d.superseded],
                superseded=[document_urls(d) for d in docs if d.superseded],
                field_ids=[f["id"] for f in config.get("fields", [])],
                document_types=config.get("document_types") or list(STEP_TYPES[verification.type].correction_kinds),
                portraits=[document_urls(d) for d in identity_documents] if verification.type == "selfie" else [],
            )
        )
    return views


def outcome(session):
    """("decision" | "recommendation", value) or None: the automatic outcome is only a
    recommendation until a person (or auto-decide) approves or rejects."""
    if session.status in (SessionStatus.APPROVED, SessionStatus.REJECTED):
        return "decision", session.status
    recommended = (session.processing_results or {}).get("final_decision")
    return ("recommendation", recommended) if recommended else None


@dataclass
class TimelineEntry:
    event: object
    label: str
    step: str
    who: str
    result: str = ""


def timeline(session, events):
    """Audit events as lines a reviewer reads: what happened, on which step, by whom."""
    steps, people = {}, {}
    for applicant in session.applicants.all():
        people[str(applicant.id)] = applicant.display_name or applicant.email or _("Applicant")
        for verification in applicant.verifications.all():
            step = session.workflow_version.step(verification.step_id) or {}
            steps[str(verification.id)] = step_title(step) or legible(verification.step_id)
    entries = []
    for event in events:
        step = steps.get(str(event.object_id), "") if event.object_type == "verification" else ""
        if not step and event.data.get("step_id"):
            step = legible(event.data["step_id"])
        result = event.data.get("result") or ""
        entries.append(
            TimelineEntry(
                event,
                str(action_label(event.action)),
                step,
                _who(event, people),
                str(result_label(result)) if result else "",
            )
        )
    return entries


def _who(event, people):
    kind = ACTORS.get(event.actor_type, legible(event.actor_type))
    if event.actor_type == "system":
        return str(kind)
    if event.actor_type == "applicant":
        return f"{kind}: {people.get(event.actor_id) or event.actor_label}"
    return f"{kind}: {event.actor_label}"


def watchlist_hits(session):
    watchlist = ((session.processing_results or {}).get("external_validations") or {}).get("watchlist") or {}
    hits = []
    for index, match in enumerate(watchlist.get("matches") or []):
        hits.append(
            {
                "index": index,
                "entity_id": match.get("entity_id") or match.get("id") or "",
                "name": match.get("name") or match.get("caption") or "",
                "score": match.get("score"),
                "lists": display(match.get("lists") or match.get("datasets") or match.get("sources")),
                "birth_dates": display(match.get("birth_dates") or match.get("birth_date")),
                "countries": display(match.get("countries")),
                "applicant_id": match.get("applicant_id"),
                "false_positive": match.get("false_positive"),
            }
        )
    return watchlist, hits
