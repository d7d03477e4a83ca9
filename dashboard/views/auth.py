"""Logging in and out, and choosing the organization to work in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dashboard.access import CONTENT_SECURITY_POLICY, ORGANIZATION_KEY
from onboarding.models import Membership


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "dashboard:login"


@login_required
@require_http_methods(["GET", "POST"])
def choose_organization(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organization").order_by(
        "organization__name"
    )
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        chosen = request.POST.get("organization")
        if not any(str(m.organization_id) == chosen for m in memberships):
            return HttpResponseBadRequest("Not a member of that organization.")
        request.session[ORGANIZATION_KEY] = chosen
        return redirect(next_url or "dashboard:inbox")
    response = render(request, "dashboard/organization.html", {"memberships": memberships, "next": next_url})
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
