"""What a step page's template needs to draw its controls: one small dict per
field with its name, label, value, hint and the errors tied to it."""

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onboarding.checks.form import ADDRESS_PARTS, REQUIRED_ADDRESS_PARTS
from portal.labels import localized

INPUT_TYPES = {"email": "email", "phone": "tel", "date": "date"}
AUTOCOMPLETE = {
    "email": "email",
    "phone": "tel",
    "first_name": "given-name",
    "last_name": "family-name",
    "birth_date": "bday",
    "line_1": "address-line1",
    "line_2": "address-line2",
    "zip_code": "postal-code",
    "city": "address-level2",
    "country": "country",
}
IMAGE_ACCEPT = "image/jpeg,image/png,image/heic,image/heif"
DOCUMENT_ACCEPT = f"{IMAGE_ACCEPT},application/pdf"


def address_part_labels():
    return {
        "line_1": _("Street and number"),
        "line_2": _("Address line 2"),
        "zip_code": _("Postcode"),
        "city": _("City"),
        "country": _("Country"),
    }


@lru_cache(maxsize=8)
def _countries(language):
    try:
        names = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        names = str
    return sorted(((c.alpha_2, names(c.name)) for c in pycountry.countries), key=lambda pair: pair[1])


def country_choices():
    return _countries(get_language() or "en")


def control(
    name,
    label,
    *,
    kind="text",
    value="",
    errors=None,
    required=False,
    hint="",
    choices=None,
    autocomplete="",
    max_length=None,
    alternative=False,
):
    """`alternative`: one of several controls of which one must be filled, so neither reads "(optional)"."""
    errors = errors or []
    dom_id = "f-" + name.replace(".", "-").replace("_", "-")
    described = [f"{dom_id}-hint"] if hint else []
    described += [f"{dom_id}-error"] if errors else []
    return {
        "name": name,
        "id": dom_id,
        "label": label,
        "kind": kind,
        "value": value,
        "errors": errors,
        "required": required,
        "hint": hint,
        "choices": choices or [],
        "autocomplete": autocomplete,
        "max_length": max_length,
        "described_by": " ".join(described),
        "alternative": alternative,
    }


def _choices(spec):
    result = []
    for choice in spec.get("choices") or []:
        if isinstance(choice, dict):
            result.append((str(choice.get("value")), localized(choice.get("label")) or str(choice.get("value"))))
        else:
            result.append((str(choice), str(choice)))
    return result


def _default_label(field_id):
    return field_id.replace("_", " ").capitalize()


def form_controls(fields, values, errors, highlighted=()):
    """Controls for a form step's fields; an address field becomes a group of parts."""
    result = []
    for spec in fields:
        field_id, field_type = spec["id"], spec.get("type", "text")
        label = localized(spec.get("label")) or _default_label(field_id)
        value = values.get(field_id, "")
        common = {"required": spec.get("required", False), "hint": localized(spec.get("hint"))}
        if field_id in highlighted and not common["hint"]:
            common["hint"] = _("Please check this field.")
        if field_type == "address":
            value = value if isinstance(value, dict) else {}
            parts = [
                control(
                    f"{field_id}.{part}",
                    text,
                    kind="country" if part == "country" else "text",
                    value=value.get(part, ""),
                    errors=errors.get(f"{field_id}.{part}"),
                    required=common["required"] and part in REQUIRED_ADDRESS_PARTS,
                    choices=country_choices() if part == "country" else None,
                    autocomplete=AUTOCOMPLETE.get(part, ""),
                )
                for part, text in address_part_labels().items()
                if part in ADDRESS_PARTS
            ]
            group = control(field_id, label, kind="address", errors=errors.get(field_id), **common)
            group["parts"] = parts
            result.append(group)
            continue
        kind = {"select": "select", "country": "country", "checkbox": "checkbox"}.get(
            field_type, INPUT_TYPES.get(field_type, "text")
        )
        choices = country_choices() if field_type == "country" else _choices(spec)
        if field_type == "phone" and not common["hint"]:
            common["hint"] = _("With the country code, e.g. +33 6 12 34 56 78.")
        autocomplete = AUTOCOMPLETE.get(field_id, AUTOCOMPLETE.get(field_type, ""))
        result.append(
            control(
                field_id,
                label,
                kind=kind,
                value=value,
                errors=errors.get(field_id),
                choices=choices,
                autocomplete=autocomplete,
                max_length=spec.get("max_length"),
                **common,
            )
        )
    return result


def form_values(post, fields):
    """The raw values of a form step from POST data, shaped as validate_form_fields reads them."""
    values = {}
    for spec in fields:
        field_id, field_type = spec["id"], spec.get("type", "text")
        if field_type == "address":
            # Only the parts filled in: an optional address left blank is then empty, not incomplete.
            parts = {part: post.get(f"{field_id}.{part}", "").strip() for part in ADDRESS_PARTS}
            values[field_id] = {part: value for part, value in parts.items() if value}
        elif field_type == "checkbox":
            values[field_id] = field_id in post
        else:
            values[field_id] = post.get(field_id, "")
    return values


def file_control(name, label, *, errors=None, photo=False, capture="", hint="", current=None):
    """A file input. With `capture` phones open the camera at once ("user": the front one);
    without it (steps that take PDFs too) they offer the camera and the files alike."""
    item = control(name, label, kind="file", errors=errors, hint=hint)
    item.update(accept=IMAGE_ACCEPT if photo else DOCUMENT_ACCEPT, capture=capture, current=current)
    return item
