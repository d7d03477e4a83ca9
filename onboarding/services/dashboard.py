"""Reviewer actions the dashboard needs beyond the shared services: watchlist triage and evidence export."""

import csv

from django.db import transaction
from django.utils import timezone

from onboarding.audit import record_event
from onboarding.errors import NotFound, ValidationFailed
from onboarding.evidence import build_evidence_pack
from onboarding.models import Session
from onboarding.services.common import get_scoped


def watchlist_matches(session):
    return ((session.processing_results or {}).get("external_validations") or {}).get("watchlist", {}).get(
        "matches"
    ) or []


@transaction.atomic
def watchlist_mark_false_positive(*, actor, session_id, match_index, entity_id, note):
    """Flag one watchlist hit as a false positive; the hit stays in the results, marked, with who and why.

    `entity_id` must name the hit at `match_index`, so a stale page cannot flag
    a different hit after the results were recomputed.
    """
    if not note or not note.strip():
        raise ValidationFailed({"note": ["Say why this hit is a false positive."]})
    session = get_scoped(Session, actor, session_id, lock=True)
    matches = watchlist_matches(session)
    if not 0 <= match_index < len(matches) or str(_entity_id(matches[match_index])) != str(entity_id):
        raise NotFound("Watchlist hit not found.")
    match = matches[match_index]
    match["false_positive"] = {"by": actor.label, "at": timezone.now().isoformat(), "note": note.strip()}
    watchlist = session.processing_results["external_validations"]["watchlist"]
    # As the screening itself counts them: dismissed hits no longer make the session a match.
    watchlist["confirmed_match_count"] = sum(1 for m in matches if not m.get("false_positive"))
    watchlist["is_match"] = watchlist["confirmed_match_count"] > 0
    session.save(update_fields=["processing_results", "updated_at"])
    record_event(actor=actor, action="watchlist.false_positive", obj=session, session=session, note=note.strip(),
                 data={"entity_id": str(entity_id), "name": match.get("name") or match.get("caption") or "",
                       "score": match.get("score")})
    return match


def _entity_id(match):
    return match.get("entity_id") or match.get("id") or ""


@transaction.atomic
def evidence_pack_export(*, actor, session_id, format="json"):
    """The session's evidence pack; the export itself is recorded in the trail (and so is in later packs)."""
    session = get_scoped(Session, actor, session_id)
    record_event(actor=actor, action="session.evidence_exported", obj=session, session=session,
                 data={"format": format})
    return build_evidence_pack(session)


def watchlist_upload(*, actor, path, dataset_name, version, source_name=""):
    """Load an uploaded list file into the organization's watchlist and record who loaded which version.

    The load runs in its own batches (it can be large); the event follows once it is in.
    """
    from onboarding import watchlist
    from onboarding.models import Organization

    organization = Organization.objects.get(id=actor.organization_id)
    try:
        records = watchlist.read_records(path, default_list=dataset_name)
        dataset, stats = watchlist.load_records(organization, records, dataset_name, version,
                                                source_file=source_name)
    except (ValueError, KeyError, csv.Error) as exc:
        raise ValidationFailed({"file": [f"Cannot read this list: {exc}"]}) from None
    with transaction.atomic():
        record_event(actor=actor, action="watchlist.loaded", obj=dataset,
                     data={"name": dataset.name, "version": dataset.version, "entry_count": dataset.entry_count,
                           **stats})
    return dataset, stats
