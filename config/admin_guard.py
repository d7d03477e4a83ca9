"""Django's admin gets what the dashboard has: a CSP and login rate limits (the same buckets:
failures per username and address, and per address)."""

from django.http import HttpResponse
from django.urls import reverse

from dashboard.views.auth import LoginView
from onboarding.ratelimit import WINDOW_SECONDS, hit

# The admin's own pages carry inline style attributes, never inline script.
ADMIN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class AdminGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        login = request.method == "POST" and request.path == reverse("admin:login")
        if login and LoginView.rate_limited(request):
            response = HttpResponse("Too many attempts: try again in a minute.", status=429, content_type="text/plain")
            response["Retry-After"] = str(WINDOW_SECONDS)
        else:
            response = self.get_response(request)
            if login and response.status_code == 200:  # the form again: the credentials were refused
                for bucket, limit in LoginView.buckets(request):
                    hit(bucket, limit)
        response.setdefault("Content-Security-Policy", ADMIN_CONTENT_SECURITY_POLICY)
        return response
