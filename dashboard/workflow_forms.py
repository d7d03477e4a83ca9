"""The workflow builder's forms: a workflow's name and settings, and one form per step.

Each step type's configuration is a set of ordinary form fields; `to_step`
turns a step form into the step dict onboarding.steps validates, and
`place_errors` puts the errors it reports back on the field they concern.
"""

import re

from django import forms

from onboarding.steps import (
    ANALYSIS_DOCUMENT_TYPES,
    BOTH,
    DEFAULT_SETTINGS,
    FORM_FIELD_TYPES,
    IDENTITY_DOCUMENT_TYPES,
    LEGAL,
    LOCALES,
    NATURAL,
    PROOF_OF_ADDRESS_TYPES,
    RELATED_PARTY_ROLES,
    STEP_TYPES,
)

# Config fields of each step type (the names of StepForm fields, equal to the config keys).
TYPE_FIELDS = {
    "form": ["form_fields"],
    "identity_document": ["identity_document_types", "require_back", "min_age"],
    "selfie": [],
    "proof_of_address": ["address_document_types", "max_age_months"],
    "bank_account": ["allow_typed_iban", "require_document"],
    "company_registry": ["require_certificate", "countries"],
    "document_analysis": ["document_type"],
    "signature": ["sign_fields", "fill_fields"],
    "related_parties": ["roles", "max_parties", "workflow_id"],
}
# Form fields whose config key differs from the form field's name.
CONFIG_KEYS = {
    "form_fields": "fields",
    "identity_document_types": "document_types",
    "address_document_types": "document_types",
}
# Defaults of the boolean step settings, as the checks apply them when the setting is absent.
BOOLEAN_DEFAULTS = {
    key: value
    for step_type in STEP_TYPES.values()
    for key, value in step_type.default_config.items()
    if isinstance(value, bool)
}
FIELD_LINE = re.compile(r"^(?P<id>[\w-]+)\s+(?P<type>\w+)(?P<rest>.*)$")

DECISION_THRESHOLDS = DEFAULT_SETTINGS["decision_thresholds"]


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_form_fields(text):
    """`id type [required] [choices=a|b|c] [label=Some label] [label.de=…] [label.fr=…]` per line → field specs."""
    specs = []
    for line in _lines(text):
        match = FIELD_LINE.match(line)
        if not match:
            raise forms.ValidationError(f"Cannot read {line!r}: write “id type [required] [choices=a|b]”.")
        spec = {"id": match["id"], "type": match["type"], "required": False}
        rest = match["rest"]
        labels = {}
        for label in re.finditer(r"label(?:\.(?P<lang>[a-z]{2}))?=(?P<text>.+?)(?=\s+[\w.]+=|$)", rest):
            labels[label["lang"] or "en"] = label["text"].strip()
            rest = rest.replace(label.group(0), "")
        if labels:
            spec["label"] = labels["en"] if list(labels) == ["en"] else labels
        for word in rest.split():
            if word == "required":
                spec["required"] = True
            elif word.startswith("choices="):
                spec["choices"] = [c for c in word[len("choices=") :].split("|") if c]
        specs.append(spec)
    return specs


def format_form_fields(specs):
    lines = []
    for spec in specs or []:
        words = [spec.get("id", ""), spec.get("type", "")]
        if spec.get("required"):
            words.append("required")
        if spec.get("choices"):
            words.append(
                "choices=" + "|".join(str(c.get("value") if isinstance(c, dict) else c) for c in spec["choices"])
            )
        label = spec.get("label")
        for language, text in label.items() if isinstance(label, dict) else [("en", label)]:
            if text:
                words.append(f"label={text}" if language == "en" else f"label.{language}={text}")
        lines.append(" ".join(words))
    return "\n".join(lines)


def _pairs(text, separator, keys):
    pairs = []
    for line in _lines(text):
        if separator not in line:
            raise forms.ValidationError(f"Cannot read {line!r}: write “{keys[0]}{separator}{keys[1]}”.")
        left, right = (part.strip() for part in line.split(separator, 1))
        pairs.append({keys[0]: left, keys[1]: right})
    return pairs


def _checkboxes(choices):
    return forms.MultipleChoiceField(
        choices=[(c, c.replace("_", " ")) for c in choices], required=False, widget=forms.CheckboxSelectMultiple
    )


class WorkflowForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    custom_tags = forms.CharField(required=False, help_text="Comma-separated.")
    link_ttl_hours = forms.IntegerField(initial=DEFAULT_SETTINGS["link_ttl_hours"])
    session_ttl_days = forms.IntegerField(initial=DEFAULT_SETTINGS["session_ttl_days"])
    max_attempts = forms.IntegerField(initial=DEFAULT_SETTINGS["max_attempts"])
    retention_days = forms.IntegerField(initial=DEFAULT_SETTINGS["retention_days"])
    auto_process = forms.BooleanField(required=False, initial=True)
    auto_decide = forms.BooleanField(required=False)
    locales = forms.MultipleChoiceField(
        choices=[(c, c) for c in LOCALES], initial=LOCALES, widget=forms.CheckboxSelectMultiple
    )
    redirect_allowlist = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One origin or host name per line."
    )
    watchlist = forms.BooleanField(required=False, initial=True, label="Watchlist screening")
    face_match = forms.BooleanField(required=False, initial=True, label="Face match")
    reject_at = forms.IntegerField(initial=DECISION_THRESHOLDS["reject_at"], label="Reject at risk ≥")
    review_at = forms.IntegerField(initial=DECISION_THRESHOLDS["review_at"], label="Review at risk ≥")
    name_match_threshold = forms.FloatField(initial=DEFAULT_SETTINGS["name_match_threshold"])

    SETTING_FIELDS = (
        "link_ttl_hours",
        "session_ttl_days",
        "max_attempts",
        "retention_days",
        "auto_process",
        "auto_decide",
        "locales",
        "redirect_allowlist",
        "name_match_threshold",
    )

    @classmethod
    def initial_for(cls, version):
        settings = {**DEFAULT_SETTINGS, **version.settings}
        initial = {key: settings[key] for key in cls.SETTING_FIELDS}
        initial["redirect_allowlist"] = "\n".join(settings["redirect_allowlist"])
        initial.update(settings["validations"])
        initial.update({**DECISION_THRESHOLDS, **settings["decision_thresholds"]})
        return {
            **initial,
            "name": version.name,
            "description": version.description,
            "custom_tags": ", ".join(version.custom_tags),
        }

    def to_fields(self):
        data = self.cleaned_data
        settings = {key: data[key] for key in self.SETTING_FIELDS}
        settings["redirect_allowlist"] = _lines(data["redirect_allowlist"])
        settings["validations"] = {"watchlist": data["watchlist"], "face_match": data["face_match"]}
        settings["decision_thresholds"] = {"reject_at": data["reject_at"], "review_at": data["review_at"]}
        return {
            "name": data["name"],
            "description": data["description"],
            "custom_tags": [t.strip() for t in data["custom_tags"].split(",") if t.strip()],
            "settings": settings,
        }


class StepForm(forms.Form):
    order = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"class": "order"}))
    delete = forms.BooleanField(required=False, label="Remove")
    type = forms.ChoiceField(choices=[(t, t.replace("_", " ")) for t in STEP_TYPES])
    id = forms.SlugField(
        required=False, max_length=64, label="Step id", help_text="Leave empty to derive it from the title."
    )
    title = forms.CharField(required=False, max_length=200)
    title_de = forms.CharField(required=False, max_length=200, label="Title in German")
    title_fr = forms.CharField(required=False, max_length=200, label="Title in French")
    required = forms.BooleanField(required=False, initial=True)
    applicant_type = forms.ChoiceField(
        required=False,
        choices=[("", "type default"), (NATURAL, "natural person"), (LEGAL, "legal person"), (BOTH, "both")],
    )
    # form
    form_fields = forms.CharField(
        required=False,
        label="Fields",
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        help_text=f"One per line: id type [required] [choices=a|b] [label=…] "
        f"[label.de=…] [label.fr=…]. "
        f"Types: {', '.join(sorted(FORM_FIELD_TYPES))}.",
    )
    # identity_document
    identity_document_types = _checkboxes(IDENTITY_DOCUMENT_TYPES)
    require_back = forms.BooleanField(required=False)
    min_age = forms.IntegerField(required=False)
    # proof_of_address
    address_document_types = _checkboxes(PROOF_OF_ADDRESS_TYPES)
    max_age_months = forms.IntegerField(required=False)
    # bank_account
    allow_typed_iban = forms.BooleanField(required=False, initial=True)
    require_document = forms.BooleanField(required=False)
    # company_registry
    require_certificate = forms.BooleanField(required=False)
    countries = forms.CharField(required=False, help_text="ISO codes, comma-separated; empty: any.")
    # document_analysis
    document_type = forms.ChoiceField(
        required=False, choices=[("", "—")] + [(t, t.replace("_", " ")) for t in ANALYSIS_DOCUMENT_TYPES]
    )
    # signature
    sign_fields = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
        help_text="One per line: field_id actor_id.",
    )
    fill_fields = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
        help_text="One per line: field_id=value (e.g. ${identity.last_name}).",
    )
    # related_parties
    roles = _checkboxes(RELATED_PARTY_ROLES)
    max_parties = forms.IntegerField(required=False)
    workflow_id = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, workflows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workflow_id"].choices = [("", "this workflow")] + [(str(w.id), w.name) for w in workflows]
        self.fields["workflow_id"].label = "Workflow of each party"

    def clean_form_fields(self):
        return parse_form_fields(self.cleaned_data["form_fields"])

    def clean_sign_fields(self):
        return [
            {"field_id": p["field_id"], "actor_id": p["actor_id"]}
            for p in _pairs(self.cleaned_data["sign_fields"].replace("\t", " "), " ", ["field_id", "actor_id"])
        ]

    def clean_fill_fields(self):
        return _pairs(self.cleaned_data["fill_fields"], "=", ["field_id", "value"])

    def clean_countries(self):
        return [c.strip().upper() for c in self.cleaned_data["countries"].split(",") if c.strip()]

    @classmethod
    def initial_for(cls, step, order):
        title = step.get("title", "")
        titles = title if isinstance(title, dict) else {"en": title}
        initial = {
            "order": order,
            "type": step["type"],
            "id": step["id"],
            "title": titles.get("en", ""),
            "title_de": titles.get("de", ""),
            "title_fr": titles.get("fr", ""),
            "required": step.get("required", True),
            "applicant_type": step.get("applicant_type", ""),
        }
        config = step.get("config") or {}
        for name in TYPE_FIELDS[step["type"]]:
            key = CONFIG_KEYS.get(name, name)
            if key not in config:
                continue
            value = config[key]
            if name == "form_fields":
                value = format_form_fields(value)
            elif name == "sign_fields":
                value = "\n".join(f"{p.get('field_id', '')} {p.get('actor_id', '')}" for p in value)
            elif name == "fill_fields":
                value = "\n".join(f"{p.get('field_id', '')}={p.get('value', '')}" for p in value)
            elif name == "countries":
                value = ", ".join(value)
            initial[name] = value
        return initial

    def to_step(self):
        data = self.cleaned_data
        step = {"type": data["type"], "required": data["required"]}
        for key in ("id", "applicant_type"):
            if data.get(key):
                step[key] = data[key]
        # A title in one language stays a plain string; translations make it one value per language.
        titles = {
            language: data[key]
            for language, key in (("en", "title"), ("de", "title_de"), ("fr", "title_fr"))
            if data.get(key)
        }
        if titles:
            step["title"] = titles if set(titles) - {"en"} else titles["en"]
        config = {}
        for name in TYPE_FIELDS[data["type"]]:
            value = data.get(name)
            # A checkbox cannot say "not set": it is written only when it departs from the check's default.
            if isinstance(self.fields[name], forms.BooleanField):
                if value == BOOLEAN_DEFAULTS.get(name, False):
                    continue
            elif value in (None, "", []):
                continue
            config[CONFIG_KEYS.get(name, name)] = value
        step["config"] = config
        return step

    def config_groups(self):
        """(step type, its bound config fields, whether it is the step's current type) for every type.

        The editor shows the current type's group; its script swaps groups when the type changes.
        """
        current = self["type"].value()
        return [
            (step_type, [self[name] for name in names], step_type == current)
            for step_type, names in TYPE_FIELDS.items()
        ]


STEP_ERROR = re.compile(r"^steps\[(?P<index>\d+)\](?:\.(?P<rest>.+))?$")


def place_errors(errors, workflow_form, step_forms):
    """Put each service error on its field: `name`, `settings.max_attempts`, `steps[2].config.min_age`…"""
    for key, messages in errors.items():
        target, field = workflow_form, None
        match = STEP_ERROR.match(key)
        if match and int(match["index"]) < len(step_forms):
            target = step_forms[int(match["index"])]
            rest = (match["rest"] or "").removeprefix("config.")
            name = rest.split("[", 1)[0].split(".", 1)[0]
            type_names = TYPE_FIELDS.get(target.cleaned_data.get("type"), [])
            field = next((n for n in type_names if CONFIG_KEYS.get(n, n) == name), None) or (
                name if name in target.fields else None
            )
            messages = [f"{rest}: {m}" if rest and rest != field else m for m in messages]
        else:
            name = key.removeprefix("settings.").split(".", 1)[0]
            if name == "validations":
                name = "watchlist"
            elif name == "decision_thresholds":
                name = "reject_at"
            field = name if name in workflow_form.fields else None
            if field is None:
                messages = [f"{key}: {m}" for m in messages]
        for message in messages:
            target.add_error(field, message)
