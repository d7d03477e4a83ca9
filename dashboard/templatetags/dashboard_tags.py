from django import template

from dashboard.presenters import display
from onboarding.texts import text_in

register = template.Library()


@register.filter
def label(value):
    """A machine name as reviewers read it: manual_review → Manual review."""
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def show(value):
    """Any JSON value as one line of text (addresses in postal order)."""
    return display(value)


@register.filter
def text(value):
    """A workflow text (plain, or one value per language) as the English dashboard shows it."""
    return text_in(value, "en")
