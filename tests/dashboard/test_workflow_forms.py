"""The builder's text syntax for form fields and signature fields reads back what it writes."""

import pytest
from django import forms

from dashboard.workflow_forms import StepForm, format_form_fields, parse_form_fields


def test_form_fields_round_trip():
    specs = [
        {"id": "email", "type": "email", "required": True},
        {"id": "plan", "type": "select", "required": False, "choices": ["basic", "pro"], "label": "Your plan"},
    ]
    assert parse_form_fields(format_form_fields(specs)) == specs


def test_unreadable_line_names_itself():
    with pytest.raises(forms.ValidationError, match="'email'"):
        parse_form_fields("email")


def test_signature_step_settings_become_config():
    form = StepForm(
        {
            "s-type": "signature",
            "s-required": "on",
            "s-sign_fields": "sig1 signer\nsig2 witness",
            "s-fill_fields": "name=${identity.last_name}",
        },
        prefix="s",
    )
    assert form.is_valid(), form.errors
    assert form.to_step()["config"] == {
        "sign_fields": [{"field_id": "sig1", "actor_id": "signer"}, {"field_id": "sig2", "actor_id": "witness"}],
        "fill_fields": [{"field_id": "name", "value": "${identity.last_name}"}],
    }
    again = StepForm(prefix="s", initial=StepForm.initial_for({"id": "sign", **form.to_step()}, 1))
    assert again["sign_fields"].value() == "sig1 signer\nsig2 witness"


def test_bank_step_keeps_typed_iban_default_unwritten():
    form = StepForm({"b-type": "bank_account", "b-allow_typed_iban": "on"}, prefix="b")
    assert form.is_valid()
    assert form.to_step()["config"] == {}
    form = StepForm({"b-type": "bank_account"}, prefix="b")
    assert form.is_valid()
    assert form.to_step()["config"] == {"allow_typed_iban": False}


def test_texts_in_several_languages_round_trip():
    specs = [
        {
            "id": "email",
            "type": "email",
            "required": True,
            "label": {"en": "Email", "de": "E-Mail-Adresse", "fr": "Adresse e-mail"},
        }
    ]
    assert parse_form_fields(format_form_fields(specs)) == specs
    step = {
        "id": "details",
        "type": "form",
        "title": {"en": "Your details", "fr": "Vos informations"},
        "config": {"fields": specs},
    }
    initial = StepForm.initial_for(step, 1)
    assert (initial["title"], initial["title_de"], initial["title_fr"]) == ("Your details", "", "Vos informations")
    form = StepForm({f"s-{key}": value for key, value in {**initial, "required": "on"}.items()}, prefix="s")
    assert form.is_valid(), form.errors
    assert form.to_step()["title"] == {"en": "Your details", "fr": "Vos informations"}
    # A title in one language stays the plain string it always was.
    form = StepForm({"s-type": "selfie", "s-title": "Your face", "s-required": "on"}, prefix="s")
    assert form.is_valid() and form.to_step()["title"] == "Your face"
