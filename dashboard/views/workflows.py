"""Workflow builder: list, create and edit workflows and their steps, publish, sessions per version."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import dashboard_view, is_admin
from dashboard.views.common import perform
from dashboard.workflow_forms import StepForm, WorkflowForm, place_errors
from onboarding import services
from onboarding.errors import InvalidTransition, ValidationFailed
from onboarding.models import Role, Session, Workflow, WorkflowVersion
from onboarding.services.workflows import latest_version
from onboarding.tenancy import scoped

STEP_PREFIX = re.compile(r"^(step|new)-\d{1,3}$")
MAX_STEPS = 50


def _workflows(request):
    return scoped(Workflow, request.actor).filter(deleted_at__isnull=True)


def _workflow(request, workflow_id):
    workflow = _workflows(request).filter(id=workflow_id).first()
    if workflow is None:
        raise Http404("Workflow not found.")
    return workflow


@dashboard_view()
def workflow_list(request):
    workflows = list(_workflows(request).order_by("name"))
    versions = WorkflowVersion.objects.filter(workflow__in=workflows).annotate(session_count=Count("sessions"))
    by_workflow = {}
    for version in versions.order_by("-number"):
        by_workflow.setdefault(version.workflow_id, []).append(version)
    rows = [(w, by_workflow.get(w.id, [])) for w in workflows]
    return render(request, "dashboard/workflows.html", {"rows": rows, "can_edit": is_admin(request)})


def _step_forms(request, workflows, steps=None):
    """Bound step forms from the POST (each form names its prefix in `steps`), or unbound ones from `steps`."""
    if steps is not None:
        return [
            StepForm(prefix=f"step-{i}", initial=StepForm.initial_for(step, i + 1), workflows=workflows)
            for i, step in enumerate(steps)
        ]
    prefixes = [p for p in request.POST.getlist("steps") if STEP_PREFIX.match(p)][:MAX_STEPS]
    return [StepForm(request.POST, prefix=prefix, workflows=workflows) for prefix in dict.fromkeys(prefixes)]


def _editor(request, workflow=None):
    # Parties go through a workflow of the same environment (new workflows are live).
    environment = workflow.environment if workflow else "live"
    workflows = _workflows(request).filter(environment=environment).exclude(id=getattr(workflow, "id", None))
    workflows = workflows.order_by("name")
    version = latest_version(workflow) if workflow else None
    if request.method == "POST":
        workflow_form = WorkflowForm(request.POST)
        step_forms = _step_forms(request, workflows)
        valid = workflow_form.is_valid() & all([f.is_valid() for f in step_forms])  # noqa: C419 every form validates, to show every error
        kept = sorted(
            (f for f in step_forms if not (f.is_valid() and f.cleaned_data["delete"])),
            key=lambda f: (f.cleaned_data.get("order") or 0) if f.is_valid() else 0,
        )
        if "add_step" in request.POST:
            # Unsaved until the next save: the editor shows the new step's form under a fresh prefix.
            serial = 1 + max((int(f.prefix.rsplit("-", 1)[1]) for f in step_forms), default=0)
            kept.append(
                StepForm(
                    prefix=f"new-{serial}",
                    workflows=workflows,
                    initial={"type": request.POST.get("new_type", "form"), "required": True, "order": len(kept) + 1},
                )
            )
            return _render_editor(request, workflow, version, workflow_form, kept)
        if valid:
            fields = {**workflow_form.to_fields(), "steps": [f.to_step() for f in kept]}
            try:
                workflow = services.workflow_save(
                    actor=request.actor,
                    workflow_id=workflow.id if workflow else None,
                    publish="publish" in request.POST,
                    **fields,
                )
            except ValidationFailed as exc:
                place_errors(exc.errors, workflow_form, kept)
            except InvalidTransition as exc:
                workflow_form.add_error(None, str(exc))
            else:
                messages.success(request, "Workflow published." if "publish" in request.POST else "Workflow saved.")
                return redirect("dashboard:workflow_edit", workflow.id)
        messages.error(request, "The workflow was not saved: see the marked fields.")
        return _render_editor(request, workflow, version, workflow_form, kept, status=400)
    if version is None:
        workflow_form = WorkflowForm()
        steps = []
    else:
        workflow_form = WorkflowForm(initial=WorkflowForm.initial_for(version))
        steps = version.steps
    return _render_editor(request, workflow, version, workflow_form, _step_forms(request, workflows, steps))


def _render_editor(request, workflow, version, workflow_form, step_forms, status=200):
    sessions_per_version = []
    if workflow is not None:
        sessions_per_version = (
            WorkflowVersion.objects.filter(workflow=workflow)
            .annotate(session_count=Count("sessions"))
            .order_by("-number")
        )
    return render(
        request,
        "dashboard/workflow_edit.html",
        {
            "workflow": workflow,
            "version": version,
            "form": workflow_form,
            "step_forms": step_forms,
            "versions": sessions_per_version,
            "can_edit": is_admin(request),
            "step_types": StepForm.base_fields["type"].choices,
        },
        status=status,
    )


@dashboard_view(role=Role.ADMIN)
def workflow_create(request):
    return _editor(request)


@dashboard_view()
def workflow_edit(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    if request.method == "POST" and not is_admin(request):
        raise PermissionDenied("Only admins edit workflows.")
    return _editor(request, workflow)


@dashboard_view(role=Role.ADMIN)
@require_POST
def workflow_publish(request, workflow_id):
    workflow = _workflow(request, workflow_id)
    perform(
        request,
        lambda: services.workflow_publish(actor=request.actor, workflow_id=workflow.id),
        "New version published.",
    )
    return redirect("dashboard:workflow_edit", workflow.id)


@dashboard_view(role=Role.ADMIN)
@require_POST
def workflow_archive(request, workflow_id):
    """No new session starts on an archived workflow; its sessions keep their version."""
    workflow = _workflow(request, workflow_id)
    if perform(
        request,
        lambda: services.workflow_delete(actor=request.actor, workflow_id=workflow.id),
        f"Workflow {workflow.name} archived.",
    ):
        return redirect("dashboard:workflows")
    return redirect("dashboard:workflow_edit", workflow.id)


@dashboard_view()
def workflow_version_sessions(request, workflow_id, number):
    """The sessions pinned to one version of a workflow."""
    workflow = _workflow(request, workflow_id)
    version = WorkflowVersion.objects.filter(workflow=workflow, number=number).first()
    if version is None:
        raise Http404("Version not found.")
    sessions = (
        scoped(Session, request.actor)
        .filter(workflow_version=version)
        .select_related("assigned_to")
        .order_by("-created_at")[:200]
    )
    return render(
        request, "dashboard/workflow_sessions.html", {"workflow": workflow, "version": version, "sessions": sessions}
    )
