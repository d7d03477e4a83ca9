"""Logging in and out, and choosing the organization to work in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dashboard.access import CONTENT_SECURITY_POLICY, ORGANIZATION_KEY
from onboarding.client_address import client_address
from onboarding.models import Membership
from onboarding.ratelimit import WINDOW_SECONDS, counted, hit

# Failed logins per minute. Per username *and* address: guessing one password is slowed down,
# yet nobody elsewhere can lock the real owner out by failing on their username. Per address
# (the client's, behind proxies too), trying many usernames is slowed down as well.
FAILED_LOGINS_PER_USERNAME_AND_ADDRESS = 10
FAILED_LOGINS_PER_ADDRESS = 30


class LoginView(auth_views.LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and self.rate_limited(request):
            response = render(request, "dashboard/login.html", {"rate_limited": True}, status=429)
            response["Retry-After"] = str(WINDOW_SECONDS)
        else:
            response = super().dispatch(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    def form_invalid(self, form):
        for bucket, limit in self.buckets(self.request):
            hit(bucket, limit)
        return super().form_invalid(form)

    @staticmethod
    def buckets(request):
        username = request.POST.get("username", "")[:150].lower()
        address = client_address(request)
        return [
            (f"dashboard-login:user:{username}:ip:{address}", FAILED_LOGINS_PER_USERNAME_AND_ADDRESS),
            (f"dashboard-login:ip:{address}", FAILED_LOGINS_PER_ADDRESS),
        ]

    @classmethod
    def rate_limited(cls, request):
        return any(counted(bucket) >= limit for bucket, limit in cls.buckets(request))


class LogoutView(auth_views.LogoutView):
    next_page = "dashboard:login"


@login_required
@require_http_methods(["GET", "POST"])
def choose_organization(request):
    memberships = (
        Membership.objects.filter(user=request.user).select_related("organization").order_by("organization__name")
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
