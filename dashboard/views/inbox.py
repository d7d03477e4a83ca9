"""Inboxes: the session lists with their live counts, filters, search, sort and assignment."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dashboard.access import can_decide, dashboard_view
from dashboard.forms import PAGE_SIZE, InboxFilterForm
from dashboard.views.common import error_text, members_of, perform
from onboarding import selectors, services
from onboarding.errors import ValidationFailed
from onboarding.models import Role, Workflow
from onboarding.selectors import narrows, session_list_queryset, sessions_for
from onboarding.tenancy import scoped

# The inboxes named by what a reviewer has to do, the work first. Their keys are the
# compliance statuses of SPEC §3, as the API filters them.
INBOX_LABELS = {
    "completed": _("To review"),
    "manual_review": _("Manual review"),
    "remediation": _("Awaiting correction"),
    "pending": _("With the applicant or checks"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "incomplete": _("Incomplete or expired"),
}


def _filters(request, form):
    """The filters of every tab (an invalid one is reported and ignored), `stored` for
    onboarding.selectors.session_counts when none narrows the sessions, and the sessions in scope."""
    filters, environment = {}, ""
    base = sessions_for(request.actor)
    if form.is_bound:
        if form.is_valid():
            filters = form.session_filters(request.user)
            environment = form.cleaned_data["environment"]
            if environment:
                base = base.filter(environment=environment)
        else:
            messages.error(request, _("Some filters were ignored: %(errors)s") % {"errors": error_text(form.errors)})
    return filters, None if narrows(filters) else (request.actor, environment), base


def _filter_form(request):
    members = list(members_of(request.organization))
    workflows = scoped(Workflow, request.actor).filter(deleted_at__isnull=True).order_by("name")
    return InboxFilterForm(request.GET or None, workflows=workflows, members=members), members


@dashboard_view()
def inbox(request):
    form, members = _filter_form(request)
    filters, stored, base = _filters(request, form)
    valid = form.is_bound and form.is_valid()
    inbox_name = form.cleaned_data["inbox"] if valid else ""
    sort = (form.cleaned_data["sort"] if valid else "") or "-created_at"
    listing = sort.lstrip("-") == "created_at"
    summary, counts, listed = _counts(request, base, filters, stored, inbox=inbox_name, listing=listing)
    rows = session_list_queryset(listed.order_by(sort, "-id"))
    if summary["capped"]:
        # Its newest matches, up to the page holding the cap's last one.
        count = -(-summary["total"] // PAGE_SIZE) * PAGE_SIZE
    else:
        count = summary["inbox_counts"][inbox_name] if inbox_name else summary["total"]
    page = CountedPaginator(rows, PAGE_SIZE, count).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tabs = [("", _("All"), counts["all"])] + [(name, label, counts[name]) for name, label in INBOX_LABELS.items()]
    return render(
        request,
        "dashboard/inbox.html",
        {
            "form": form,
            "page": page,
            "tabs": tabs,
            "inbox": inbox_name,
            "summary": summary,
            "blocked": counts["blocked"],
            "capped": summary["capped"],
            "query": query.urlencode(),
            "tab_query": _without(query, "inbox"),
            "members": members,
            "can_decide": can_decide(request),
        },
    )


@dashboard_view()
def inbox_counts(request):
    """The tabs' counts for the same filters, polled by the inbox page to keep them live."""
    form, _ = _filter_form(request)
    filters, stored, base = _filters(request, form)
    return JsonResponse(_counts(request, base, filters, stored, risk=False)[1])


def _counts(request, base, filters, stored, *, risk=True, inbox="", listing=False):
    """The summary, every tab's count with the blocked applicants' one as the tabs show them, and
    the sessions `inbox` lists (an invalid filter is reported and dropped): the page and its poll
    read them here, so a refresh never shows other numbers than a reload. The counts follow every
    filter but the inbox, so each tab shows what it would list. The poll needs no risk average."""
    read = partial(selectors.inbox_read, base, stored=stored, risk=risk, inbox=inbox, listing=listing)
    try:
        summary, listed = read(filters)
    except ValidationFailed as exc:
        messages.error(request, error_text(exc.errors))
        summary, listed = read({})
    counts = {"all": summary["total"], **summary["inbox_counts"], "blocked": summary["blocked"]}
    if summary["capped"]:
        # A search matching more sessions than are counted: "1,000+", and no count per inbox.
        counts = {
            **dict.fromkeys(counts, ""),
            "all": f"{formats.number_format(summary['total'], force_grouping=True)}+",
            "blocked": summary["blocked"],
        }
    return summary, counts, listed


class CountedPaginator(Paginator):
    """A paginator told how many rows it pages: the tabs' counts have just counted them."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


def _without(query, key):
    query = query.copy()
    query.pop(key, None)
    return query.urlencode()


@dashboard_view(role=Role.REVIEWER)
@require_POST
def assign(request):
    """Assign (or prioritise) the ticked sessions of a list: to me, to a colleague, or to nobody."""
    session_ids = request.POST.getlist("session")
    assignee, priority = request.POST.get("assignee", ""), request.POST.get("priority", "").strip()
    changes = {}
    if assignee == "me":
        changes["assigned_to"] = request.user.pk
    elif assignee == "none":
        changes["assigned_to"] = None
    elif assignee:
        if not assignee.isdigit():
            messages.error(request, "assigned to: Not a member of this organization.")
            return redirect(_back(request))
        changes["assigned_to"] = int(assignee)
    if priority:
        try:
            changes["priority"] = int(priority)
        except ValueError:
            messages.error(request, "priority: Must be a whole number.")
            return redirect(_back(request))
    if not session_ids or not changes:
        messages.error(request, "Tick at least one session and choose an assignee or a priority.")
        return redirect(_back(request))

    perform(
        request,
        lambda: services.sessions_update(actor=request.actor, session_ids=session_ids, **changes),
        f"Updated {len(session_ids)} session(s).",
    )
    return redirect(_back(request))


def _back(request):
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("dashboard:inbox")
