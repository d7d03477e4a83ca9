"""Sessions and their applicants: creation, known data, extension, expiry, erasure."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from onboarding import outbox
from onboarding.actors import Actor
from onboarding.audit import lock_organization, record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import (
    SESSION_OPEN_TO_APPLICANT,
    SESSION_TAKES_NEW_STEPS,
    Applicant,
    ApplicantStatus,
    ApplicantType,
    DeliveryAttempt,
    Document,
    Event,
    Membership,
    OutboxMessage,
    Session,
    SessionStatus,
    Verification,
    VerificationStatus,
    Workspace,
)
from onboarding.services.common import apply_transition, count_session, ensure_not_erased
from onboarding.services.workflows import workflow_to_run
from onboarding.steps import DEFAULT_SETTINGS, LOCALES, redirect_allowed, steps_for_applicant
from onboarding.storage import delete_files_on_commit
from onboarding.tenancy import get_scoped

MAX_STATE_LENGTH = 2048
# Sessions still waiting on applicants: the ones a TTL applies to.
KNOWN_DATA_BLOCKS = ("identity", "address", "bank_account", "company")
APPLICANT_FIELDS = ("type", "label", "reference_id", "email", "phone_number", *KNOWN_DATA_BLOCKS)
BLOCK_FIELDS = {
    "identity": {"first_name", "last_name", "birth_date", "birth_place", "nationality", "gender"},
    "address": {"line_1", "line_2", "zip_code", "city", "state", "country"},
    "bank_account": {"iban", "bic", "holder_name"},
    "company": {"company_name", "registration_number", "country_code", "legal_form", "legal_representatives"},
}


def _validate_applicant_data(data, path):
    errors = {}
    unknown = set(data) - set(APPLICANT_FIELDS) - {"form"}
    for key in sorted(unknown):
        errors[f"{path}.{key}"] = ["Unknown field."]
    if data.get("type", ApplicantType.NATURAL_PERSON) not in ApplicantType.values:
        errors[f"{path}.type"] = [f"Must be one of: {', '.join(ApplicantType.values)}."]
    # The columns' own lengths: a longer value would otherwise fail in the database, not here.
    for key in ("label", "reference_id", "email", "phone_number"):
        value = data.get(key)
        if value is None:
            continue
        limit = Applicant._meta.get_field(key).max_length
        if not isinstance(value, str):
            errors[f"{path}.{key}"] = ["Must be a string."]
        elif len(value) > limit:
            errors[f"{path}.{key}"] = [f"At most {limit} characters."]
    for block, allowed in BLOCK_FIELDS.items():
        value = data.get(block)
        if value is None:
            continue
        if not isinstance(value, dict):
            errors[f"{path}.{block}"] = ["Must be an object."]
            continue
        for key in sorted(set(value) - allowed):
            errors[f"{path}.{block}.{key}"] = ["Unknown field."]
    return errors


def _create_applicants(session, version, people):
    """One applicant per dict of `people`, each with a verification per step its type takes:
    two statements whatever their number."""
    applicants = _built_applicants(session, version, people)
    _write_built(applicants)
    return applicants


def _built_applicants(session, version, people):
    """_create_applicants' objects, not written yet. Each applicant keeps its verifications in
    created_verifications, as the session keeps created_applicants: the API answers a creation
    from what it wrote (onboarding.selectors.created_session_detail) instead of reading it back."""
    applicants = [
        Applicant(
            organization_id=session.organization_id,
            session=session,
            **{key: data[key] for key in APPLICANT_FIELDS if data.get(key) is not None},
            form_data=data.get("form") or {},
        )
        for data in people
    ]
    for applicant in applicants:
        applicant.created_verifications = [
            Verification(
                organization_id=session.organization_id,
                session=session,
                applicant=applicant,
                step_id=step["id"],
                type=step["type"],
                required=step["required"],
            )
            for step in steps_for_applicant(version.steps, applicant.type)
        ]
    return applicants


def _write_built(applicants, session=None):
    """Insert what is not written yet of built objects (a transition saving one inserts it): the
    session, then its applicants and their verifications, one statement each whatever their number."""
    if session is not None and session._state.adding:
        session.save(force_insert=True)
    Applicant.objects.bulk_create([applicant for applicant in applicants if applicant._state.adding])
    Verification.objects.bulk_create(
        [v for applicant in applicants for v in applicant.created_verifications if v._state.adding]
    )


def created_verifications(session):
    """The verifications session_create made (each applicant's created_verifications), in the order made."""
    return [
        verification for applicant in session.created_applicants for verification in applicant.created_verifications
    ]


def _check_session_fields(version, *, locale, redirect_url, state, ttl_days):
    errors = {}
    allowed_locales = version.setting("locales")
    if locale not in LOCALES or locale not in allowed_locales:
        errors["locale"] = [f"Must be one of: {', '.join(allowed_locales)}."]
    if redirect_url and not redirect_allowed(redirect_url, version.setting("redirect_allowlist")):
        errors["redirect_url"] = ["This URL is not on the workflow's redirect allowlist."]
    if state and len(state) > MAX_STATE_LENGTH:
        errors["state"] = [f"Must be at most {MAX_STATE_LENGTH} characters."]
    if ttl_days is not None and (
        isinstance(ttl_days, bool) or not isinstance(ttl_days, int) or not 1 <= ttl_days <= 365
    ):
        errors["ttl_days"] = ["Must be a whole number of days from 1 to 365."]
    return errors


def session_create(
    *,
    actor,
    workflow_id,
    name="",
    reference_id="",
    metadata=None,
    locale="en",
    redirect_url="",
    state="",
    ttl_days=None,
    workspace_id=None,
    applicants=None,
    input=None,
    parent_id=None,
    environment=None,
    run=None,
    session_id=None,
    moved_on=None,
):
    """Open a session on the workflow's latest published version.

    `applicants` lists the people and companies to verify; without it one
    applicant is created from the `input` prefill blocks (SPEC §4). `run` is
    the (workflow, version) pair workflow_to_run gave a caller that already read it;
    `session_id` the id a caller chose to store the session's files under first.

    `moved_on(session)`, inside onboarding.audit.appended_together (its events are written at the
    block's end, after the rows): transitions made on the new session's objects before they are
    written, by a caller that reads none of its rows. Each row is then inserted once, as it
    stands, instead of being inserted and then updated by the transitions that moved it on.
    """
    workflow, version = run or workflow_to_run(actor, workflow_id)
    if version is None:
        raise ValidationFailed({"workflow_id": ["This workflow has no published version yet."]})
    errors = _check_session_fields(version, locale=locale, redirect_url=redirect_url, state=state, ttl_days=ttl_days)
    if metadata is not None and not isinstance(metadata, dict):
        errors["metadata"] = ["Must be an object."]
    input = dict(input or {})
    if applicants is None:
        applicant_type = (
            ApplicantType.LEGAL_PERSON
            if input.get("company") and not input.get("identity")
            else ApplicantType.NATURAL_PERSON
        )
        applicants = [{"type": applicant_type, **{k: v for k, v in input.items() if k in (*KNOWN_DATA_BLOCKS, "form")}}]
    if not isinstance(applicants, list) or not applicants:
        errors["applicants"] = ["Must be a non-empty list."]
    else:
        for index, data in enumerate(applicants):
            if not isinstance(data, dict):
                errors[f"applicants[{index}]"] = ["Must be an object."]
            else:
                errors.update(_validate_applicant_data(data, f"applicants[{index}]"))
    if errors:
        raise ValidationFailed(errors)

    # A session runs only a workflow of its own environment: a live session never
    # runs what a sandbox key wrote, and a subsession stays in its parent's environment.
    if environment and environment != workflow.environment:
        raise ValidationFailed(
            {"workflow_id": [f"This workflow belongs to the {workflow.environment} environment, not {environment}."]}
        )
    environment = workflow.environment
    parent = get_scoped(Session, actor, parent_id) if parent_id else None
    workspace_id = get_scoped(Workspace, actor, workspace_id).id if workspace_id else workflow.workspace_id
    ttl = ttl_days or version.setting("session_ttl_days")
    # Everything refused is refused above, before the transaction: nested in a caller's (an API
    # creation with data or files), the writes need no savepoint of their own, as no caller goes
    # on after an error in them.
    with transaction.atomic(savepoint=False):
        session = Session(
            id=session_id or uuid.uuid4(),
            organization_id=actor.organization_id,
            workspace_id=workspace_id,
            environment=environment,
            workflow=workflow,
            workflow_version=version,
            parent=parent,
            name=name or "",
            reference_id=reference_id or "",
            metadata=metadata or {},
            custom_tags=list(version.custom_tags),
            locale=locale,
            redirect_url=redirect_url or "",
            state=state or "",
            expires_at=timezone.now() + timedelta(days=ttl),
        )
        # Read with the workflow where the caller asked for them (workflow_to_run): no statement of their own.
        outbox.subscriptions_known(session, getattr(version, "webhook_subscriptions", None))
        session.created_applicants = _built_applicants(session, version, applicants)
        if moved_on is None:
            _write_built(session.created_applicants, session)
        # The chain head last: it stays locked until commit, so for as short a time as possible.
        record_event(
            actor=actor,
            action="session.created",
            obj=session,
            session=session,
            to_status=session.status,
            data={"workflow_version": version.number, "applicants": len(applicants)},
        )
        count_session(session, None, session.status)
        outbox.emit(session=session, event_type="session.created", data={"status": session.status})
        if moved_on is not None:
            moved_on(session)
            _write_built(session.created_applicants, session)
        return session


@transaction.atomic(durable=True)
def applicant_add(*, actor, session_id, data):
    session = get_scoped(Session, actor, session_id, lock=True)
    ensure_not_erased(session)
    errors = _validate_applicant_data(data, "applicant")
    if errors:
        raise ValidationFailed(errors)
    if session.status not in SESSION_TAKES_NEW_STEPS:
        raise InvalidTransition.for_object(session, "add_applicant")
    placeholder = _untouched_placeholder(session)
    [applicant] = _create_applicants(session, session.workflow_version, [data])
    record_event(actor=actor, action="applicant.created", obj=applicant, session=session, to_status=applicant.status)
    if placeholder is not None:
        # Yousign's order (create the session, then add who signs): the blank applicant the
        # session was given would otherwise hold completion back for ever.
        record_event(
            actor=actor,
            action="applicant.replaced",
            obj=placeholder,
            session=session,
            data={"replaced_by": str(applicant.id)},
        )
        placeholder.delete()
    if session.status != SessionStatus.DRAFT and session.status != SessionStatus.ACTIVE:
        # A new person to verify: the session is open again until they finish.
        apply_transition(session, "reactivate", actor, note="applicant added")
    return applicant


def _untouched_placeholder(session):
    """The session's only applicant when it is the blank one a session gets without applicants
    and nothing happened to it yet (no data, no link, no step started); else None."""
    applicants = list(session.applicants.select_for_update()[:2])
    if len(applicants) != 1:
        return None
    applicant = applicants[0]
    blank = not any(getattr(applicant, field) for field in (*APPLICANT_FIELDS[1:], "form_data"))
    untouched = (
        applicant.status == ApplicantStatus.INITIATED
        and applicant.link_token_hash is None
        and not applicant.verifications.exclude(status=VerificationStatus.AWAITING_DATA, started_at=None).exists()
        and not applicant.documents.exists()
    )
    return applicant if blank and untouched else None


@transaction.atomic
def applicant_update(*, actor, applicant_id, data):
    applicant = get_scoped(Applicant, actor, applicant_id, lock=True)
    errors = _validate_applicant_data(data, "applicant")
    if "type" in data and data["type"] != applicant.type:
        errors["applicant.type"] = ["The type of an applicant cannot change."]
    if errors:
        raise ValidationFailed(errors)
    for key, value in data.items():
        if key in KNOWN_DATA_BLOCKS:
            value = {**getattr(applicant, key), **value}
        setattr(applicant, "form_data" if key == "form" else key, value)
    applicant.save()
    record_event(
        actor=actor, action="applicant.updated", obj=applicant, session=applicant.session, data={"fields": sorted(data)}
    )
    return applicant


@transaction.atomic(durable=True)
def applicant_delete(*, actor, applicant_id):
    applicant = get_scoped(Applicant, actor, applicant_id, lock=True)
    session = Session.objects.select_for_update().get(id=applicant.session_id)
    if session.applicants.count() == 1:
        raise ValidationFailed({"applicant": ["A session keeps at least one applicant."]})
    if session.status not in (SessionStatus.DRAFT, SessionStatus.ACTIVE):
        raise InvalidTransition.for_object(session, "remove_applicant")
    files = [d.file.name for d in applicant.documents.all()]
    record_event(actor=actor, action="applicant.deleted", obj=applicant, session=session)
    applicant.delete()
    delete_files_on_commit(files)


@transaction.atomic
def session_update(*, actor, session_id, assigned_to=..., priority=..., metadata=..., legal_hold=...):
    """Reviewer bookkeeping (no status change): assignment, priority, metadata, legal hold."""
    session = get_scoped(Session, actor, session_id, lock=True)
    changed = {}
    if assigned_to is not ...:
        if (
            assigned_to is not None
            and not Membership.objects.filter(
                organization_id=actor.organization_id, user_id=getattr(assigned_to, "pk", assigned_to)
            ).exists()
        ):
            raise ValidationFailed({"assigned_to": ["Not a member of this organization."]})
        session.assigned_to_id = getattr(assigned_to, "pk", assigned_to)
        changed["assigned_to"] = session.assigned_to_id
    if priority is not ...:
        if isinstance(priority, bool) or not isinstance(priority, int) or not -100 <= priority <= 100:
            raise ValidationFailed({"priority": ["Must be a whole number from -100 to 100."]})
        session.priority = changed["priority"] = priority
    if metadata is not ...:
        if not isinstance(metadata, dict):
            raise ValidationFailed({"metadata": ["Must be an object."]})
        session.metadata = metadata
        changed["metadata"] = "updated"
    if legal_hold is not ...:
        session.legal_hold = changed["legal_hold"] = bool(legal_hold)
    session.save()
    record_event(actor=actor, action="session.updated", obj=session, session=session, data=changed)
    return session


@transaction.atomic(durable=True)
def sessions_update(*, actor, session_ids, **changes):
    """session_update on each of several sessions, all or none: a refused one leaves every one as it was."""
    return [session_update(actor=actor, session_id=session_id, **changes) for session_id in session_ids]


@transaction.atomic(durable=True)
def session_add_note(*, actor, session_id, note):
    session = get_scoped(Session, actor, session_id)
    if not note or not note.strip():
        raise ValidationFailed({"note": ["Write a note."]})
    record_event(actor=actor, action="session.note", obj=session, session=session, note=note.strip())


@transaction.atomic(durable=True)
def session_extend(*, actor, session_id, extend_days, comment=""):
    """Push back the session's and its links' expiry; an expired session becomes active again."""
    if isinstance(extend_days, bool) or not isinstance(extend_days, int) or not 1 <= extend_days <= 365:
        raise ValidationFailed({"extend_days": ["Must be a whole number of days from 1 to 365."]})
    session = get_scoped(Session, actor, session_id, lock=True)
    ensure_not_erased(session)
    now = timezone.now()
    expires_at = max(session.expires_at or now, now) + timedelta(days=extend_days)
    if session.status == SessionStatus.EXPIRED:
        apply_transition(session, "extend", actor, note=comment, expires_at=expires_at)
    elif session.status in SESSION_OPEN_TO_APPLICANT:
        session.expires_at = expires_at
        session.save(update_fields=["expires_at", "updated_at"])
        record_event(
            actor=actor,
            action="session.extended",
            obj=session,
            session=session,
            note=comment,
            data={"expires_at": expires_at.isoformat()},
        )
    else:
        raise InvalidTransition.for_object(session, "extend")
    link_ttl = timedelta(hours=session.workflow_version.setting("link_ttl_hours"))
    session.applicants.filter(link_token_hash__isnull=False).update(
        link_expires_at=min(expires_at, now + link_ttl + timedelta(days=extend_days))
    )
    return session


@transaction.atomic(durable=True)
def session_cancel(*, actor, session_id, reason=""):
    """The integrator or a reviewer calls the case off: its links die, its data stays, nothing follows.

    Open related parties (subsessions) are called off with it.
    """
    session = get_scoped(Session, actor, session_id, lock=True)
    apply_transition(session, "cancel", actor, note=reason)
    for subsession in session.subsessions.select_for_update():
        if can_proceed(subsession.cancel):
            apply_transition(subsession, "cancel", actor, note=reason)
    # Dead for good: the tokens go, so no later change can make them open anything.
    Applicant.objects.filter(session__in=[session, *session.subsessions.all()]).update(
        link_token_hash=None, link_expires_at=None
    )
    return session


@transaction.atomic(durable=True)
def session_expire_now(*, actor, session_id):
    """Expire a session still waiting on applicants at once (as its TTL would), e.g. to test session.expired."""
    session = get_scoped(Session, actor, session_id, lock=True)
    if not can_proceed(session.expire):
        raise InvalidTransition.for_object(session, "expire")
    session.expires_at = timezone.now()
    apply_transition(session, "expire", actor, note="expired on request")
    return session


def sessions_expire(now=None):
    """Expire every session past its TTL that is still waiting on applicants. Returns how many."""
    now = now or timezone.now()
    due = Session.objects.filter(expires_at__lt=now, status__in=SESSION_OPEN_TO_APPLICANT).values_list(
        "id", "organization_id"
    )
    count = 0
    for session_id, organization_id in due:
        with transaction.atomic():
            lock_organization(organization_id)
            session = Session.objects.select_for_update().get(id=session_id)
            # Re-checked under the lock: the applicant may have finished meanwhile.
            if session.expires_at < now and session.status in SESSION_OPEN_TO_APPLICANT:
                apply_transition(session, "expire", Actor.system(organization_id))
                count += 1
    return count


@transaction.atomic(durable=True)
def session_erase(*, actor, session_id, reason="erased on request"):
    """Erase personal data and files; keep the audit skeleton with data_anonymized."""
    session = get_scoped(Session, actor, session_id, lock=True)
    erase_session_data(session)
    record_event(actor=actor, action="session.erased", obj=session, session=session, note=reason)
    outbox.emit(session=session, event_type="session.erased", data={"reason": "request"})
    return session


def erase_session_data(session):
    """Blank every field that can hold personal data, of a locked session and its subsessions
    (used by DELETE and by retention). The README's security model lists them; the audit
    skeleton (who did what when, statuses, ids) stays and its chain still verifies."""
    sessions = [session, *session.subsessions.all()]
    session_ids = [current.id for current in sessions]
    documents = Document.objects.filter(session__in=sessions)  # superseded attempts' files too
    delete_files_on_commit([d.file.name for d in documents])
    documents.delete()
    for current in sessions:
        Applicant.objects.filter(session=current).update(
            label="",
            reference_id="",
            email="",
            phone_number="",
            identity={},
            address={},
            bank_account={},
            company={},
            form_data={},
            link_token_hash=None,
            link_expires_at=None,
        )
        Verification.objects.filter(session=current).update(data={}, previous_attempt=None, resolution_note="")
        current.corrections.update(message="")
        Session.objects.filter(id=current.id).update(
            name="",
            reference_id="",
            metadata={},
            state="",
            redirect_url="",
            processing_results={},
            decision_note="",
            data_anonymized=True,
            updated_at=timezone.now(),
        )
    # Reviewers' notes in the audit trail: the chain covers their digests, not the text.
    Event.objects.filter(session_ref__in=session_ids).exclude(note="").update(note="")
    _erase_webhook_copies([str(i) for i in session_ids])
    from onboarding.services.api_support import idempotency_forget_sessions  # it imports this module

    idempotency_forget_sessions(session.organization_id, session_ids)
    session.refresh_from_db()


def _erase_webhook_copies(session_ids):
    """Webhook payloads carry the integrator's reference_id; receivers' answers may echo it."""
    messages = OutboxMessage.objects.filter(payload__session_id__in=session_ids)
    for message in messages.exclude(payload__reference_id=""):
        OutboxMessage.objects.filter(id=message.id).update(payload={**message.payload, "reference_id": ""})
    DeliveryAttempt.objects.filter(delivery__message__in=messages).update(response_excerpt="")


def sessions_apply_retention(now=None):
    """Erase sessions older than their workflow's retention_days (unless on legal hold). Returns how many."""
    now = now or timezone.now()
    candidates = Session.objects.filter(data_anonymized=False, legal_hold=False).select_related("workflow_version")
    count = 0
    for session_id, organization_id, created_at, settings in candidates.values_list(
        "id", "organization_id", "created_at", "workflow_version__settings"
    ).iterator():
        retention = timedelta(days=settings.get("retention_days", DEFAULT_SETTINGS["retention_days"]))
        if created_at + retention > now:
            continue
        with transaction.atomic():
            lock_organization(organization_id)
            session = Session.objects.select_for_update().get(id=session_id)
            if session.data_anonymized or session.legal_hold:
                continue
            erase_session_data(session)
            record_event(
                actor=Actor.system(organization_id),
                action="session.erased",
                obj=session,
                session=session,
                note="retention period ended",
            )
            outbox.emit(session=session, event_type="session.erased", data={"reason": "retention"})
            count += 1
    return count
