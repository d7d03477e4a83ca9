"""Opening an applicant link, resolving its access once per request, and the page every bad link gets.

The token travels in a URL only once: its first GET (`/s/<token>/`) trades it for a
signed, HttpOnly cookie and redirects to a token-free address (`/s/p/<slot>/`), so
access logs, browser history and the pages' own links never hold it again. Each
link has its own slot and its own cookie (named after the slot and scoped to its
path): two applicants' links opened in one browser never mix. The cookie keeps only
the token's hash and is checked against the link on every request, so a link
regenerated, expired, cancelled or erased closes its pages at once; the token itself
keeps working until then, in another browser or device too.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_safe

from onboarding.actors import Actor
from onboarding.errors import LinkUnavailable
from onboarding.models import ApplicantStatus
from onboarding.services import applicant_open
from onboarding.services.links import hash_token, link_resolve, link_resolve_hashed
from portal.security import note_bad_token, origin_of, portal_csrf, portal_headers, too_many_bad_tokens

COOKIE_SALT = "threshold.portal.link"


def unavailable(request, status=404):
    """One plain page, with nothing about any session on it, for unknown, expired and revoked links."""
    return render(request, "portal/unavailable.html", {"rate_limited": status == 429}, status=status)


def link_slot(token_hash):
    """The link's token-free address part: stable for one link, meaningless without its cookie."""
    return salted_hmac(COOKIE_SALT, token_hash).hexdigest()[:24]


def _cookie_name(slot):
    return f"threshold_link_{slot}"


def _language(request, applicant):
    """The session's locale, unless the applicant picked another of the workflow's languages."""
    allowed = applicant.session.workflow_version.setting("locales")
    key = f"portal-language:{applicant.id}"
    chosen = request.GET.get("lang")
    if chosen in allowed:
        request.session[key] = chosen
    language = request.session.get(key) or applicant.session.locale
    return language if language in allowed else allowed[0]


@portal_headers
@require_safe
def enter(request, token):
    """Trade a link token for the link's cookie and send the browser to its token-free pages.

    Bad tokens count against the caller's address; past the limit every unknown
    token answers 429, so guessing is throttled, while a valid link opens even
    from an address that guessed.
    """
    try:
        applicant = link_resolve(token)
    except LinkUnavailable:
        if too_many_bad_tokens(request):
            return unavailable(request, status=429)
        note_bad_token(request)
        return unavailable(request)
    token_hash = hash_token(token)
    slot = link_slot(token_hash)
    target = reverse("portal:overview", kwargs={"slot": slot})
    language = request.GET.get("lang")
    response = redirect(f"{target}?{urlencode({'lang': language})}" if language else target)
    response.set_signed_cookie(
        _cookie_name(slot),
        token_hash,
        salt=COOKIE_SALT,
        max_age=max(0, int((applicant.link_expires_at - timezone.now()).total_seconds())),
        path=target,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _link_hash(request, slot):
    """The token hash this browser holds for the slot, if its cookie is genuine and belongs to the slot."""
    try:
        token_hash = request.get_signed_cookie(_cookie_name(slot), salt=COOKIE_SALT)
    except (KeyError, signing.BadSignature):
        return None
    return token_hash if link_slot(token_hash) == slot else None


def applicant_link(view):
    """Resolve the slot's cookie to its applicant (request.applicant, request.actor), or answer with the plain page."""

    @wraps(view)
    def resolved(request, slot, *args, **kwargs):
        try:
            applicant = link_resolve_hashed(_link_hash(request, slot))
        except LinkUnavailable:
            response = unavailable(request)
            response.delete_cookie(_cookie_name(slot), path=reverse("portal:overview", kwargs={"slot": slot}))
            return response
        actor = Actor.for_applicant(applicant)
        if applicant.status == ApplicantStatus.NOTIFIED:
            applicant_open(actor=actor, applicant_id=applicant.id)
            applicant.refresh_from_db(fields=["status"])
        request.applicant, request.actor, request.link_slot = applicant, actor, slot
        language = _language(request, applicant)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        redirect_origin = origin_of(applicant.session.redirect_url)
        request.portal_form_targets = [redirect_origin] if redirect_origin else []
        return view(request, *args, **kwargs)

    protected = portal_headers(portal_csrf(resolved))
    # The site-wide CSRF middleware steps aside: portal_csrf checks these views (see PortalCsrfMiddleware).
    protected.csrf_exempt = True
    return protected
