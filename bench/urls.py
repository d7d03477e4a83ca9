"""The application's URLs and the throughput ceiling: a one-row durable insert behind the same
bearer auth, scope and per-key rate limit as POST /sessions (onboarding.api.base.ApiView)."""

from django.db import transaction
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as application
from onboarding.api.base import ApiView
from onboarding.models import OutboxMessage


class OneRowInsert(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(exclude=True)
    def post(self, request):
        with transaction.atomic(durable=True):
            # Already dispatched: the sweeper leaves it alone.
            row = OutboxMessage.objects.create(
                organization_id=self.actor.organization_id,
                event_type="session.created",
                payload={},
                dispatched_at=timezone.now(),
            )
        return self.created({"id": str(row.id)})


urlpatterns = [path("bench/one-row-insert", OneRowInsert.as_view()), *application]
