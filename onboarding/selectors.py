"""Read side: session lists, filters and summaries shared by the API and the dashboard.

Summaries are aggregate queries in the database, a fixed number of them
whatever the number of rows.
"""

from datetime import timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django_fsm import can_proceed

from onboarding.errors import ValidationFailed
from onboarding.models import (
    COMPLIANCE_STATUS,
    DECISION_TIME_BUCKETS,
    INBOXES,
    SESSION_DECIDED,
    SESSION_EXTENDABLE,
    SESSION_OPEN_TO_APPLICANT,
    VERIFICATION_COMPLETED,
    Applicant,
    ApplicantStatus,
    DailyReasonCount,
    DailySessionCount,
    DailyVerificationCount,
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


def filter_sessions(queryset, filters, *, listing=False):
    """Apply the list filters of SPEC §4. `filters` is a dict of already-parsed values.

    Keys: status, status_list, compliance_status, workflow_id, reference_id,
    assigned_to, created_from, created_to, q, tag, risk_min, risk_max, parent_id,
    blocked (only sessions with a blocked applicant).

    `listing`: the result is read a page at a time in creation order, never counted whole
    (a search matching many sessions then tests the newest ones until the page is full).
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
        queryset = queryset.filter(_search(queryset, q, listing))
    return queryset


def narrows(filters):
    """Whether parsed list filters leave out any top-level session in scope: if not, the counts
    kept by the services answer for them (session_counts' `stored`)."""
    return any(value not in (None, "", False, []) for name, value in filters.items() if name != "include_summary")


# A search finding at least this many sessions is broad: its ids are not collected, and the
# inbox counts its matches no further (inbox_read).
SEARCH_PROBE = 1000
# What _probe answers for a broad search.
BROAD = "broad"


def _search(queryset, q, listing):
    """A condition for the sessions whose name or reference, or an applicant's e-mail or label, contains `q`.

    A union of one query per table, each a trigram index scan on PostgreSQL (migration
    0010), where an OR across the two tables scans every session in scope. Applicants are
    searched in the sessions' organization; the sessions' own scope is checked on the result.
    """
    sessions, applicants = _found(queryset, q)
    return _condition(q, sessions, applicants, _probe(queryset, sessions, applicants), listing)


def _condition(q, sessions, applicants, found, listing):
    """_search's condition, once the search has been probed (`found`, the answer of _probe)."""
    if found not in (BROAD, None):
        return Q(id__in=found)
    if listing:
        return _matches_row(q)
    sessions, applicants = sessions.values_list("id"), applicants.values_list("session_id")
    if connection.vendor != "postgresql":
        return Q(id__in=sessions.union(applicants))
    # Every match counted: the found ids looked up one by one in the primary key (joined as a
    # set, the planner reads every session in scope to match a few thousand).
    return AnyOf(F("id"), ArraySubquery(sessions.union(applicants)))


def _found(queryset, q):
    """The sessions of `queryset` whose name or reference contains `q`, and the applicants of their
    organization whose e-mail or label does."""
    organization_id = next(iter(queryset.order_by().values_list("organization_id", flat=True)[:1]), None)
    sessions = queryset.order_by().filter(Q(name__icontains=q) | Q(reference_id__icontains=q))
    return sessions, Applicant.objects.filter(_applicant_matches(q), organization_id=organization_id).order_by()


def _probe(queryset, sessions, applicants):
    """The ids of the sessions found (`_found`), when they are fewer than SEARCH_PROBE: most
    searches find fewer, and their ids are then looked up by primary key. BROAD when at least
    SEARCH_PROBE sessions of `queryset` are found; None when the first rows cannot tell (a term
    matching the applicants of many sessions outside `queryset`).

    Each table's trigram scan stops at SEARCH_PROBE rows (a UNION would first collect them all).
    """
    ids = set(sessions.values_list("id", flat=True)[:SEARCH_PROBE])
    if len(ids) >= SEARCH_PROBE:
        return BROAD
    of_applicants = list(applicants.values_list("session_id", flat=True)[:SEARCH_PROBE])
    if len(of_applicants) < SEARCH_PROBE:
        return ids.union(of_applicants)
    ids |= set(queryset.order_by().filter(id__in=set(of_applicants) - ids).values_list("id", flat=True))
    return BROAD if len(ids) >= SEARCH_PROBE else None


def _matches_row(q):
    """The search tested on each session row: read newest first, a page of a broad search is full
    long before every match is found. The row's applicants are read through their session index,
    counted, as EXISTS would first collect every match."""
    hits = (
        Applicant.objects.filter(_applicant_matches(q), session=OuterRef("pk"))
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Q(name__icontains=q) | Q(reference_id__icontains=q) | GreaterThan(Subquery(hits), 0)


def _applicant_matches(q):
    return Q(email__icontains=q) | Q(label__icontains=q)


class AnyOf(Func):
    """`value = ANY(array)`."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def session_counts(queryset, *, risk=True, stored=None):
    """Sessions per status and per inbox, their total and (with `risk`) the average risk.

    `stored`: (actor, environment) when the queryset is every top-level session the actor
    sees (in `environment` if set). The counts and the risk are then the services'
    SessionCount rows, a few rows whatever the number of sessions. Otherwise one query.
    """
    if stored is not None:
        rows = (
            _stored(SessionCount, *stored)
            .values("status")
            .annotate(n=Sum("count"), risk_total=Sum("risk_total"), scored=Sum("risk_scored"))
        )
    else:
        aggregates = {"n": Count("id")}
        if risk:
            aggregates.update(risk_total=Sum("risk_score"), scored=Count("risk_score"))
        rows = queryset.order_by().values("status").annotate(**aggregates)
    rows = list(rows)
    counts = _status_and_inbox_counts({row["status"]: row["n"] for row in rows})
    if risk:
        counts.update(_risk_average(rows))
    return counts


def inbox_read(queryset, filters, *, inbox="", listing=False, stored=None, risk=True):
    """What an inbox page reads of the sessions of `queryset` matching `filters`: their counts, and
    the ones of `inbox` it lists (filter_sessions with `listing`), the search probed once for both.

    The counts are session_counts' with `blocked`, how many have a blocked applicant, and
    `capped`. A search finding SEARCH_PROBE sessions or more is counted no further: `capped` is
    then set, the total is SEARCH_PROBE and the statuses and inboxes are not counted (None).
    Counting every session a common name matches visits each of their rows (a million sessions,
    a surname: tens of thousands), while the page lists the newest fifty; the blocked ones are
    still counted, from their few applicants.
    """
    q = (filters.get("q") or "").strip()
    matching = filter_sessions(queryset, {**filters, "q": ""})
    # An inbox's own probe: a search broad in all of them may find a few in this one, then read by id.
    listed = filter_sessions(matching, {"compliance_status": inbox, "q": q}, listing=listing) if inbox else matching
    if not q:
        return _counted(matching, stored, risk), listed
    sessions, applicants = _found(matching, q)
    found = _probe(matching, sessions, applicants)
    if not inbox:
        listed = matching.filter(_condition(q, sessions, applicants, found, listing))
    if found != BROAD:
        return _counted(matching.filter(_condition(q, sessions, applicants, found, False)), stored, risk), listed
    blocked = filter_sessions(matching.filter(_matches_row(q)), {"blocked": True}).count()
    capped = {
        "total": SEARCH_PROBE,
        "status_counts": dict.fromkeys(SessionStatus.values),
        "inbox_counts": dict.fromkeys(INBOXES),
        "avg_risk_score": None,
        "sessions_with_risk_score": None,
        "blocked": blocked,
        "capped": True,
    }
    return capped, listed


def _counted(matching, stored, risk):
    counts = session_counts(matching, risk=risk, stored=stored)
    counts.update(blocked=filter_sessions(matching, {"blocked": True}).count(), capped=False)
    return counts


def _stored(model, actor, environment):
    """The organization's rows of a count kept by the services, in the actor's environment."""
    rows = model.objects.filter(organization_id=actor.organization_id)
    if environment or actor.environment:
        rows = rows.filter(environment=environment or actor.environment)
    return rows.order_by()


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


def session_summary(queryset, stored=None):
    """meta.summary of SPEC §4 for every row of the (filtered) queryset, in two queries.

    `stored`: as for session_counts; the check results are then the daily counts' (refreshed
    by the caller: onboarding.services.daily_counts)."""
    if stored is not None:
        validations = _stored(DailyVerificationCount, *stored).values("type", "result").annotate(n=Sum("count"))
    else:
        # Each session's own counts (Session.check_results), grouped: no join over the verifications.
        validations = [
            {"type": kind, "result": result, "n": count * row["n"]}
            for row in queryset.order_by().values("check_results").annotate(n=Count("id"))
            for kind, results in row["check_results"].items()
            for result, count in results.items()
        ]
    validation_counts = {}
    for row in validations:
        counts = validation_counts.setdefault(row["type"], {})
        counts[row["result"]] = counts.get(row["result"], 0) + row["n"]
    return {**session_counts(queryset, stored=stored), "validation_counts": validation_counts}


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


def _days(model, actor, since=None):
    """The daily counts of the top-level sessions the actor sees, created on `since` or later."""
    rows = _stored(model, actor, "")
    return rows if since is None else rows.filter(day__gte=since)


def overview_funnel(actor, since):
    """Sessions created since the day `since` → opened (a link was opened) → submitted → decided."""
    row = _days(DailySessionCount, actor, since).aggregate(
        created=Sum("sessions"),
        opened=Sum("opened"),
        submitted=Sum("submitted"),
        decided=Sum("sessions", filter=Q(status__in=SESSION_DECIDED)),
    )
    return {name: count or 0 for name, count in row.items()}


def overview_status_counts(actor, since):
    """session_counts of the sessions created since the day `since`."""
    rows = list(
        _days(DailySessionCount, actor, since)
        .values("status")
        .annotate(n=Sum("sessions"), risk_total=Sum("risk_total"), scored=Sum("risk_scored"))
    )
    return {**_status_and_inbox_counts({row["status"]: row["n"] for row in rows}), **_risk_average(rows)}


def overview_decision_times(actor, since):
    """How long the decided sessions created since `since` took to decide: counts per bucket, the average."""
    rows = {
        row["decision_bucket"]: row
        for row in _days(DailySessionCount, actor, since)
        .filter(decision_bucket__isnull=False)
        .values("decision_bucket")
        .annotate(n=Sum("sessions"), took=Sum("decision_time"))
    }
    decided = sum(row["n"] for row in rows.values())
    took = sum((row["took"] for row in rows.values()), timedelta())
    return {
        "buckets": [
            (label, rows[index]["n"] if index in rows else 0) for index, (label, _) in enumerate(DECISION_TIME_BUCKETS)
        ],
        "average": took / decided if decided else None,
    }


def overview_decisions_per_day(actor, since):
    """{date: {"approved": n, "rejected": n}} for decisions on the day `since` or later."""
    rows = (
        _days(DailySessionCount, actor)
        .filter(decided_on__gte=since, status__in=SESSION_DECIDED)
        .values("decided_on", "status")
        .annotate(n=Sum("sessions"))
    )
    days = {}
    for row in rows:
        days.setdefault(row["decided_on"], {"approved": 0, "rejected": 0})[row["status"]] = row["n"]
    return days


def overview_reason_codes(actor, since, limit=8):
    """The most frequent reason codes of the checks of sessions created since `since`, most frequent first."""
    rows = _days(DailyReasonCount, actor, since).values("code").annotate(n=Sum("count")).order_by("-n", "code")
    return [(row["code"], row["n"]) for row in rows[:limit]]
