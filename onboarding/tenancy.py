"""Which rows an actor may touch: those of its organization, and for an API key those of
its environment. Services, selectors and every interface read through here."""

from django.core.exceptions import ObjectDoesNotExist

from onboarding.errors import NotFound
from onboarding.models import Session, Workflow


def scoped(model, actor):
    """The rows of `model` this actor may touch: its organization, and its environment for API keys."""
    queryset = model.objects.filter(organization_id=actor.organization_id)
    if actor.environment and model in (Session, Workflow):
        queryset = queryset.filter(environment=actor.environment)
    elif actor.environment and hasattr(model, "session"):
        queryset = queryset.filter(session__environment=actor.environment)
    return queryset


def get_scoped(model, actor, obj_id, *, lock=False, **filters):
    queryset = scoped(model, actor)
    if lock:
        # of=self: lock only this row, not the joined session used for scoping.
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(id=obj_id, **filters)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(f"{model.__name__} not found.") from None
