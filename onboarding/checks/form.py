"""Form step: submitted values checked against the step's field definitions.

``validate_form_fields`` is the one place the rules live; the portal (as the
applicant types), the API (prefilled ``input.form``) and the form check all call
it. A field definition is ``{"id", "type", "required", "label", "choices",
"max_length", "default_region"}`` with the types of ``onboarding.steps.FORM_FIELD_TYPES``.
"""

import re
import unicodedata
from datetime import date

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from onboarding.checks import FAILED, PASSED, CheckResult
from onboarding.checks.names import MONTHS, normalize, parse_date

DEFAULT_MAX_LENGTH = 500
NAME_MAX_LENGTH = 200
TRUE_WORDS = {"true", "1", "on", "yes", "y"}
FALSE_WORDS = {"false", "0", "off", "no", "n", ""}
# Letters in any script, with the separators real names use: "Anne-Marie", "O'Brien", "Jr.".
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?$")
ADDRESS_PARTS = ("line_1", "line_2", "zip_code", "city", "country")
REQUIRED_ADDRESS_PARTS = ("line_1", "zip_code", "city", "country")


class FieldError(ValueError):
    """A value the field refuses; ``messages`` maps sub-field names ("" for the field itself) to text."""

    def __init__(self, message="", messages=None):
        super().__init__(message)
        self.messages = messages or {"": message}


def _text(value, field, max_length=DEFAULT_MAX_LENGTH):
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise FieldError(_("Enter text."))
    text = " ".join(str(value).split())
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):  # NUL cannot even be stored
        raise FieldError(_("Enter text without control characters."))
    limit = field.get("max_length", max_length)
    if len(text) > limit:
        raise FieldError(_("Use at most %(limit)d characters.") % {"limit": limit})
    return text


def _name(value, field):
    text = _text(value, field, NAME_MAX_LENGTH)
    if not _NAME.match(text):
        raise FieldError(_("Enter a name using letters, spaces, hyphens and apostrophes."))
    return text


def _email(value, field):
    text = _text(value, field, 254)
    try:
        validate_email(text)
    except ValidationError:
        raise FieldError(_("Enter a valid email address.")) from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(value, field):
    text = _text(value, field, 40)
    try:
        number = phonenumbers.parse(text, field.get("default_region"))
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise FieldError(_("Enter a valid phone number with its country code, e.g. +33 6 12 34 56 78."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_DAY_OR_YEAR = re.compile(r"\d+(?:er|st|nd|rd|th)?")


def _date(value, field):
    if isinstance(value, date):  # also a datetime: keep the day only
        return value.strftime("%Y-%m-%d")
    text = _text(value, field, 40)
    # The whole value must be the date: "12/03/1990 or so" is not an answer.
    extra_words = [w for w in normalize(text).split() if not _DAY_OR_YEAR.fullmatch(w) and w not in MONTHS]
    parsed = None if extra_words else parse_date(text)
    if parsed is None:
        raise FieldError(_("Enter a valid date."))
    return parsed.isoformat()


def _country(value, field):
    code = _text(value, field, 2).upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise FieldError(_("Enter a two-letter ISO country code."))
    return code


def _address(value, field):
    if not isinstance(value, dict):
        raise FieldError(_("Enter an address."))
    cleaned, messages = {}, {}
    for part in ADDRESS_PARTS:
        raw = value.get(part)
        if _is_empty(raw):
            if part in REQUIRED_ADDRESS_PARTS:
                messages[part] = _("This field is required.")
            continue
        try:
            cleaned[part] = _country(raw, field) if part == "country" else _text(raw, {}, 200)
        except FieldError as exc:
            messages[part] = str(exc)
    if messages:
        raise FieldError(messages=messages)
    return cleaned


def _choice_values(field):
    return [c.get("value") if isinstance(c, dict) else c for c in field.get("choices") or []]


def _select(value, field):
    choices = _choice_values(field)
    match = next((choice for choice in choices if str(choice) == str(value)), None)
    if match is None:
        raise FieldError(_("Select one of the proposed choices."))
    return match


def _checkbox(value, field):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(_("Check or uncheck this box."))


CLEANERS = {
    "text": _text,
    "name": _name,
    "email": _email,
    "phone": _phone,
    "date": _date,
    "country": _country,
    "address": _address,
    "select": _select,
    "checkbox": _checkbox,
}


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value == {} or value == []


def validate_form_fields(fields_config, values):
    """Check submitted ``values`` (field id -> raw value) against the field definitions.

    Returns ``(cleaned, errors)``: cleaned values in canonical form (phone in E.164,
    dates and countries in ISO, checkboxes as booleans) for the fields that passed,
    and ``{field_id or "field_id.part": [message]}`` for those that did not. A
    required checkbox must be checked. Values for unknown ids are ignored, and
    empty optional fields are left out of ``cleaned``.
    """
    values = values or {}
    cleaned, errors = {}, {}
    for field in fields_config or []:
        field_id, field_type = field["id"], field.get("type", "text")
        value = values.get(field_id)
        required = field.get("required", False)
        if _is_empty(value):
            if required:
                errors[field_id] = [_("This field is required.")]
            continue
        try:
            result = CLEANERS[field_type](value, field)
        except FieldError as exc:
            for part, message in exc.messages.items():
                errors[f"{field_id}.{part}" if part else field_id] = [message]
            continue
        if field_type == "checkbox" and required and not result:
            errors[field_id] = [_("This box must be checked to continue.")]
            continue
        cleaned[field_id] = result
    return cleaned, errors


def run(documents, known, config):
    cleaned, errors = validate_form_fields(config.get("fields"), known.get("form"))
    if errors:
        return CheckResult(FAILED, fields=cleaned, reason_codes=["form_invalid"], details={"errors": errors})
    return CheckResult(PASSED, fields=cleaned)
