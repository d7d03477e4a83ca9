"""Scopes per endpoint: a view declares `required_scopes`, the key must hold the scope."""

from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission


class MissingScope(PermissionDenied):
    def __init__(self, scope):
        self.scope = scope
        super().__init__(f"This API key lacks the scope {scope!r}.", code="missing_scope")


def required_scope(view, request):
    """The scope this request needs: `required_scopes` is {METHOD: scope} or a callable(request) -> scope."""
    required = getattr(view, "required_scopes", None)
    if callable(required):
        return required(request)
    if required is None:
        # A view that forgot to declare its scopes stays closed rather than open.
        raise PermissionDenied("This endpoint declares no scope.")
    method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
    if method in required:
        return required[method]
    if hasattr(view, request.method.lower()):
        raise PermissionDenied(f"This endpoint declares no scope for {method}.")
    return None  # not implemented: the view answers 405


class ScopePermission(BasePermission):
    """401 without a valid key; 403 naming the missing scope."""

    def has_permission(self, request, view):
        if request.auth is None:
            raise NotAuthenticated("Send 'Authorization: Bearer <api key or token>'.")
        scope = required_scope(view, request)
        if scope is not None and scope not in request.auth.scopes:
            raise MissingScope(scope)
        return True
