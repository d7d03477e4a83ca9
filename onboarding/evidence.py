"""The evidence pack of a session (SPEC §2): everything a reviewer's decision rested on, as JSON.

Inputs (known data, submitted data, document fingerprints), check results with
their thresholds, the workflow version with its settings, the watchlist
datasets' versions, the decision and the audit trail with its hashes, so the
pack can be checked against the organization's chain.
"""

from django.utils import timezone

from onboarding.audit import chain_head
from onboarding.comparisons import comparisons
from onboarding.models import WatchlistDataset
from onboarding.selectors import session_events

PACK_FORMAT = "threshold.evidence/1"


def _iso(value):
    return value.isoformat() if value else None


def _applicant(applicant):
    return {
        "id": str(applicant.id),
        "type": applicant.type,
        "label": applicant.label,
        "reference_id": applicant.reference_id,
        "email": applicant.email,
        "phone_number": applicant.phone_number,
        "status": applicant.status,
        "known_data": {
            "identity": applicant.identity,
            "address": applicant.address,
            "bank_account": applicant.bank_account,
            "company": applicant.company,
            "form": applicant.form_data,
        },
        "submitted_at": _iso(applicant.submitted_at),
    }


def _comparison(row):
    return {
        "field": row.name,
        "label": row.label,
        "extracted": row.extracted,
        "known": row.known,
        "finding": row.finding,
        "source": row.source,
    }


def _verification(verification):
    return {
        "id": str(verification.id),
        "applicant_id": str(verification.applicant_id),
        "step_id": verification.step_id,
        "type": verification.type,
        "required": verification.required,
        "status": verification.status,
        "result": verification.result,
        "reason_codes": verification.status_codes,
        "attempts": verification.attempts,
        "previous_attempt": verification.previous_attempt,
        "submitted": verification.data.get("submitted"),
        "extracted_from_document": verification.data.get("extracted_from_document"),
        # The check's details hold its thresholds, scores and processing time.
        "check": verification.data.get("checks"),
        "resolution_note": verification.resolution_note,
        # A reviewer's overrides of the check's result, oldest first; the check above is what it found.
        "overrides": verification.data.get("overrides", []),
        # Each extracted value beside the known one, with the check's word on it (in the reader's language).
        "comparisons": [_comparison(row) for row in comparisons(verification, verification.applicant)],
        "completed_at": _iso(verification.completed_at),
    }


def _document(document):
    return {
        "id": str(document.id),
        "applicant_id": str(document.applicant_id) if document.applicant_id else None,
        "verification_id": str(document.verification_id) if document.verification_id else None,
        "kind": document.kind,
        "side": document.side,
        "mime_type": document.mime_type,
        "size": document.size,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "superseded": document.superseded,
        "uploaded_at": _iso(document.created_at),
    }


def _event(event):
    return {
        "sequence": event.sequence,
        "at": _iso(event.created_at),
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id) if event.object_id else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": {"type": event.actor_type, "id": event.actor_id, "label": event.actor_label},
        "note": event.note,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def build_evidence_pack(session):
    version = session.workflow_version
    events = list(session_events(session).order_by("sequence"))
    deciding = next((e for e in reversed(events) if e.action in ("session.approve", "session.reject")), None)
    datasets = WatchlistDataset.objects.filter(organization_id=session.organization_id).order_by("name")
    return {
        "format": PACK_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "session": {
            "id": str(session.id),
            "name": session.name,
            "reference_id": session.reference_id,
            "environment": session.environment,
            "status": session.status,
            "metadata": session.metadata,
            "custom_tags": session.custom_tags,
            "created_at": _iso(session.created_at),
            "completed_at": _iso(session.completed_at),
            "expires_at": _iso(session.expires_at),
            "data_anonymized": session.data_anonymized,
        },
        "workflow": {
            "id": str(session.workflow_id),
            "version": version.number,
            "name": version.name,
            "published_at": _iso(version.published_at),
            "settings": version.settings,
            "steps": version.steps,
        },
        "applicants": [_applicant(a) for a in session.applicants.order_by("created_at")],
        "verifications": [
            _verification(v) for v in session.verifications.select_related("applicant").order_by("created_at")
        ],
        "documents": [_document(d) for d in session.documents.order_by("created_at")],
        "corrections": [
            {
                "step_id": c.step_id,
                "applicant_id": str(c.applicant_id) if c.applicant_id else None,
                "field_ids": c.field_ids,
                "document_types": c.document_types,
                "message": c.message,
                "status": c.status,
                "requested_at": _iso(c.created_at),
                "resolved_at": _iso(c.resolved_at),
            }
            for c in session.corrections.order_by("created_at")
        ],
        "processing_results": session.processing_results,
        "watchlist_datasets": [
            {"name": d.name, "version": d.version, "entry_count": d.entry_count, "loaded_at": _iso(d.loaded_at)}
            for d in datasets
        ],
        "decision": {
            "status": session.status,
            "final_decision": session.final_decision,
            "risk_score": session.risk_score,
            "risk_level": session.risk_level,
            "reasons": session.decision_reasons,
            "note": session.decision_note,
            "decided_at": _iso(session.decided_at),
            "decided_by": (
                {"type": deciding.actor_type, "id": deciding.actor_id, "label": deciding.actor_label}
                if deciding
                else None
            ),
        },
        "events": [_event(e) for e in events],
        # The organization's whole chain at the time of the pack: an auditor holding the audit key
        # checks the signature offline, and every later pack's chain must extend this head.
        "audit_chain": chain_head(session.organization),
    }
