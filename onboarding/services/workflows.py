"""Workflows and their versions. A published version never changes."""

import uuid

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from onboarding import outbox
from onboarding.audit import record_event
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import Environment, Workflow, WorkflowVersion, Workspace
from onboarding.steps import DEFAULT_SETTINGS, merge_settings, normalize_settings, normalize_steps
from onboarding.tenancy import get_scoped, scoped

EDITABLE = ("name", "description", "custom_tags", "settings", "steps")


def _clean(fields, actor, environment):
    cleaned = dict(fields)
    if "name" in cleaned and not str(cleaned["name"] or "").strip():
        raise ValidationFailed({"name": ["This field may not be blank."]})
    if "steps" in cleaned:
        cleaned["steps"] = normalize_steps(cleaned["steps"])
        _check_party_workflows(cleaned["steps"], actor, environment)
    if "settings" in cleaned:
        cleaned["settings"] = normalize_settings(cleaned["settings"])
    tags = cleaned.get("custom_tags", [])
    if not isinstance(tags, list) or any(not isinstance(t, str) for t in tags):
        raise ValidationFailed({"custom_tags": ["Must be a list of strings."]})
    return cleaned


def _check_party_workflows(steps, actor, environment):
    """A related_parties step may only send parties through a workflow of the same
    organization and environment: checked when saved, not when an applicant adds a party."""
    for index, step in enumerate(steps):
        workflow_id = step["type"] == "related_parties" and step.get("config", {}).get("workflow_id")
        if (
            workflow_id
            and not scoped(Workflow, actor)
            .filter(id=_uuid_or_none(workflow_id), environment=environment, deleted_at__isnull=True)
            .exists()
        ):
            raise ValidationFailed({f"steps[{index}].config.workflow_id": ["No such workflow in this environment."]})


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@transaction.atomic
def workflow_create(
    *,
    actor,
    name,
    steps,
    description="",
    custom_tags=(),
    settings=None,
    workspace_id=None,
    publish=False,
    environment=None,
):
    # An API key's workflows belong to its environment; dashboard users configure live ones.
    environment = actor.environment or environment or Environment.LIVE
    if environment not in Environment.values:
        raise ValidationFailed({"environment": [f"Must be one of: {', '.join(Environment.values)}."]})
    cleaned = _clean(
        {
            "name": name,
            "steps": steps,
            "description": description,
            "custom_tags": list(custom_tags),
            "settings": settings or {},
        },
        actor,
        environment,
    )
    if not cleaned["steps"]:
        raise ValidationFailed({"steps": ["A workflow needs at least one step."]})
    workspace = get_scoped(Workspace, actor, workspace_id) if workspace_id else None
    workflow = Workflow.objects.create(
        organization_id=actor.organization_id, workspace=workspace, name=name, environment=environment
    )
    version = WorkflowVersion.objects.create(
        organization_id=actor.organization_id,
        workflow=workflow,
        number=1,
        published_at=timezone.now() if publish else None,
        **cleaned,
    )
    record_event(actor=actor, action="workflow.created", obj=workflow, data={"version": version.number})
    if publish:
        record_event(actor=actor, action="workflow.published", obj=workflow, data={"version": 1})
    return workflow


def latest_version(workflow):
    return workflow.versions.order_by("-number").first()


def published_version(workflow):
    return workflow.versions.filter(published_at__isnull=False).order_by("-number").first()


def workflow_to_run(actor, workflow_id, *, subscriptions=False):
    """The workflow a new session would run (NotFound if the actor cannot see it) with its latest
    published version (None before the first publication), read in one query when there is one.

    `subscriptions`: the version carries, in `webhook_subscriptions`, the webhook subscriptions of
    the workflow's environment, read in the same query where the database allows
    (onboarding.outbox.subscriptions_read_with; None otherwise), for the session it will run.

    Plain SQL: every creation reads it, and Django's building of the statement (two models
    joined, an annotation, an order) cost three times the statement's run, about 1 ms of CPU
    out of 1.5. The rows are tenancy.scoped(WorkflowVersion, actor)'s: the actor's
    organization's, and its environment's for an actor bound to one."""
    connection = transaction.get_connection()
    uuid_value = Workflow._meta.pk.get_db_prep_value
    read_with = outbox.subscriptions_read_with(actor.organization_id, "w.environment") if subscriptions else None
    select = [_columns(WorkflowVersion, "v", connection), _columns(Workflow, "w", connection)]
    params = []
    if read_with is not None:
        select.append(read_with.sql)
        params += read_with.params
    where = "v.organization_id = %s AND v.workflow_id = %s AND v.published_at IS NOT NULL AND w.deleted_at IS NULL"
    params += [uuid_value(actor.organization_id, connection), uuid_value(workflow_id, connection)]
    if actor.environment:
        where += " AND w.environment = %s"
        params.append(actor.environment)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(select)} FROM {WorkflowVersion._meta.db_table} v "
            f"JOIN {Workflow._meta.db_table} w ON w.id = v.workflow_id WHERE {where} ORDER BY v.number DESC LIMIT 1",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return get_scoped(Workflow, actor, workflow_id, deleted_at__isnull=True), None
    row = list(row)
    version = _model_from_row(WorkflowVersion, "v", row, connection)
    version.workflow = _model_from_row(Workflow, "w", row, connection)
    if read_with is not None:
        version.webhook_subscriptions = _converted(read_with, row.pop(0), connection)
    return version.workflow, version


def _columns(model, alias, connection):
    return ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field in model._meta.concrete_fields)


def _model_from_row(model, alias, row, connection):
    """The `model` instance whose columns (_columns) open `row`, taken off it, as Django would load it."""
    fields = model._meta.concrete_fields
    values = [_converted(field.get_col(alias), row.pop(0), connection) for field in fields]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def _converted(expression, value, connection):
    """A column's value as a query of Django's would give it (JSON decoded, times made aware)."""
    for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value


@transaction.atomic
def workflow_update(*, actor, workflow_id, **changes):
    """Edit the draft; editing a published workflow starts version N+1 from it.

    `settings` changes only the settings it names (see merge_settings): a partial
    object never resets the others. Changes equal to what the latest version holds
    are no change at all: no new version, no event.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed({key: ["Unknown field."] for key in sorted(unknown)})
    workflow = get_scoped(Workflow, actor, workflow_id, lock=True, deleted_at__isnull=True)
    version = latest_version(workflow)
    if "settings" in changes:
        changes = {**changes, "settings": merge_settings(version.settings, changes["settings"])}
    cleaned = _clean(changes, actor, workflow.environment)
    if "steps" in cleaned and not cleaned["steps"]:
        raise ValidationFailed({"steps": ["A workflow needs at least one step."]})
    if _unchanged(version, cleaned):
        return workflow
    if version.is_published:
        number = workflow.versions.aggregate(n=Max("number"))["n"] + 1
        version = WorkflowVersion(
            organization_id=workflow.organization_id,
            workflow=workflow,
            number=number,
            **{field: getattr(version, field) for field in EDITABLE},
        )
    for field, value in cleaned.items():
        setattr(version, field, value)
    version.save()
    if "name" in cleaned:
        workflow.name = cleaned["name"]
        workflow.save(update_fields=["name", "updated_at"])
    record_event(
        actor=actor,
        action="workflow.updated",
        obj=workflow,
        data={"version": version.number, "fields": sorted(cleaned)},
    )
    return workflow


def _unchanged(version, cleaned):
    def same(field, value):
        if field == "settings":
            return {**DEFAULT_SETTINGS, **value} == {**DEFAULT_SETTINGS, **version.settings}
        return value == getattr(version, field)

    return all(same(field, value) for field, value in cleaned.items())


@transaction.atomic
def workflow_publish(*, actor, workflow_id):
    workflow = get_scoped(Workflow, actor, workflow_id, lock=True, deleted_at__isnull=True)
    version = latest_version(workflow)
    if version.is_published:
        raise InvalidTransition("workflow", f"published as version {version.number}", "publish")
    version.published_at = timezone.now()
    version.save(update_fields=["published_at", "updated_at"])
    record_event(actor=actor, action="workflow.published", obj=workflow, data={"version": version.number})
    return version


@transaction.atomic(durable=True)
def workflow_save(*, actor, workflow_id=None, publish=False, **fields):
    """An editor's save, all or nothing: create the workflow (workflow_id None) or update it (no new
    version when nothing changed), then publish it if asked; returns the workflow."""
    if workflow_id is None:
        return workflow_create(actor=actor, **fields, publish=publish)
    workflow_update(actor=actor, workflow_id=workflow_id, **fields)
    if publish:
        workflow_publish(actor=actor, workflow_id=workflow_id)
    return get_scoped(Workflow, actor, workflow_id)


@transaction.atomic(durable=True)
def workflow_delete(*, actor, workflow_id):
    """Archive: sessions keep their pinned version; no new session can start on it."""
    workflow = get_scoped(Workflow, actor, workflow_id, lock=True, deleted_at__isnull=True)
    workflow.deleted_at = timezone.now()
    workflow.save(update_fields=["deleted_at", "updated_at"])
    record_event(actor=actor, action="workflow.deleted", obj=workflow)
