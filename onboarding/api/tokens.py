"""POST /auth/token: exchange an API key for a bearer token valid 60 minutes."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from onboarding.api.auth import TOKEN_PREFIX, issue_token
from onboarding.api.base import ApiView
from onboarding.api.throttling import TokenRateThrottle
from onboarding.services import api_key_authenticate

TokenResponse = inline_serializer(
    "Token",
    {
        "access_token": serializers.CharField(),
        "token_type": serializers.CharField(),
        "expires_in": serializers.IntegerField(),
        "expires_at": serializers.DateTimeField(),
    },
)


class TokenView(ApiView):
    """Authenticates by itself (after the rate limit), so failed guesses count against the limit too."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]
    idempotent = False

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'

    @extend_schema(
        summary="Exchange an API key for a bearer token",
        description="Send the API key as `Authorization: Bearer <api key>`. Tokens cannot mint tokens.",
        request=None,
        responses={200: TokenResponse, 401: OpenApiResponse(description="Invalid or revoked key")},
        tags=["auth"],
    )
    def post(self, request):
        parts = get_authorization_header(request).split()
        credential = parts[1].decode("ascii", "replace") if len(parts) == 2 and parts[0].lower() == b"bearer" else ""
        key = api_key_authenticate(credential) if credential and not credential.startswith(TOKEN_PREFIX) else None
        if key is None:
            raise AuthenticationFailed("Send a valid, unrevoked API key as 'Authorization: Bearer <api key>'.")
        ttl = settings.API_TOKEN_TTL
        return Response(
            {
                "access_token": issue_token(key),
                "token_type": "Bearer",
                "expires_in": int(ttl.total_seconds()),
                "expires_at": timezone.now() + ttl,
            }
        )
