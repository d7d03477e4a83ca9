"""The overview's daily counts (DailySessionCount, DailyVerificationCount, DailyReasonCount),
recounted a day of sessions at a time.

Every change to a session, its applicants or its checks writes an audit event naming the
session, in the change's transaction and numbered under its chain head's lock, so events
commit in sequence order. A refresh recounts the creation days of the sessions named by the
events after its mark, then moves the mark to the head it read before recounting: nothing
committed is missed, and a later event is recounted again by the next refresh. Pages refresh
before reading (one query when nothing changed) and beat refreshes every organization each
minute, so a page has at most a minute of changes to recount.
"""

from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onboarding.models import (
    DECISION_TIME_BUCKETS,
    SESSION_SUBMITTED,
    Applicant,
    AuditHead,
    DailyCountMark,
    DailyReasonCount,
    DailySessionCount,
    DailyVerificationCount,
    Event,
    Organization,
    Session,
    Verification,
)

# Each code of a verification's JSON list as a row, in the database's own JSON functions.
_EACH_CODE = {
    "postgresql": "CROSS JOIN LATERAL jsonb_array_elements_text(v.status_codes) AS code (value)",
    "sqlite": "CROSS JOIN json_each(v.status_codes) AS code",
}


def daily_counts_refresh(organization_id):
    """Recount the days of the sessions changed since the last refresh (all of them the first time)."""
    head = Coalesce(Subquery(AuditHead.objects.filter(organization_id=organization_id).values("sequence")), 0)
    if not DailyCountMark.objects.filter(organization_id=organization_id, sequence=head).exists():
        _refresh(organization_id)


@transaction.atomic
def _refresh(organization_id):
    DailyCountMark.objects.bulk_create([DailyCountMark(organization_id=organization_id)], ignore_conflicts=True)
    mark = DailyCountMark.objects.select_for_update().get(organization_id=organization_id)
    head = AuditHead.objects.filter(organization_id=organization_id).values_list("sequence", flat=True).first() or 0
    if mark.sequence == head:
        return
    if mark.sequence is None:
        _recount(organization_id, None)
    else:
        changed = Event.objects.filter(
            organization_id=organization_id, sequence__gt=mark.sequence, sequence__lte=head
        ).values("session_ref")
        created = _top_level(organization_id).filter(id__in=changed).values_list("created_at", flat=True)
        _recount(organization_id, {timezone.localtime(at).date() for at in created})
    mark.sequence = head
    mark.save(update_fields=["sequence"])


@transaction.atomic
def daily_counts_rebuild(organization_id):
    """Count every day afresh: after rows were written outside the services (a bulk load)."""
    DailyCountMark.objects.filter(organization_id=organization_id).delete()
    _refresh(organization_id)


def daily_counts_refresh_all():
    """Beat: refresh every organization whose audit trail moved since its last refresh."""
    marks = DailyCountMark.objects.filter(organization_id=OuterRef("pk"), sequence=OuterRef("head"))
    behind = Organization.objects.annotate(head=Coalesce("audit_head__sequence", 0)).exclude(Exists(marks))
    for organization_id in behind.values_list("id", flat=True):
        _refresh(organization_id)


def _top_level(organization_id):
    return Session.objects.filter(organization_id=organization_id, parent__isnull=True).order_by()


def _recount(organization_id, days):
    """Replace the counts of `days` (None: every day) with those of the sessions created on them."""
    sessions, verifications = (
        _top_level(organization_id),
        Verification.objects.filter(organization_id=organization_id, session__parent__isnull=True),
    )
    if days is not None:
        if not days:
            return
        sessions = sessions.filter(_created_on(days, "created_at"))
        verifications = verifications.filter(_created_on(days, "session__created_at"))
    for model in (DailySessionCount, DailyVerificationCount, DailyReasonCount):
        rows = model.objects.filter(organization_id=organization_id)
        (rows if days is None else rows.filter(day__in=days)).delete()
    DailySessionCount.objects.bulk_create(
        DailySessionCount(organization_id=organization_id, **row) for row in _session_rows(sessions)
    )
    verifications = verifications.order_by().annotate(
        environment=F("session__environment"), day=TruncDate("session__created_at")
    )
    DailyVerificationCount.objects.bulk_create(
        DailyVerificationCount(organization_id=organization_id, **row)
        for row in verifications.exclude(result="")
        .values("environment", "day", "type", "result")
        .annotate(count=Count("id"))
    )
    DailyReasonCount.objects.bulk_create(
        DailyReasonCount(organization_id=organization_id, environment=environment, day=day, code=code, count=count)
        for environment, day, code, count in _reason_rows(verifications.exclude(status_codes=[]))
    )


def _created_on(days, field):
    """Created on one of `days` (in the current time zone), as ranges an index answers."""
    condition = Q()
    for day in days:
        start = timezone.make_aware(datetime.combine(day, time.min))
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": start + timedelta(days=1)})
    return condition


def _session_rows(sessions):
    took = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
    bucket = Case(
        When(decided_at__isnull=True, then=None),
        *(When(took__lt=upper, then=Value(index)) for index, (_, upper) in enumerate(DECISION_TIME_BUCKETS) if upper),
        default=Value(len(DECISION_TIME_BUCKETS) - 1),
        output_field=IntegerField(),
    )
    opened = Exists(Applicant.objects.filter(session=OuterRef("pk"), link_opened_at__isnull=False))
    return (
        sessions.annotate(took=took, was_opened=opened)
        .annotate(day=TruncDate("created_at"), decided_on=TruncDate("decided_at"), decision_bucket=bucket)
        .values("environment", "day", "status", "decided_on", "decision_bucket")
        .annotate(
            sessions=Count("id"),
            opened=Count("id", filter=Q(was_opened=True)),
            submitted=Count("id", filter=Q(completed_at__isnull=False) | Q(status__in=SESSION_SUBMITTED)),
            risk_total=Coalesce(Sum("risk_score"), 0),
            risk_scored=Count("risk_score"),
            decision_time=Sum("took"),
        )
    )


def _reason_rows(verifications):
    """(environment, day, code, count): the codes are unnested and counted in the database."""
    sql, params = verifications.values("environment", "day", "status_codes").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.environment, v.day, code.value, COUNT(*) FROM ({sql}) AS v {_EACH_CODE[connection.vendor]}"
            " GROUP BY v.environment, v.day, code.value",
            params,
        )
        return cursor.fetchall()
