"""Resolving an applicant link once per request, and the page every bad link gets."""

from functools import wraps

from django.shortcuts import render
from django.utils import translation

from onboarding.actors import Actor
from onboarding.errors import LinkUnavailable
from onboarding.models import ApplicantStatus
from onboarding.services import applicant_open, link_resolve
from portal.security import note_bad_token, origin_of, portal_csrf, portal_headers, too_many_bad_tokens


def unavailable(request, status=404):
    """One plain page, with nothing about any session on it, for unknown, expired and revoked links."""
    return render(request, "portal/unavailable.html", {"rate_limited": status == 429}, status=status)


def _language(request, applicant):
    """The session's locale, unless the applicant picked another of the workflow's languages."""
    allowed = applicant.session.workflow_version.setting("locales")
    key = f"portal-language:{applicant.id}"
    chosen = request.GET.get("lang")
    if chosen in allowed:
        request.session[key] = chosen
    language = request.session.get(key) or applicant.session.locale
    return language if language in allowed else allowed[0]


def applicant_link(view):
    """Resolve `token` to its applicant (request.applicant, request.actor), or answer with the plain page.

    Bad tokens count against the caller's address; past the limit every link
    answers 429, so guessing is throttled whatever the token.
    """

    @wraps(view)
    def resolved(request, token, *args, **kwargs):
        try:
            applicant = link_resolve(token)
        except LinkUnavailable:
            # Only bad tokens are limited: a valid link opens even from an address that guessed.
            if too_many_bad_tokens(request):
                return unavailable(request, status=429)
            note_bad_token(request)
            return unavailable(request)
        actor = Actor.for_applicant(applicant)
        if applicant.status == ApplicantStatus.NOTIFIED:
            applicant_open(actor=actor, applicant_id=applicant.id)
            applicant.refresh_from_db(fields=["status"])
        request.applicant, request.actor, request.token = applicant, actor, token
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
