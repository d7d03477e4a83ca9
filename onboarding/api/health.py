from django.core.cache import cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# Seconds the broker may take to accept a connection before it counts as down.
BROKER_TIMEOUT = 2


def cache_status():
    try:
        cache.set("threshold:health", 1, 10)
        return "ok" if cache.get("threshold:health") == 1 else "down"
    except Exception:  # whatever the cache backend raises, it is down for us
        return "down"


def broker_status():
    from config.celery import app

    if app.conf.task_always_eager:
        return "in_process"
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
        return "ok"
    except Exception:  # a refused, reset or timed-out connection all mean down
        return "down"


class HealthView(APIView):
    """Liveness for load balancers: answers without touching the database, and says whether the
    cache (rate limits) and the broker (task queue) answer. It stays 200 when they do not: web
    processes still take submissions then (the reconciler enqueues their work later), so a load
    balancer must not take them out of service; monitoring alerts on `degraded`."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Liveness check",
        tags=["health"],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.ChoiceField(["ok", "degraded"]),
                    "cache": serializers.ChoiceField(["ok", "down"]),
                    "broker": serializers.ChoiceField(["ok", "down", "in_process"]),
                },
            )
        },
    )
    def get(self, request):
        components = {"cache": cache_status(), "broker": broker_status()}
        status = "degraded" if "down" in components.values() else "ok"
        return Response({"status": status, **components})
