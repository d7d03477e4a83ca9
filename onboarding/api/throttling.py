"""Rate limits in Django's cache: fixed one-minute windows per API key, and per
client address on the token endpoint (where a key guesser has no key yet).

Each throttle leaves its numbers on the request so every response carries
RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from onboarding.client_address import client_address
from onboarding.ratelimit import hit


class WindowThrottle(BaseThrottle):
    def bucket(self, request):
        raise NotImplementedError

    def limit(self):
        raise NotImplementedError

    def allow_request(self, request, view):
        bucket = self.bucket(request)
        if bucket is None:
            return True
        limit = self.limit()
        allowed, remaining, reset = hit(bucket, limit)
        self.reset = reset
        request._request.rate_limit = (limit, remaining, reset)
        return allowed

    def wait(self):
        return self.reset


class ApiKeyRateThrottle(WindowThrottle):
    """settings.API_RATE_LIMIT_PER_MINUTE requests per key (unauthenticated requests are refused anyway)."""

    def bucket(self, request):
        return f"key:{request.auth.id}" if request.auth is not None else None

    def limit(self):
        return settings.API_RATE_LIMIT_PER_MINUTE


class TokenRateThrottle(WindowThrottle):
    """settings.API_TOKEN_RATE_LIMIT_PER_MINUTE token requests per client address."""

    def bucket(self, request):
        return f"token:{client_address(request)}"

    def limit(self):
        return settings.API_TOKEN_RATE_LIMIT_PER_MINUTE


def rate_limit_headers(request):
    numbers = getattr(request._request if hasattr(request, "_request") else request, "rate_limit", None)
    if numbers is None:
        return {}
    limit, remaining, reset = numbers
    return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset)}
