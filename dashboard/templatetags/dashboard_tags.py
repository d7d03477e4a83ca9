from django import template

from dashboard.presenters import display

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
