from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class HealthView(APIView):
    """Liveness for load balancers: answers without touching the database."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Liveness check", tags=["health"],
                   responses={200: inline_serializer("Health", {"status": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok"})
