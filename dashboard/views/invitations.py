"""Accepting an invitation to an organization: the invitee is not logged in yet.

The emailed link carries its token in the query string (which access logs leave out);
the first request trades it for the session and redirects to a token-free page, so the
address bar, history and later requests never hold it.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dashboard.access import CONTENT_SECURITY_POLICY, ORGANIZATION_KEY
from dashboard.forms import SignUpForm
from dashboard.views.common import add_service_errors
from onboarding import services
from onboarding.errors import InvitationUnavailable, ValidationFailed
from onboarding.services.invitations import invitation_open
from onboarding.services.links import hash_token

INVITATION_KEY = "dashboard_invitation"


def _page(request, context, status=200):
    response = render(request, "dashboard/invitation.html", context, status=status)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def invitation(request):
    token = request.GET.get("token")
    if token:
        request.session[INVITATION_KEY] = hash_token(token[:200])
        return redirect("dashboard:invitation")
    token_hash = request.session.get(INVITATION_KEY)
    try:
        invitation = invitation_open(token_hash)
    except InvitationUnavailable:
        # Unknown, used, revoked, expired or altered: one plain page that names nothing.
        request.session.pop(INVITATION_KEY, None)
        return _page(request, {"unavailable": True}, status=404)
    form = SignUpForm(request.POST if request.method == "POST" and not request.user.is_authenticated else None)
    if request.method == "POST" and (request.user.is_authenticated or form.is_valid()):
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token_hash=token_hash, user=request.user)
            else:
                data = form.cleaned_data
                membership = services.invitation_sign_up(
                    token_hash=token_hash, username=data["username"], password=data["password"]
                )
                login(request, membership.user)
        except InvitationUnavailable:
            request.session.pop(INVITATION_KEY, None)
            return _page(request, {"unavailable": True}, status=404)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors)
        else:
            request.session.pop(INVITATION_KEY, None)
            request.session[ORGANIZATION_KEY] = str(membership.organization_id)
            messages.success(request, f"You are now {membership.role} in {membership.organization.name}.")
            return redirect("dashboard:inbox")
    return _page(request, {"invitation": invitation, "form": form})
