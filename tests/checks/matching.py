from onboarding.checks.names import compare_names
from onboarding.steps import DEFAULT_NAME_THRESHOLD


def names_match(a, b):
    """Whether the checks would take two person names for the same (the default threshold)."""
    return compare_names(a, b) >= DEFAULT_NAME_THRESHOLD
