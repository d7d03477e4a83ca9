"""`${block.field}` variables in fill_fields values, resolved from the applicant's data at signing time."""

import re

from onboarding.errors import ValidationFailed

VARIABLE = re.compile(r"\$\{([^}]*)\}")
VARIABLES = {
    "identity": ["first_name", "last_name", "birth_date", "birth_place", "nationality"],
    "address": ["line_1", "line_2", "zip_code", "city", "country"],
    "company": ["company_name", "registration_number", "country_code"],
    "bank_account": ["iban", "bic"],
    "applicant": ["email", "phone_number"],
    "session": ["reference_id", "name"],
    "signature": ["date"],
}
KNOWN = {f"{block}.{name}" for block, names in VARIABLES.items() for name in names}
MAX_VALUE_LENGTH = 500


def fill_fields_errors(fill_fields, path="fill_fields"):
    """{field path: [messages]} for malformed entries and unknown variables (empty when valid)."""
    if not isinstance(fill_fields, list):
        return {path: ["Must be a list of objects with field_id and value."]}
    errors = {}
    for index, item in enumerate(fill_fields):
        where = f"{path}[{index}]"
        if (
            not isinstance(item, dict)
            or set(item) - {"field_id", "value"}
            or not all(isinstance(item.get(k), str) and item.get(k) for k in ("field_id", "value"))
        ):
            errors[where] = ["Must be an object with a field_id and a non-empty value (text)."]
            continue
        if len(item["value"]) > MAX_VALUE_LENGTH:
            errors[f"{where}.value"] = [f"Must be at most {MAX_VALUE_LENGTH} characters."]
        unknown = sorted({v for v in VARIABLE.findall(item["value"]) if v not in KNOWN})
        if unknown:
            errors[f"{where}.value"] = [
                f"Unknown variable {', '.join('${' + v + '}' for v in unknown)}; known: "
                + ", ".join("${" + v + "}" for v in sorted(KNOWN))
                + "."
            ]
    return errors


def validate_fill_fields(fill_fields, path="fill_fields"):
    errors = fill_fields_errors(fill_fields, path)
    if errors:
        raise ValidationFailed(errors)
    return fill_fields


def context_for(applicant, session, signing_date):
    """The values variables stand for; missing data resolves to an empty string."""
    values = {}
    for block in ("identity", "address", "company", "bank_account"):
        data = getattr(applicant, block) or {}
        for name in VARIABLES[block]:
            values[f"{block}.{name}"] = data.get(name) or ""
    values.update(
        {
            "applicant.email": applicant.email,
            "applicant.phone_number": applicant.phone_number,
            "session.reference_id": session.reference_id,
            "session.name": session.name,
            "signature.date": signing_date.isoformat(),
        }
    )
    return {key: str(value) for key, value in values.items()}


def resolve(value, context):
    return VARIABLE.sub(lambda match: context.get(match.group(1), ""), value)
