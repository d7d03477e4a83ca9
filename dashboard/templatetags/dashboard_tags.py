from django import template

register = template.Library()


@register.filter
def label(value):
    """A machine name as reviewers read it: manual_review → Manual review."""
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]
