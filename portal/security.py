"""What every portal response carries: no referrer, no caching, no indexing, a
strict CSP; and the limits on guessing tokens.

A link's first URL holds the applicant's token (the pages after it do not, see
portal.access), so responses are also marked as logged (Django would otherwise log
every 4xx with its path) and `TokenRedactingFilter` strips tokens from any other log
record that carries a portal path.
"""

import logging
import re
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware

from onboarding.client_address import client_address

# Bad tokens one address may try per window (settings.PORTAL_BAD_TOKEN_LIMIT) before every link answers 429.
BAD_TOKEN_WINDOW_SECONDS = 15 * 60

CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # blob: lets the page preview a photo the applicant has just picked.
    "img-src": ["'self'", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}


def content_security_policy(extra_form_targets=()):
    directives = {**CSP, "form-action": [*CSP["form-action"], *extra_form_targets]}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def origin_of(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def portal_headers(view):
    """Security headers for a portal view. A view may set `request.portal_form_targets`:
    origins a form may lead to (the finish button redirects to the integrator's site,
    and browsers apply form-action to that redirect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Content-Security-Policy"] = content_security_policy(getattr(request, "portal_form_targets", ()))
        # The path holds the token: keep Django's 4xx logging from writing it out.
        response._has_been_logged = True
        return response

    return wrapper


class PortalCsrfMiddleware(CsrfViewMiddleware):
    """CSRF for portal forms. With `Referrer-Policy: no-referrer` browsers send
    `Origin: null` on the page's own form posts, which Django's origin check
    refuses; here a null origin is let through to the token check, which every
    post must still pass."""

    def _origin_verified(self, request):
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)


portal_csrf = decorator_from_middleware(PortalCsrfMiddleware)


def _bad_token_key(address):
    return f"portal:bad-token:{address}"


def too_many_bad_tokens(request):
    limit = settings.PORTAL_BAD_TOKEN_LIMIT
    return cache.get(_bad_token_key(client_address(request)), 0) >= limit


def note_bad_token(request):
    key = _bad_token_key(client_address(request))
    if not cache.add(key, 1, BAD_TOKEN_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, BAD_TOKEN_WINDOW_SECONDS)


# /s/<token>/, not the token-free /s/p/<slot>/ pages.
_PORTAL_PATH = re.compile(r"/s/(?!p/)[^/\s\"'?]+")


def redact_tokens(text):
    return _PORTAL_PATH.sub("/s/[token]", text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites /s/<token> to /s/[token] in any log record (for the LOGGING setting)."""

    def filter(self, record):
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = redact_tokens(str(record.msg))
        return True
