"""Logging in and out, and choosing the organization to work in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dashboard.access import CONTENT_SECURITY_POLICY, ORGANIZATION_KEY
from onboarding.api.throttling import WINDOW_SECONDS, hit
from onboarding.models import Membership


# Login attempts per minute: per username slows down guessing one password; per address (an
# office may share one) slows down trying many usernames.
LOGIN_ATTEMPTS_PER_USERNAME = 10
LOGIN_ATTEMPTS_PER_ADDRESS = 30


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and self._rate_limited(request):
            response = render(request, "dashboard/login.html", {"rate_limited": True}, status=429)
            response["Retry-After"] = str(WINDOW_SECONDS)
        else:
            response = super().dispatch(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @staticmethod
    def _rate_limited(request):
        username = request.POST.get("username", "")[:150].lower()
        by_address, _, _ = hit(f"dashboard-login:ip:{request.META.get('REMOTE_ADDR', '')}",
                               LOGIN_ATTEMPTS_PER_ADDRESS)
        by_user, _, _ = hit(f"dashboard-login:user:{username}", LOGIN_ATTEMPTS_PER_USERNAME)
        return not (by_address and by_user)


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
