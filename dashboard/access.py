"""Who is looking: the dashboard resolves the user's membership once per request.

Every view is wrapped by `dashboard_view`, which logs the user in, picks the
organization they work in (stored in the session when they belong to several),
enforces the role and turns domain errors into responses: another
organization's ids are simply not found.
"""

from functools import wraps
from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from onboarding.actors import Actor
from onboarding.errors import NotFound
from onboarding.models import Membership, Role

ORGANIZATION_KEY = "dashboard_organization_id"
# Each role can do everything the roles before it can.
ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.ADMIN: 2}
# Dashboard pages load only local assets and no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def current_membership(request):
    """The membership the user works under, or None when they must pick one."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    if len(memberships) == 1:
        return memberships[0]
    chosen = request.session.get(ORGANIZATION_KEY)
    return next((m for m in memberships if str(m.organization_id) == chosen), None)


def dashboard_view(role=Role.VIEWER):
    """Require a login and at least `role` in the current organization.

    Sets request.membership, request.organization and request.actor.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                if not Membership.objects.filter(user=request.user).exists():
                    return _refusal(request, 403, "You are not a member of any organization.")
                return redirect(f"{reverse('dashboard:organization')}?next={quote(request.get_full_path())}")
            request.membership = membership
            request.organization = membership.organization
            request.actor = Actor.for_user(request.user, membership.organization)
            if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                return _refusal(request, 403, f"This needs the {role} role; yours is {membership.role}.")
            try:
                response = view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return _refusal(request, 403, str(exc) or "You may not do this.")
            except (NotFound, Http404):
                # Another organization's objects look exactly like missing ones.
                return _refusal(request, 404, "Not found in this organization.")
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            return response

        wrapper.required_role = role
        return wrapper

    return decorator


def _refusal(request, status, message):
    response = render(request, "dashboard/refused.html", {"status": status, "message": message}, status=status)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def can_decide(request):
    return ROLE_RANK[request.membership.role] >= ROLE_RANK[Role.REVIEWER]


def is_admin(request):
    return request.membership.role == Role.ADMIN
