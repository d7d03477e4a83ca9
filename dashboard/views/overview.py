"""Overview: how onboarding is going, from a handful of aggregate queries."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.access import dashboard_view
from dashboard.charts import columns, horizontal_bars
from onboarding import selectors
from onboarding.labels import reason_label
from onboarding.services.daily_counts import daily_counts_refresh

PERIODS = {"7": 7, "30": 30, "90": 90}


@dashboard_view()
def overview(request):
    days = PERIODS.get(request.GET.get("days", ""), 30)
    today = timezone.localdate()
    # The period is whole days, today the last: the days the per-day chart shows.
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    since = day_list[0]
    # Top-level sessions only (a company's related parties are part of its onboarding), from the
    # daily counts, brought up to date with the audit trail first.
    daily_counts_refresh(request.actor.organization_id)
    funnel = selectors.overview_funnel(request.actor, since)
    times = selectors.overview_decision_times(request.actor, since)
    per_day = selectors.overview_decisions_per_day(request.actor, since)
    reasons = selectors.overview_reason_codes(request.actor, since)
    summary = selectors.overview_status_counts(request.actor, since)
    return render(
        request,
        "dashboard/overview.html",
        {
            "days": days,
            "periods": PERIODS,
            "summary": summary,
            "funnel": funnel,
            "funnel_chart": horizontal_bars(
                [
                    (_("Created"), funnel["created"]),
                    (_("Link opened"), funnel["opened"]),
                    (_("Submitted"), funnel["submitted"]),
                    (_("Decided"), funnel["decided"]),
                ],
                css="funnel",
            ),
            "time_chart": columns(
                [(label, {"n": count}) for label, count in times["buckets"]], [("n", "time", _("sessions"))]
            ),
            "average_time": _duration(times["average"]),
            "per_day_chart": columns(
                [(day.strftime("%d %b"), per_day.get(day, {})) for day in day_list],
                [("approved", "approved", _("approved")), ("rejected", "rejected", _("rejected"))],
            ),
            # Reasons as words; the code stays in each bar's tooltip.
            "reason_chart": horizontal_bars(
                [(reason_label(code), count, code) for code, count in reasons], css="reason"
            ),
        },
    )


def _duration(value):
    """A duration at the scale it is read: minutes under an hour, hours under two days, then days."""
    if value is None:
        return None
    minutes = value.total_seconds() / 60
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", round(minutes)) % {"n": round(minutes)}
    hours = minutes / 60
    return _("%(n).1f days") % {"n": hours / 24} if hours >= 48 else _("%(n).1f h") % {"n": hours}
