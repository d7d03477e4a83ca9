"""Dashboard forms: they parse and validate input; the services decide."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.labels import DECISION_REASONS
from onboarding.models import INBOXES, Environment, Role, Scope, VerificationResult
from onboarding.selectors import SORTS

PAGE_SIZE = 50
SORT_LABELS = {
    "-created_at": _("Newest"),
    "created_at": _("Oldest"),
    "-priority": _("Highest priority"),
    "priority": _("Lowest priority"),
    "-risk_score": _("Highest risk"),
    "risk_score": _("Lowest risk"),
    "-updated_at": _("Recently updated"),
    "updated_at": _("Least recently updated"),
}


class InboxFilterForm(forms.Form):
    inbox = forms.ChoiceField(choices=[("", "All")] + [(i, i) for i in INBOXES], required=False)
    q = forms.CharField(required=False, max_length=200, label="Search")
    workflow = forms.ChoiceField(required=False, choices=[])
    created_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    risk_min = forms.IntegerField(required=False, min_value=0, max_value=100, label="Risk ≥")
    risk_max = forms.IntegerField(required=False, min_value=0, max_value=100, label="Risk ≤")
    assignee = forms.ChoiceField(required=False, choices=[])
    tag = forms.CharField(required=False, max_length=100)
    blocked = forms.BooleanField(required=False, label=_("Blocked applicants only"))
    environment = forms.ChoiceField(required=False, choices=[("", _("Any")), *Environment.choices])
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, label in SORT_LABELS.items() if key in SORTS]
    )

    def __init__(self, *args, workflows=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workflow"].choices = [("", _("Any workflow"))] + [(str(w.id), w.name) for w in workflows]
        self.fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))] + [
            (str(u.pk), u.get_username()) for u in members
        ]

    def session_filters(self, user):
        """The filters of onboarding.selectors.filter_sessions, without the inbox."""
        data = self.cleaned_data
        assignee = data.get("assignee")
        filters = {
            "q": data.get("q"),
            "workflow_id": data.get("workflow") or None,
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
            "risk_min": data.get("risk_min"),
            "risk_max": data.get("risk_max"),
            "assigned_to": str(user.pk) if assignee == "me" else assignee,
            "tag": data.get("tag"),
            "blocked": data.get("blocked"),
        }
        # Dates are whole days in the reviewer's time zone.
        if filters["created_from"]:
            filters["created_from"] = timezone.make_aware(datetime.combine(filters["created_from"], time.min))
        if filters["created_to"]:
            filters["created_to"] = timezone.make_aware(datetime.combine(filters["created_to"], time.max))
        return filters


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("approved", "Approve"), ("rejected", "Reject"), ("manual_review", "Send to manual review")]
    )
    reasons = forms.MultipleChoiceField(
        choices=list(DECISION_REASONS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class UnblockForm(forms.Form):
    verification_id = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=4000)


class ResolveForm(forms.Form):
    verification_id = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=VerificationResult.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(required=False, choices=[])
    priority = forms.IntegerField(min_value=-100, max_value=100)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Unassigned"))] + [(str(u.pk), u.get_username()) for u in members]


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class ExtendForm(forms.Form):
    extend_days = forms.IntegerField(min_value=1, max_value=365, initial=7, label="Days")
    comment = forms.CharField(required=False, max_length=1000)


class FalsePositiveForm(forms.Form):
    match_index = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    entity_id = forms.CharField(max_length=200, widget=forms.HiddenInput)
    note = forms.CharField(max_length=2000)


def corrections_from_post(post):
    """The `corrections` argument of services.session_request_corrections from the session page's form.

    The form has one checkbox `step` per step, and per step the checkboxes
    `field:<step>` and `doctype:<step>`; one applicant-facing message for all.
    """
    message = post.get("message", "")
    applicant_id = post.get("applicant_id") or None
    return [
        {
            "step_id": step_id,
            **({"applicant_id": applicant_id} if applicant_id else {}),
            "field_ids": post.getlist(f"field:{step_id}"),
            "document_types": post.getlist(f"doctype:{step_id}"),
            "message": message,
        }
        for step_id in post.getlist("step")
    ]


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=200)
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in Scope.values],
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.SESSIONS_READ, Scope.SESSIONS_WRITE],
    )
    environment = forms.ChoiceField(choices=Environment.choices)


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)


class SignUpForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class WatchlistUploadForm(forms.Form):
    name = forms.SlugField(max_length=100, initial="opensanctions")
    version = forms.CharField(
        max_length=100, required=False, help_text="The dataset's version or date; defaults to today's date."
    )
    file = forms.FileField(help_text="OpenSanctions targets.simple.csv or FollowTheMoney JSON lines.")
