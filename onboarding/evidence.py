"""The evidence pack of a session (SPEC §2): everything a reviewer's decision rested on, as JSON.

Inputs (known data, submitted data, document fingerprints), check results with
their thresholds, the workflow version with its settings, the watchlist
datasets' versions, the decision and the audit trail with its hashes, so the
pack can be checked against the organization's chain.
"""

from django.utils import timezone

from onboarding.audit import chain_head
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
        "verifications": [_verification(v) for v in session.verifications.order_by("created_at")],
        "documents": [_document(d) for d in session.documents.order_by("created_at")],
        "corrections": [
            {"step_id": c.step_id, "applicant_id": str(c.applicant_id) if c.applicant_id else None,
             "field_ids": c.field_ids, "document_types": c.document_types, "message": c.message,
             "status": c.status, "requested_at": _iso(c.created_at), "resolved_at": _iso(c.resolved_at)}
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
            "decided_by": ({"type": deciding.actor_type, "id": deciding.actor_id, "label": deciding.actor_label}
                           if deciding else None),
        },
        "events": [_event(e) for e in events],
        # The organization's whole chain at the time of the pack: an auditor holding the audit key
        # checks the signature offline, and every later pack's chain must extend this head.
        "audit_chain": chain_head(session.organization),
    }


# --- PDF rendering -----------------------------------------------------------
# A plain, self-contained text PDF (Courier, WinAnsi): readable by anyone, with no
# layout engine to trust. The JSON pack stays the machine-checkable original.

PDF_LINE_WIDTH = 96
PDF_LINES_PER_PAGE = 66


def _pack_lines(pack):
    session, decision, workflow = pack["session"], pack["decision"], pack["workflow"]
    lines = [
        "THRESHOLD EVIDENCE PACK",
        f"Generated {pack['generated_at']}  ({pack['format']})",
        "",
        f"Session     {session['id']}  {session['name']}",
        f"Reference   {session['reference_id']}   environment {session['environment']}",
        f"Workflow    {workflow['name']} v{workflow['version']} (published {workflow['published_at']})",
        f"Created     {session['created_at']}   completed {session['completed_at']}",
        "",
        "DECISION",
        f"  status {decision['status']}   final decision {decision['final_decision']}   "
        f"risk {decision['risk_score']} ({decision['risk_level']})",
        f"  decided at {decision['decided_at']} by "
        f"{(decision['decided_by'] or {}).get('label', '-')}",
        f"  reasons {', '.join(decision['reasons']) or '-'}",
        f"  note {decision['note'] or '-'}",
        "",
        "APPLICANTS",
    ]
    for applicant in pack["applicants"]:
        lines.append(f"  {applicant['type']} {applicant['label']} ({applicant['status']}) {applicant['id']}")
        for block, values in applicant["known_data"].items():
            if values:
                lines.append(f"    {block}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
    lines += ["", "VERIFICATIONS"]
    for verification in pack["verifications"]:
        lines.append(f"  {verification['step_id']} [{verification['type']}] {verification['status']} "
                     f"{verification['result'] or '-'} attempts {verification['attempts']} "
                     f"codes {', '.join(verification['reason_codes']) or '-'}")
        for key, value in (verification["extracted_from_document"] or {}).items():
            lines.append(f"    extracted {key}: {value}")
        for key, value in ((verification["check"] or {}).get("details") or {}).items():
            lines.append(f"    check {key}: {value}")
        if verification["resolution_note"]:
            lines.append(f"    resolved by hand: {verification['resolution_note']}")
    lines += ["", "DOCUMENTS"]
    lines += [f"  {d['kind'] or 'document'} {d['side']} {d['mime_type']} {d['size']} B sha256 {d['sha256']}"
              f"{' (superseded)' if d['superseded'] else ''}" for d in pack["documents"]]
    lines += ["", "WATCHLIST DATASETS"]
    lines += [f"  {d['name']} version {d['version']} ({d['entry_count']} entries)" for d in pack["watchlist_datasets"]]
    lines += ["", "AUDIT TRAIL"]
    for event in pack["events"]:
        lines.append(f"  #{event['sequence']} {event['at']} {event['action']} {event['from_status']}"
                     f"{'->' if event['to_status'] else ''}{event['to_status']} by {event['actor']['type']}:"
                     f"{event['actor']['label']}")
        if event["note"]:
            lines.append(f"      note: {event['note']}")
        lines.append(f"      hash {event['hash']}")
    return lines


def _wrap(lines):
    wrapped = []
    for line in lines:
        line = line.replace("\r", " ").replace("\n", " ")
        while len(line) > PDF_LINE_WIDTH:
            wrapped.append(line[:PDF_LINE_WIDTH])
            line = "      " + line[PDF_LINE_WIDTH:]
        wrapped.append(line)
    return wrapped


def _pdf_text(text):
    encoded = text.encode("cp1252", "replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def render_evidence_pdf(pack):
    """The pack as a text PDF, one A4 page per PDF_LINES_PER_PAGE lines."""
    lines = _wrap(_pack_lines(pack))
    pages = [lines[i:i + PDF_LINES_PER_PAGE] for i in range(0, len(lines), PDF_LINES_PER_PAGE)] or [[]]
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"]
    page_ids = []
    for number, page in enumerate(pages, 1):
        stream = b"BT /F1 8 Tf 11 TL 36 806 Td " + b" ".join(b"(" + _pdf_text(line) + b") '" for line in page)
        stream += b" ET BT /F1 7 Tf 520 20 Td (page %d/%d) Tj ET" % (number, len(pages))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % len(objects))
        page_ids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % i for i in page_ids), len(page_ids))
    output, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for index, body in enumerate(objects, 1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % index + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(output)
