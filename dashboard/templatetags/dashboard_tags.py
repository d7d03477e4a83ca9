from django import template
from django.utils.translation import get_language

from onboarding.comparisons import display
from onboarding.labels import field_label, reason_label, result_label, status_label
from onboarding.texts import text_in

register = template.Library()


@register.filter
def label(value):
    """A state or kind as reviewers read it, in their language: manual_review → Manual review."""
    return str(status_label(value or ""))


@register.filter
def show(value):
    """Any JSON value as one line of text (addresses in postal order)."""
    return display(value)


@register.filter
def text(value):
    """A workflow text (plain, or one value per language) in the reviewer's language."""
    return text_in(value, get_language() or "en")


@register.filter
def result(value):
    """A check result in the reader's language."""
    return result_label(value)


@register.filter
def reason(code):
    """A reason code as words (the code itself stays beside it in the page)."""
    return reason_label(code)


@register.filter
def field(name):
    return field_label(name)
