"""The step-type registry is complete: every registered type can be shown to the applicant, edited and
reviewed in the dashboard, prefilled through the API, and checked."""

import importlib.util

import pytest

from dashboard.workflow_forms import TYPE_FIELDS, StepForm
from onboarding.api.input_schema import FIELD_TYPES
from onboarding.steps import STEP_TYPES
from portal.step_context import BUILDERS
from portal.views import HANDLERS


@pytest.mark.parametrize("name", sorted(STEP_TYPES))
def test_every_step_type_has_a_page_an_editor_an_input_schema_and_a_check(name):
    step_type = STEP_TYPES[name]
    assert name in HANDLERS and name in BUILDERS  # the portal takes it in and shows it
    assert name in TYPE_FIELDS and all(field in StepForm.base_fields for field in TYPE_FIELDS[name])
    assert name in dict(StepForm.base_fields["type"].choices)
    assert all(block in FIELD_TYPES or block == "form" for block in step_type.input_blocks)
    assert importlib.util.find_spec(step_type.check_module) is not None
    assert str(step_type.label)


def test_nothing_is_handled_that_is_not_registered():
    assert set(HANDLERS) == set(BUILDERS) == set(TYPE_FIELDS) == set(STEP_TYPES)
