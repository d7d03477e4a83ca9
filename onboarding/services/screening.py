"""Watchlist screening of a session's applicants: the screening itself, re-running it
on demand, a reviewer dismissing a hit as a false positive, and loading a list.

Whatever changes the hits counts them the same way and rescores the session, so
a dismissed hit stops weighing on the risk score at once.
"""

import csv

from django.db import transaction
from django.utils import timezone

from onboarding import watchlist
from onboarding.audit import record_event
from onboarding.errors import NotFound, ValidationFailed
from onboarding.models import Organization, Session, VerificationStatus
from onboarding.services.scoring import rescore
from onboarding.tenancy import get_scoped


def _screened_subject(applicant, verifications):
    """(name, birth_date, country, schema) screened for an applicant: the known data, else the ID document."""
    if applicant.type == "legal_person":
        company = applicant.company or {}
        return company.get("company_name"), None, company.get("country_code"), "Company"
    identity = applicant.identity or {}
    document = next(
        (
            v.data.get("extracted_from_document") or {}
            for v in verifications
            if v.applicant_id == applicant.id and v.type == "identity_document" and v.status == VerificationStatus.DONE
        ),
        {},
    )
    name = " ".join(filter(None, (identity.get("first_name"), identity.get("last_name")))) or " ".join(
        filter(None, (document.get("given_names"), document.get("surname")))
    )
    return (
        name,
        identity.get("birth_date") or document.get("birth_date"),
        identity.get("nationality") or document.get("nationality"),
        "Person",
    )


def count_hits(result):
    """Set the counts of a screening result: hits marked false positive no longer make a match."""
    matches = result["matches"]
    result["match_count"] = len(matches)
    result["confirmed_match_count"] = sum(1 for match in matches if not match.get("false_positive"))
    result["is_match"] = result["confirmed_match_count"] > 0
    return result


def watchlist_result(session, applicants, verifications, previous=None):
    """Screening of every applicant; hits a reviewer marked false positive keep their mark."""
    dismissed = {
        (match.get("applicant_id"), match.get("entity_id")): match["false_positive"]
        for match in (previous or {}).get("matches", [])
        if match.get("false_positive")
    }
    matches, screened = [], []
    for applicant in applicants:
        name, birth_date, country, schema = _screened_subject(applicant, verifications)
        if not name:
            continue
        screened.append({"applicant_id": str(applicant.id), "name": name, "birth_date": birth_date, "country": country})
        for hit in watchlist.screen(
            session.organization_id, name, birth_date=birth_date, country=country, schema=schema
        ):
            match = {**hit, "applicant_id": str(applicant.id)}
            if (match["applicant_id"], hit["entity_id"]) in dismissed:
                match["false_positive"] = dismissed[match["applicant_id"], hit["entity_id"]]
            matches.append(match)
    return count_hits(
        {
            "matches": matches,
            "screened": screened,
            "threshold": watchlist.DEFAULT_THRESHOLD,
            "datasets": watchlist.dataset_versions(session.organization_id),
            "screened_at": timezone.now().isoformat(),
        }
    )


@transaction.atomic(durable=True)
def session_revalidate(*, actor, session_id):
    """Re-run the external validations (the watchlist) on a session's current data, e.g.
    after a new list was loaded. Risk score and the proposed decision are recomputed;
    the session's status is a reviewer's to change."""
    session = get_scoped(Session, actor, session_id, lock=True)
    if session.data_anonymized:
        raise ValidationFailed({"session": ["This session's personal data was erased."]})
    if not session.workflow_version.setting("validations").get("watchlist", True):
        raise ValidationFailed({"validations": ["Watchlist screening is off for this workflow."]})
    verifications = list(session.verifications.select_related("applicant").order_by("created_at"))
    applicants = list(session.applicants.order_by("created_at"))
    results = dict(session.processing_results or {})
    previous = (results.get("external_validations") or {}).get("watchlist")
    results["external_validations"] = {
        **(results.get("external_validations") or {}),
        "watchlist": watchlist_result(session, applicants, verifications, previous),
    }
    results["revalidated_at"] = timezone.now().isoformat()
    session.processing_results = results
    rescore(session)
    hits = results["external_validations"]["watchlist"]
    record_event(
        actor=actor,
        action="session.revalidated",
        obj=session,
        session=session,
        data={
            "watchlist_is_match": hits["is_match"],
            "watchlist_match_count": hits["match_count"],
            "risk_score": session.risk_score,
        },
    )
    return session


def watchlist_matches(session):
    return ((session.processing_results or {}).get("external_validations") or {}).get("watchlist", {}).get(
        "matches"
    ) or []


@transaction.atomic(durable=True)
def watchlist_mark_false_positive(*, actor, session_id, match_index, entity_id, note):
    """Flag one watchlist hit as a false positive; the hit stays in the results, marked, with who and why.

    `entity_id` must name the hit at `match_index`, so a stale page cannot flag
    a different hit after the results were recomputed. The session is rescored.
    """
    if not note or not note.strip():
        raise ValidationFailed({"note": ["Say why this hit is a false positive."]})
    session = get_scoped(Session, actor, session_id, lock=True)
    matches = watchlist_matches(session)
    if not 0 <= match_index < len(matches) or str(_entity_id(matches[match_index])) != str(entity_id):
        raise NotFound("Watchlist hit not found.")
    match = matches[match_index]
    match["false_positive"] = {"by": actor.label, "at": timezone.now().isoformat(), "note": note.strip()}
    count_hits(session.processing_results["external_validations"]["watchlist"])
    before, after = rescore(session)
    record_event(
        actor=actor,
        action="watchlist.false_positive",
        obj=session,
        session=session,
        note=note.strip(),
        data={
            "entity_id": str(entity_id),
            "name": match.get("name") or match.get("caption") or "",
            "score": match.get("score"),
            "risk_score_before": before,
            "risk_score": after,
        },
    )
    return match


def _entity_id(match):
    return match.get("entity_id") or match.get("id") or ""


def watchlist_upload(*, actor, path, dataset_name, version, source_name=""):
    """Load an uploaded list file into the organization's watchlist and record who loaded which version.

    The load runs in its own batches (it can be large); the event follows once it is in.
    """
    organization = Organization.objects.get(id=actor.organization_id)
    try:
        records = watchlist.read_records(path, default_list=dataset_name)
        dataset, stats = watchlist.load_records(organization, records, dataset_name, version, source_file=source_name)
    except (ValueError, KeyError, csv.Error) as exc:
        raise ValidationFailed({"file": [f"Cannot read this list: {exc}"]}) from None
    with transaction.atomic():
        record_event(
            actor=actor,
            action="watchlist.loaded",
            obj=dataset,
            data={"name": dataset.name, "version": dataset.version, "entry_count": dataset.entry_count, **stats},
        )
    return dataset, stats
