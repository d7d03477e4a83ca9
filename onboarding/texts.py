"""Texts a workflow gives its applicants (step titles, field labels and hints): a plain
string, the same in every language, or one value per language such as
{"en": "Your details", "de": "Ihre Angaben", "fr": "Vos informations"}
(onboarding.steps checks them when a workflow is saved)."""


def text_in(value, language):
    """The text in `language`, else in English, else in any language given ("" for none)."""
    if isinstance(value, dict):
        return value.get(language) or value.get("en") or next((v for v in value.values() if v), "")
    return value if isinstance(value, str) else ""
