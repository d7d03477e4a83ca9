"""Small helpers shared by the dashboard's views."""

from django.contrib import messages
from django.contrib.auth import get_user_model

from onboarding.errors import InvalidTransition, ValidationFailed


def members_of(organization):
    return get_user_model().objects.filter(memberships__organization=organization).order_by("username")


def error_text(errors):
    return "; ".join(f"{key.replace('_', ' ')}: {' '.join(map(str, value))}" for key, value in errors.items())


def perform(request, action, success):
    """Run a service call; report its outcome as a message (`success`, or made from what the
    call returned when it is a function). True when it succeeded.

    Refusals of the domain (a bad value, a transition not allowed in the current
    status) become an error message on the page; NotFound goes on to be a 404.
    """
    try:
        result = action()
    except ValidationFailed as exc:
        messages.error(request, error_text(exc.errors))
        return False
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def form_errors(form):
    return error_text(dict(form.errors.items()))


def add_service_errors(form, errors):
    """Attach a service's per-field errors to the form's fields (unknown names go to the whole form)."""
    for key, value in errors.items():
        name = key if key in form.fields else None
        for message in value:
            form.add_error(name, message if name else f"{key}: {message}")
