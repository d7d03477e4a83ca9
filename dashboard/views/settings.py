"""Organization settings, for admins: API keys, members and roles, webhook endpoints, watchlist."""

import tempfile

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access import dashboard_view
from dashboard.forms import ApiKeyForm, InviteForm, WatchlistUploadForm
from dashboard.views.common import add_service_errors, perform
from onboarding import services, webhooks
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import ApiKey, Environment, Invitation, Membership, Role, WatchlistDataset
from onboarding.outbox import EVENT_TYPES
from onboarding.services.screening import watchlist_upload
from onboarding.tenancy import scoped

DELIVERIES_PER_PAGE = 50


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@dashboard_view(role=Role.ADMIN)
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            key, plain = services.api_key_create(actor=request.actor, created_by=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            created, form = (key, plain), ApiKeyForm()
    keys = scoped(ApiKey, request.actor).select_related("created_by").order_by("revoked_at", "-created_at")
    # The plain key appears in this one response only, never stored or cached.
    return _no_store(render(request, "dashboard/api_keys.html", {"form": form, "keys": keys, "created": created}))


@dashboard_view(role=Role.ADMIN)
@require_POST
def api_key_revoke(request, key_id):
    perform(request, lambda: services.api_key_revoke(actor=request.actor, api_key_id=key_id), "Key revoked.")
    return redirect("dashboard:api_keys")


@dashboard_view(role=Role.ADMIN)
def members(request):
    """Members and their roles; new people are invited by email (never added by username)."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, mailed = services.invitation_create(
                actor=request.actor, invited_by=request.user, **form.cleaned_data
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            if mailed:
                messages.success(request, f"Invitation sent to {invitation.email}.")
            else:
                messages.error(request, f"The invitation to {invitation.email} could not be emailed. Try again later.")
            return redirect("dashboard:members")
    memberships = scoped(Membership, request.actor).select_related("user").order_by("user__username")
    invitations = (
        scoped(Invitation, request.actor)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at")
    )
    context = {"form": form, "memberships": memberships, "invitations": invitations, "roles": Role.choices}
    return render(request, "dashboard/members.html", context)


@dashboard_view(role=Role.ADMIN)
@require_POST
def invitation_revoke(request, invitation_id):
    perform(
        request,
        lambda: services.invitation_revoke(actor=request.actor, invitation_id=invitation_id),
        "Invitation revoked.",
    )
    return redirect("dashboard:members")


@dashboard_view(role=Role.ADMIN)
@require_POST
def member_role(request, membership_id):
    membership = scoped(Membership, request.actor).filter(id=membership_id).select_related("user").first()
    if membership is None:
        raise Http404("Member not found.")
    if membership.user_id == request.user.pk:
        messages.error(request, "You cannot change your own role.")
        return redirect("dashboard:members")
    role = request.POST.get("role", "")
    perform(
        request,
        lambda: services.member_set(actor=request.actor, username=membership.user.username, role=role),
        f"{membership.user.username} is now {role}.",
    )
    return redirect("dashboard:members")


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    description = forms.CharField(required=False, max_length=200)
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )
    environment = forms.ChoiceField(choices=Environment.choices)


@dashboard_view(role=Role.ADMIN)
def webhook_endpoints(request):
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhooks.endpoint_create(actor=request.actor, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            form = EndpointForm()
    endpoints = webhooks.endpoints_for(request.actor)
    return _no_store(
        render(request, "dashboard/webhooks.html", {"form": form, "endpoints": endpoints, "created": created})
    )


@dashboard_view(role=Role.ADMIN)
def webhook_deliveries(request, endpoint_id):
    endpoint = webhooks.get_endpoint(request.actor, endpoint_id)
    deliveries = (
        webhooks.deliveries_for(request.actor, endpoint_id).prefetch_related("attempts").order_by("-created_at")
    )
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dashboard/webhook_deliveries.html", {"endpoint": endpoint, "page": page})


@dashboard_view(role=Role.ADMIN)
@require_POST
def webhook_redeliver(request, endpoint_id, delivery_id):
    perform(
        request,
        lambda: webhooks.redeliver(actor=request.actor, endpoint_id=endpoint_id, delivery_id=delivery_id),
        "Delivery queued again.",
    )
    return redirect("dashboard:webhook_deliveries", endpoint_id)


@dashboard_view(role=Role.ADMIN)
@require_POST
def webhook_toggle(request, endpoint_id):
    endpoint = webhooks.get_endpoint(request.actor, endpoint_id)
    enabled = not endpoint.enabled
    perform(
        request,
        lambda: webhooks.endpoint_update(actor=request.actor, endpoint_id=endpoint_id, enabled=enabled),
        "Endpoint enabled." if enabled else "Endpoint disabled.",
    )
    return redirect("dashboard:webhooks")


@dashboard_view(role=Role.ADMIN)
def watchlist(request):
    form = WatchlistUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        version = form.cleaned_data["version"] or timezone.now().strftime("%Y%m%d")
        with tempfile.NamedTemporaryFile(suffix=".list") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                dataset, stats = watchlist_upload(
                    actor=request.actor,
                    path=handle.name,
                    dataset_name=form.cleaned_data["name"],
                    version=version,
                    source_name=upload.name,
                )
            except (ValidationFailed, InvalidTransition) as exc:
                add_service_errors(form, getattr(exc, "errors", {"file": [str(exc)]}))
            else:
                messages.success(
                    request,
                    f"{dataset.name} {dataset.version}: {stats['created']} new, "
                    f"{stats['updated']} updated, {stats['removed']} removed entries.",
                )
                return redirect("dashboard:watchlist")
    datasets = scoped(WatchlistDataset, request.actor).order_by("name")
    return render(request, "dashboard/watchlist.html", {"form": form, "datasets": datasets})
