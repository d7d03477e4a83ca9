"""Which rows an actor may touch: those of its organization; for an API key, those of its
environment; for an applicant's link, their own session (and the related parties' sessions
it started) and their own steps and files. Services, selectors and every interface read
through here."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from onboarding.audit import lock_organization
from onboarding.errors import NotFound
from onboarding.models import ActorType, Applicant, Document, Session, Verification, Workflow, WorkflowVersion


def scoped(model, actor):
    """The rows of `model` this actor may touch."""
    queryset = model.objects.filter(organization_id=actor.organization_id)
    if actor.environment and model in (Session, Workflow):
        queryset = queryset.filter(environment=actor.environment)
    elif actor.environment and model is WorkflowVersion:
        queryset = queryset.filter(workflow__environment=actor.environment)
    elif actor.environment and hasattr(model, "session"):
        queryset = queryset.filter(session__environment=actor.environment)
    if actor.type == ActorType.APPLICANT:
        queryset = _applicants_own(model, actor, queryset)
    return queryset


def _applicants_own(model, actor, queryset):
    # Subqueries, not joins: no duplicate rows, so the result can still be locked.
    own_session = Applicant.objects.filter(id=actor.id).values("session_id")
    if model is Applicant:
        return queryset.filter(id=actor.id)
    if model in (Verification, Document):
        return queryset.filter(applicant_id=actor.id)
    if model is Session:
        return queryset.filter(Q(id__in=own_session) | Q(parent_id__in=own_session))
    if hasattr(model, "session"):
        return queryset.filter(session_id__in=own_session)
    return queryset


def get_scoped(model, actor, obj_id, *, lock=False, related=(), **filters):
    """The row `obj_id` of `model` if this actor may touch it (NotFound otherwise); `related`: the
    relations to read with it (select_related), never locked with it."""
    queryset = scoped(model, actor).select_related(*related) if related else scoped(model, actor)
    if lock:
        lock_organization(actor.organization_id)
        # of=self: lock only this row, not the joined session used for scoping.
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(id=obj_id, **filters)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(f"{model.__name__} not found.") from None
