"""What every service shares: audited transitions (tenant scoping: onboarding.tenancy)."""

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django_fsm import can_proceed

from onboarding import outbox, tasks
from onboarding.audit import deferred_to_append, record_event
from onboarding.errors import InvalidTransition, SessionErased
from onboarding.models import SESSION_DECIDED, Applicant, Session, SessionCount, Verification


def ensure_not_erased(session):
    if session.data_anonymized:
        raise SessionErased()


def session_of(obj):
    return obj if isinstance(obj, Session) else obj.session


def apply_transition(obj, name, actor, *, note="", data=None, **kwargs):
    """Run one FSM transition, save it and write its audit event and webhook."""
    method = getattr(obj, name)
    if not can_proceed(method):
        raise InvalidTransition.for_object(obj, name)
    before, result_before = obj.status, getattr(obj, "result", None)
    method(**kwargs)
    obj.save()
    session = session_of(obj)
    record_event(
        actor=actor,
        action=f"{type(obj).__name__.lower()}.{name}",
        obj=obj,
        session=session,
        from_status=before,
        to_status=obj.status,
        note=note,
        data=data,
    )
    _emit_status_webhook(obj, session, before)
    if isinstance(obj, Verification) and obj.result != result_before:
        check_results_refresh(session)
    if isinstance(obj, Session):
        count_session(obj, before, obj.status)
        _schedule_outcome_notice(obj)
    return obj


def check_results_refresh(session):
    """Count the session's check results afresh onto its row (Session.check_results), after one changed."""
    counts = {}
    rows = session.verifications.exclude(result="").order_by("type", "result").values("type", "result")
    for row in rows.annotate(n=Count("id")):
        counts.setdefault(row["type"], {})[row["result"]] = row["n"]
    Session.objects.filter(pk=session.pk).update(check_results=counts)
    session.check_results = counts


# Every session's check results in one statement (PostgreSQL): per session, type and result.
_CHECK_RESULTS_SQL = """
UPDATE onboarding_session SET check_results = counted.results
FROM (SELECT session_id, jsonb_object_agg(type, results) AS results
      FROM (SELECT session_id, type, jsonb_object_agg(result, n) AS results
            FROM (SELECT session_id, type, result, count(*) AS n FROM onboarding_verification
                  WHERE result <> '' AND organization_id = %s GROUP BY session_id, type, result) AS one
            GROUP BY session_id, type) AS per_type
      GROUP BY session_id) AS counted
WHERE onboarding_session.id = counted.session_id
"""


def check_results_rebuild(organization_id):
    """Every session's check results counted afresh (Session.check_results): after rows were
    written outside the services, and by the migration that added the column. A session left
    with no result counts none."""
    Session.objects.filter(organization_id=organization_id).exclude(check_results={}).update(check_results={})
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CHECK_RESULTS_SQL, [str(organization_id)])
        return
    counts = {}
    rows = Verification.objects.filter(organization_id=organization_id).exclude(result="").order_by()
    for row in rows.values("session_id", "type", "result").annotate(n=Count("id")):
        counts.setdefault(row["session_id"], {}).setdefault(row["type"], {})[row["result"]] = row["n"]
    for session_id, results in counts.items():
        Session.objects.filter(pk=session_id).update(check_results=results)


COUNT_FIELDS = ("count", "risk_total", "risk_scored")


def count_session(session, before, after):
    """Move a top-level session, with its risk score, from one status count to another (`before`
    None: a new session).

    Called after the change's audit event, which took the organization's write turn: it orders
    concurrent counts, so a missing count row is created by one transaction only. Within
    onboarding.audit.appended_together the block's moves are added up and written once, after
    its events, under that turn."""
    if session.parent_id is not None or before == after:
        return
    risk = session.risk_score
    for status, sign in ((before, -1), (after, 1)):
        if status is not None:
            _add_to_count(
                session, status, count=sign, risk_total=sign * (risk or 0), risk_scored=sign * (risk is not None)
            )


def count_risk(session, before, after):
    """The risk score of a session (counted in its current status) changed from `before` to `after`."""
    if session.parent_id is not None or before == after:
        return
    _add_to_count(
        session,
        session.status,
        risk_total=(after or 0) - (before or 0),
        risk_scored=(after is not None) - (before is not None),
    )


def _add_to_count(session, status, **deltas):
    key = (session.organization_id, session.environment, status)
    # A creation moved on by its data (created as a draft, then activated) writes only the net change.
    gathered = deferred_to_append(session.organization_id, "session_counts", _write_counts, _upsert_statement)
    if gathered is None:
        _write_counts({key: deltas})
        return
    totals = gathered.setdefault(key, dict.fromkeys(COUNT_FIELDS, 0))
    for name, delta in deltas.items():
        totals[name] += delta


def _write_counts(changes):
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        statement = _upsert_statement(changes)
        if statement is not None:
            with connection.cursor() as cursor:
                cursor.execute(*statement)
        return
    for (organization_id, environment, status), deltas in changes.items():
        # Only the numbers that move: a session without a risk score changes its count alone.
        deltas = {name: delta for name, delta in deltas.items() if delta}
        if not deltas:
            continue
        rows = SessionCount.objects.filter(organization_id=organization_id, environment=environment, status=status)
        if not rows.update(**{name: F(name) + delta for name, delta in deltas.items()}):
            rows.create(organization_id=organization_id, environment=environment, status=status, **deltas)


def _upsert_statement(changes):
    """_write_counts as one PostgreSQL statement, (sql, params), whether the rows exist or not
    (None: no count moves): every creation and every transition of a top-level session moves a
    count, so its building and round trip count."""
    rows = [
        (organization_id, environment, status, *(deltas.get(name, 0) for name in COUNT_FIELDS))
        for (organization_id, environment, status), deltas in changes.items()
        if any(deltas.values())
    ]
    if not rows:
        return None
    table = SessionCount._meta.db_table
    return (
        f"INSERT INTO {table} (organization_id, environment, status, {', '.join(COUNT_FIELDS)}) "
        f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(rows))} "
        "ON CONFLICT (organization_id, environment, status) DO UPDATE SET "
        + ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in COUNT_FIELDS),
        [value for row in rows for value in row],
    )


def _schedule_outcome_notice(session):
    """Every decision passes here (reviewer, API, auto-decide): the applicants' notice, if the
    workflow wants one, goes out once the decision commits (services.emails.outcome_notice_send)."""
    if session.status in SESSION_DECIDED and session.workflow_version.setting("notify_outcome"):
        session_id, decided_at = str(session.id), session.decided_at.isoformat()
        transaction.on_commit(lambda: tasks.send_outcome_notice.delay(session_id, decided_at), robust=True)


def _emit_status_webhook(obj, session, before):
    if isinstance(obj, Session):
        outbox.emit(session=session, event_type="session.status_changed", data={"from": before, "to": obj.status})
        special = {
            "expired": "session.expired",
            "cancelled": "session.cancelled",
            "awaiting_client_correction": "session.corrections_requested",
            "processed": "session.processed",
        }.get(obj.status)
        if special:
            outbox.emit(session=session, event_type=special, data={"status": obj.status})
    elif isinstance(obj, Applicant):
        outbox.emit(
            session=session,
            event_type="applicant.status_changed",
            data={"applicant_id": str(obj.id), "from": before, "to": obj.status},
        )
    elif isinstance(obj, Verification) and obj.status == "done":
        outbox.emit(
            session=session,
            event_type="verification.completed",
            data={
                "applicant_id": str(obj.applicant_id),
                "verification_id": str(obj.id),
                "step_id": obj.step_id,
                "result": obj.result,
            },
        )


@transaction.atomic
def session_counts_rebuild(organization_id):
    """Count the organization's top-level sessions afresh: after rows were written outside the
    services (a bulk load), the stored counts are the sessions' own again."""
    SessionCount.objects.filter(organization_id=organization_id).delete()
    rows = (
        Session.objects.filter(organization_id=organization_id, parent__isnull=True)
        .order_by()
        .values("environment", "status")
        .annotate(count=Count("id"), risk_total=Coalesce(Sum("risk_score"), 0), risk_scored=Count("risk_score"))
    )
    SessionCount.objects.bulk_create(SessionCount(organization_id=organization_id, **row) for row in rows)
