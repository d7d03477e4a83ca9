from datetime import date

import pytest

from onboarding.checks import FAILED, PASSED, get_check
from onboarding.checks.form import run, validate_form_fields
from onboarding.steps import FORM_FIELD_TYPES

FIELDS = [
    {"id": "first_name", "type": "name", "required": True},
    {"id": "email", "type": "email", "required": True},
    {"id": "phone", "type": "phone", "default_region": "FR"},
    {"id": "birth_date", "type": "date"},
    {"id": "nationality", "type": "country"},
    {"id": "home", "type": "address"},
    {"id": "plan", "type": "select", "choices": ["basic", {"value": "pro", "label": "Pro"}]},
    {"id": "consent", "type": "checkbox", "required": True},
    {"id": "newsletter", "type": "checkbox"},
    {"id": "note", "type": "text", "max_length": 20},
]

GOOD = {
    "first_name": "  Anne-Marie   O'Brien ",
    "email": "Anne@Example.COM",
    "phone": "06 12 34 56 78",
    "birth_date": "12/03/1990",
    "nationality": "fr",
    "home": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
    "plan": "pro",
    "consent": "on",
    "newsletter": "false",
    "note": "",
    "unexpected": "ignored",
}


def field(field_id):
    return [f for f in FIELDS if f["id"] == field_id]


def test_every_field_type_of_the_workflow_builder_is_validated():
    assert {f["type"] for f in FIELDS} == FORM_FIELD_TYPES


def test_valid_values_come_back_in_canonical_form():
    cleaned, errors = validate_form_fields(FIELDS, GOOD)
    assert errors == {}
    assert cleaned == {
        "first_name": "Anne-Marie O'Brien",
        "email": "Anne@example.com",
        "phone": "+33612345678",
        "birth_date": "1990-03-12",
        "nationality": "FR",
        "home": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
        "plan": "pro",
        "consent": True,
        "newsletter": False,
    }


def test_missing_required_fields_are_named():
    _, errors = validate_form_fields(FIELDS, {})
    assert set(errors) == {"first_name", "email", "consent"}
    assert errors["email"] == ["This field is required."]


@pytest.mark.parametrize(
    "field_id, value",
    [
        ("first_name", "R2-D2"),
        ("first_name", "<script>"),
        ("email", "anne@"),
        ("email", "anne example.com"),
        ("phone", "12345"),
        ("phone", "+33 1"),
        ("birth_date", "31/02/1990"),
        ("birth_date", "yesterday"),
        ("birth_date", "12/03/1990 or so"),
        ("nationality", "XX"),
        ("nationality", "France"),
        ("plan", "gold"),
        ("consent", "maybe"),
        ("note", "x" * 21),
        ("home", "12 rue de la Paix"),
        ("first_name", {"nested": "value"}),
    ],
)
def test_invalid_value_is_refused_with_a_message(field_id, value):
    cleaned, errors = validate_form_fields(field(field_id), {field_id: value})
    assert field_id not in cleaned
    assert errors[field_id] and all(isinstance(message, str) for message in errors[field_id])


def test_phone_numbers_are_stored_in_e164():
    fields = [{"id": "phone", "type": "phone"}]
    assert validate_form_fields(fields, {"phone": "+49 30 901820"})[0] == {"phone": "+4930901820"}
    # Without a default region, a national number cannot be placed.
    assert "phone" in validate_form_fields(fields, {"phone": "06 12 34 56 78"})[1]


def test_dates_are_accepted_as_iso_or_date_objects():
    fields = field("birth_date")
    assert validate_form_fields(fields, {"birth_date": "1990-03-12"})[0] == {"birth_date": "1990-03-12"}
    assert validate_form_fields(fields, {"birth_date": date(1990, 3, 12)})[0] == {"birth_date": "1990-03-12"}
    assert validate_form_fields(fields, {"birth_date": "12 mars 1990"})[0] == {"birth_date": "1990-03-12"}


def test_address_errors_name_the_missing_parts():
    _, errors = validate_form_fields(field("home"), {"home": {"line_1": "12 rue X", "city": "Paris", "country": "ZZ"}})
    assert set(errors) == {"home.zip_code", "home.country"}


def test_required_consent_box_must_be_checked():
    _, errors = validate_form_fields(field("consent"), {"consent": False})
    assert errors == {"consent": ["This box must be checked to continue."]}


def test_select_keeps_the_declared_choice_value():
    fields = [{"id": "size", "type": "select", "choices": [1, 2, 3]}]
    assert validate_form_fields(fields, {"size": "2"})[0] == {"size": 2}


def test_form_is_the_registered_check():
    assert get_check("form") is run


def test_check_passes_with_cleaned_fields():
    result = run([], {"form": GOOD}, {"fields": FIELDS})
    assert result.result == PASSED
    assert result.fields["phone"] == "+33612345678"


def test_check_fails_with_the_field_errors():
    result = run([], {"form": {**GOOD, "email": "nope"}}, {"fields": FIELDS})
    assert result.result == FAILED
    assert result.reason_codes == ["form_invalid"]
    assert set(result.details["errors"]) == {"email"}
