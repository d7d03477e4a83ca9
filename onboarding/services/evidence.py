"""The evidence pack of a session, exported for an auditor or a regulator."""

from django.db import transaction

from onboarding.audit import record_event
from onboarding.evidence import build_evidence_pack
from onboarding.models import Session
from onboarding.tenancy import get_scoped


@transaction.atomic(durable=True)
def evidence_pack_export(*, actor, session_id, format="json"):
    """The session's evidence pack; the export itself is recorded in the trail (and so is in later packs)."""
    session = get_scoped(Session, actor, session_id)
    record_event(actor=actor, action="session.evidence_exported", obj=session, session=session, data={"format": format})
    return build_evidence_pack(session)
