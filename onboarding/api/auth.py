"""Bearer authentication: an API key, or a short-lived token exchanged for one.

Tokens are signed (django.core.signing) and name the key they stand for, so
revoking the key also kills every token issued for it; nothing is stored.
"""

from django.conf import settings
from django.core import signing
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from onboarding.actors import Actor
from onboarding.models import ApiKey
from onboarding.services import api_key_authenticate

TOKEN_SALT = "threshold.api.token"
# Every token carries this prefix, so it is never mistaken for a key (keys start with "thr_").
TOKEN_PREFIX = "tok_"


def issue_token(api_key):
    """A bearer token for the key, valid settings.API_TOKEN_TTL."""
    return TOKEN_PREFIX + signing.dumps({"key": str(api_key.id)}, salt=TOKEN_SALT)


def token_key(token):
    """The active key a token names, or None (bad signature, expired, key revoked)."""
    try:
        payload = signing.loads(
            token[len(TOKEN_PREFIX) :], salt=TOKEN_SALT, max_age=settings.API_TOKEN_TTL.total_seconds()
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return ApiKey.objects.select_related("organization").filter(id=payload.get("key"), revoked_at=None).first()


def credential_key(credential):
    if credential.startswith(TOKEN_PREFIX):
        return token_key(credential)
    return api_key_authenticate(credential)


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <api key or token>`. request.auth is the ApiKey, request.user None."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: expected 'Bearer <key or token>'.")
        try:
            credential = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid API key or token.") from None
        key = credential_key(credential)
        if key is None:
            raise AuthenticationFailed("Invalid, expired or revoked API key or token.")
        actor = Actor.for_api_key(key)
        request.actor = actor
        # The Django request too, for code (rate limits, logging) that sees only it.
        request._request.actor = actor
        return (None, key)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return 'Bearer realm="api"'
