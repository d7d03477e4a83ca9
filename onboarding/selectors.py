"""Read side: session lists, filters and summaries shared by the API and the dashboard.

Summaries are aggregate queries in the database, a fixed number of them
whatever the number of rows.
"""

from datetime import timedelta

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django_fsm import can_proceed

from onboarding.errors import ValidationFailed
from onboarding.models import (
    COMPLIANCE_STATUS,
    INBOXES,
    SESSION_EXTENDABLE,
    SESSION_OPEN_TO_APPLICANT,
    VERIFICATION_COMPLETED,
    Applicant,
    ApplicantStatus,
    Event,
    Session,
    SessionCount,
    SessionStatus,
    Verification,
    statuses_in_inbox,
)
from onboarding.tenancy import scoped

SORTS = {
    "created_at": "created_at",
    "-created_at": "-created_at",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "risk_score": "risk_score",
    "-risk_score": "-risk_score",
    "priority": "priority",
    "-priority": "-priority",
}


def sessions_for(actor):
    return scoped(Session, actor)


# Decisions and review steps a person can take, each a session transition of the same name.
REVIEW_ACTIONS = ("approve", "reject", "send_to_manual_review", "reopen", "request_corrections")


def session_allowed_actions(session):
    """What can be done to the session now, read from its state machine (the same check the services make)."""
    actions = [name for name in REVIEW_ACTIONS if can_proceed(getattr(session, name))]
    # A person approves or rejects once the checks have run and no correction is awaited:
    # the evidence is still coming (auto-decide decides from processing, not a person).
    if session.status == SessionStatus.PROCESSING or any(c.status == "open" for c in session.corrections.all()):
        actions = [name for name in actions if name not in ("approve", "reject")]
    if can_proceed(session.start_processing):
        actions.append("process")
    if session.status in SESSION_OPEN_TO_APPLICANT:
        actions.append("generate_links")
    if session.status in SESSION_EXTENDABLE:
        actions.append("extend")
    if can_proceed(session.cancel):
        actions.append("cancel")
    return actions


def filter_sessions(queryset, filters):
    """Apply the list filters of SPEC §4. `filters` is a dict of already-parsed values.

    Keys: status, status_list, compliance_status, workflow_id, reference_id,
    assigned_to, created_from, created_to, q, tag, risk_min, risk_max, parent_id,
    blocked (only sessions with a blocked applicant).
    """
    errors = {}
    status = filters.get("status")
    if status:
        if status not in SessionStatus.values:
            errors["status"] = [f"Must be one of: {', '.join(SessionStatus.values)}."]
        queryset = queryset.filter(status=status)
    status_list = filters.get("status_list")
    if status_list:
        bad = [s for s in status_list if s not in SessionStatus.values]
        if bad:
            errors["status_list"] = [f"Unknown statuses: {', '.join(bad)}."]
        queryset = queryset.filter(status__in=status_list)
    inbox = filters.get("compliance_status")
    if inbox:
        if inbox not in INBOXES:
            errors["compliance_status"] = [f"Must be one of: {', '.join(INBOXES)}."]
        queryset = queryset.filter(status__in=statuses_in_inbox(inbox))
    if errors:
        raise ValidationFailed(errors)
    for key, lookup in (
        ("workflow_id", "workflow_id"),
        ("reference_id", "reference_id"),
        ("created_from", "created_at__gte"),
        ("created_to", "created_at__lte"),
        ("risk_min", "risk_score__gte"),
        ("risk_max", "risk_score__lte"),
        ("parent_id", "parent_id"),
    ):
        if filters.get(key) not in (None, ""):
            queryset = queryset.filter(**{lookup: filters[key]})
    if "parent_id" not in filters:
        queryset = queryset.filter(parent__isnull=True)
    assigned_to = filters.get("assigned_to")
    if assigned_to == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif assigned_to not in (None, ""):
        queryset = queryset.filter(assigned_to_id=assigned_to)
    if filters.get("blocked"):
        queryset = queryset.filter(
            Exists(Applicant.objects.filter(session=OuterRef("pk"), status=ApplicantStatus.BLOCKED))
        )
    if filters.get("tag"):
        # Text match on the JSON list: works alike on SQLite and PostgreSQL.
        queryset = queryset.filter(custom_tags__icontains=f'"{filters["tag"]}"')
    q = (filters.get("q") or "").strip()
    if q:
        queryset = queryset.filter(id__in=_search(queryset, q))
    return queryset


def _search(queryset, q):
    """Ids of the sessions whose name or reference, or an applicant's e-mail or label, contains `q`.

    A union of one query per table: on PostgreSQL each part is a trigram index scan
    (migration 0010), where an OR across the two tables scans every session in scope.
    """
    sessions = queryset.order_by().filter(Q(name__icontains=q) | Q(reference_id__icontains=q)).values("id")
    in_scope = queryset.order_by().values("id")
    applicants = Applicant.objects.filter(Q(email__icontains=q) | Q(label__icontains=q), session__in=in_scope)
    return sessions.union(applicants.order_by().values("session_id"))


def session_counts(queryset, *, risk=True, stored=None):
    """Sessions per status and per inbox, their total and (with `risk`) the average risk.

    `stored`: (actor, environment) when the queryset is every top-level session the actor
    sees (in `environment` if set). The counts are then the services' SessionCount rows,
    and only the risk average, if asked, reads the sessions. Otherwise one query.
    """
    if stored is not None:
        status_counts = _stored_status_counts(*stored)
        counts = _status_and_inbox_counts(status_counts)
        if risk:
            row = queryset.order_by().aggregate(risk_total=Sum("risk_score"), scored=Count("risk_score"))
            counts.update(_risk_average([row]))
        return counts
    aggregates = {"n": Count("id")}
    if risk:
        aggregates.update(risk_total=Sum("risk_score"), scored=Count("risk_score"))
    rows = list(queryset.order_by().values("status").annotate(**aggregates))
    counts = _status_and_inbox_counts({row["status"]: row["n"] for row in rows})
    if risk:
        counts.update(_risk_average(rows))
    return counts


def _stored_status_counts(actor, environment):
    rows = SessionCount.objects.filter(organization_id=actor.organization_id)
    if environment or actor.environment:
        rows = rows.filter(environment=environment or actor.environment)
    return dict(rows.order_by().values("status").annotate(n=Sum("count")).values_list("status", "n"))


def _status_and_inbox_counts(found):
    status_counts = dict.fromkeys(SessionStatus.values, 0)
    status_counts.update(found)
    inbox_counts = dict.fromkeys(INBOXES, 0)
    for status, count in status_counts.items():
        inbox_counts[COMPLIANCE_STATUS[status]] += count
    return {"total": sum(status_counts.values()), "status_counts": status_counts, "inbox_counts": inbox_counts}


def _risk_average(rows):
    scored = sum(row["scored"] for row in rows)
    total = sum(row["risk_total"] or 0 for row in rows)
    return {"avg_risk_score": round(total / scored, 1) if scored else None, "sessions_with_risk_score": scored}


def session_summary(queryset):
    """meta.summary of SPEC §4 for every row of the (filtered) queryset, in two queries."""
    validations = (
        Verification.objects.filter(session__in=queryset.order_by().values("id"))
        .exclude(result="")
        .values("type", "result")
        .annotate(n=Count("id"))
    )
    validation_counts = {}
    for row in validations:
        validation_counts.setdefault(row["type"], {})[row["result"]] = row["n"]
    return {**session_counts(queryset), "validation_counts": validation_counts}


def _count(verifications):
    counted = verifications.order_by().values("session_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_progress(queryset):
    """Annotate each session with legaltalent's progress counters, in the same query as the rows.

    Steps are every applicant's verifications in their order (creation order, which is
    the workflow's step order): `completed_steps` counts those whose applicant part is
    done, `current_step_index` is the position of the first one that is not (null once
    none is left), `progress_percent` the completed share, rounded down.
    """
    steps = Verification.objects.filter(session=OuterRef("pk"))
    open_steps = steps.exclude(status__in=VERIFICATION_COMPLETED)
    first_open = open_steps.order_by("created_at").values("created_at")[:1]
    return queryset.annotate(
        total_steps=_count(steps),
        completed_steps=_count(steps.filter(status__in=VERIFICATION_COMPLETED)),
        first_open_at=Subquery(first_open),
        current_step_index=Case(
            When(first_open_at__isnull=True, then=Value(None)),
            default=_count(steps.filter(created_at__lt=OuterRef("first_open_at"))),
            output_field=IntegerField(),
        ),
        progress_percent=Case(
            When(total_steps=0, then=Value(0)),
            default=F("completed_steps") * 100 / F("total_steps"),
            output_field=IntegerField(),
        ),
    )


def session_detail_queryset(actor):
    """Sessions with everything a detail page or response shows, fetched in a fixed number of queries."""
    return (
        with_progress(sessions_for(actor))
        .select_related("workflow", "workflow_version", "assigned_to")
        .prefetch_related("applicants__verifications", "documents", "corrections")
    )


def created_session_detail(session):
    """A session session_create just made (its created_applicants, each with its created_verifications;
    no documents, corrections or links yet), shaped as session_detail_queryset returns it without
    reading back what was written: the progress counters as with_progress counts them."""
    applicants = session.created_applicants
    steps = sorted((v for a in applicants for v in a.created_verifications), key=lambda v: v.created_at)
    completed = [v.status in VERIFICATION_COMPLETED for v in steps]
    session.total_steps, session.completed_steps = len(steps), sum(completed)
    session.current_step_index = completed.index(False) if False in completed else None
    session.progress_percent = session.completed_steps * 100 // session.total_steps if steps else 0
    for applicant in applicants:
        _set_prefetched(applicant, "verifications", applicant.created_verifications)
    _set_prefetched(session, "applicants", applicants)
    _set_prefetched(session, "documents", [])
    _set_prefetched(session, "corrections", [])
    return session


def _set_prefetched(instance, name, objects):
    """What prefetch_related would leave: `instance.<name>.all()` answers from `objects`."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(objects), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# --- Dashboard reads -------------------------------------------------------

# Statuses a session reaches only once every required step was submitted.
SUBMITTED_STATUSES = [
    SessionStatus.COMPLETED,
    SessionStatus.PROCESSING,
    SessionStatus.PROCESSED,
    SessionStatus.MANUAL_REVIEW,
    SessionStatus.APPROVED,
    SessionStatus.REJECTED,
    SessionStatus.AWAITING_CLIENT_CORRECTION,
]
DECISION_TIME_BUCKETS = [
    ("< 1 h", timedelta(hours=1)),
    ("1–4 h", timedelta(hours=4)),
    ("4–24 h", timedelta(days=1)),
    ("1–3 d", timedelta(days=3)),
    ("3–7 d", timedelta(days=7)),
    ("> 7 d", None),
]


def session_list_queryset(queryset):
    """A list page's rows with what each row shows, in two queries whatever the page size."""
    return queryset.select_related("workflow", "workflow_version", "assigned_to").prefetch_related(
        Prefetch(
            "applicants",
            queryset=Applicant.objects.only(
                "id", "session_id", "type", "label", "email", "identity", "company", "status", "created_at"
            ),
        )
    )


def next_for_review(actor, user, exclude_id):
    """The session a reviewer should open next: manual review, theirs or nobody's, highest priority, oldest first."""
    return (
        sessions_for(actor)
        .filter(status=SessionStatus.MANUAL_REVIEW, parent__isnull=True)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .exclude(id=exclude_id)
        .order_by("-priority", "created_at")
        .only("id", "name")
        .first()
    )


def session_events(session):
    """The session's audit trail (kept by id, so it outlives an erased session's rows)."""
    return Event.objects.filter(organization_id=session.organization_id, session_ref=session.id)


def overview_funnel(queryset):
    """Sessions created → opened (a link was opened) → submitted → decided, in one query."""
    opened = Exists(Applicant.objects.filter(session=OuterRef("pk"), link_opened_at__isnull=False))
    return (
        queryset.order_by()
        .annotate(was_opened=opened)
        .aggregate(
            created=Count("id"),
            opened=Count("id", filter=Q(was_opened=True)),
            submitted=Count("id", filter=Q(completed_at__isnull=False) | Q(status__in=SUBMITTED_STATUSES)),
            decided=Count("id", filter=Q(status__in=[SessionStatus.APPROVED, SessionStatus.REJECTED])),
        )
    )


def overview_decision_times(queryset):
    """How long decided sessions took from creation to decision: counts per bucket and the average, one query."""
    decided = (
        queryset.order_by()
        .filter(decided_at__isnull=False)
        .annotate(took=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField()))
    )
    aggregates, lower = {"average": Avg("took")}, None
    for index, (_, upper) in enumerate(DECISION_TIME_BUCKETS):
        condition = Q()
        if lower is not None:
            condition &= Q(took__gte=lower)
        if upper is not None:
            condition &= Q(took__lt=upper)
        aggregates[f"bucket_{index}"] = Count("id", filter=condition)
        lower = upper
    row = decided.aggregate(**aggregates)
    return {
        "buckets": [(label, row[f"bucket_{index}"]) for index, (label, _) in enumerate(DECISION_TIME_BUCKETS)],
        "average": row["average"],
    }


def overview_decisions_per_day(queryset, since):
    """{date: {"approved": n, "rejected": n}} for decisions since `since`, one query."""
    rows = (
        queryset.order_by()
        .filter(decided_at__gte=since, status__in=[SessionStatus.APPROVED, SessionStatus.REJECTED])
        .annotate(day=TruncDate("decided_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
    )
    days = {}
    for row in rows:
        days.setdefault(row["day"], {"approved": 0, "rejected": 0})[row["status"]] = row["n"]
    return days


# Each code of a verification's JSON list as a row, in the database's own JSON functions.
_EACH_CODE = {
    "postgresql": "CROSS JOIN LATERAL jsonb_array_elements_text(v.status_codes) AS code (value)",
    "sqlite": "CROSS JOIN json_each(v.status_codes) AS code",
}


def overview_reason_codes(queryset, limit=8):
    """The most frequent verification reason codes among the sessions, most frequent first, one query.

    The codes are unnested and counted in the database: a large organization holds
    millions of verifications, too many to stream through Python.
    """
    codes = Verification.objects.filter(session__in=queryset.order_by().values("id")).exclude(status_codes=[])
    sql, params = codes.order_by().values("status_codes").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code.value, COUNT(*) FROM ({sql}) AS v {_EACH_CODE[connection.vendor]}"
            " GROUP BY code.value ORDER BY 2 DESC, 1 LIMIT %s",
            [*params, limit],
        )
        return [tuple(row) for row in cursor.fetchall()]
