"""Threshold's domain: tenants, workflows, sessions and their audit trail.

State machines use django-fsm with protected fields: a status only changes
through a transition, and transitions are called only by onboarding.services.
A transition sets fields on self and nothing else.
"""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from onboarding.steps import DEFAULT_SETTINGS


class TenantModel(models.Model):
    """A row that belongs to one organization (onboarding.tenancy scopes every query by it);
    a subclass may redeclare `organization` to give it a related_name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("onboarding.Organization", on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Environment(models.TextChoices):
    LIVE = "live"
    SANDBOX = "sandbox"


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    support_contact = models.CharField(
        max_length=200, blank=True, help_text="Shown to blocked applicants: whom to contact."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set by the periodic verification when the chain is broken: admins see it on every dashboard page.
    audit_broken_at = models.DateTimeField(null=True, blank=True, editable=False)
    audit_broken_sequence = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    def __str__(self):
        return self.name


class Workspace(TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workspaces")
    name = models.CharField(max_length=200)

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class Membership(TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REVIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")]


class Invitation(TenantModel):
    """An email address asked to join an organization with a role. Only the token's hash is
    stored, so a database leak opens no invitation; it is used once and expires."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REVIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Scope(models.TextChoices):
    WORKFLOWS_READ = "workflows:read"
    WORKFLOWS_WRITE = "workflows:write"
    SESSIONS_READ = "sessions:read"
    SESSIONS_WRITE = "sessions:write"
    SESSIONS_REVIEW = "sessions:review"
    WEBHOOKS_WRITE = "webhooks:write"


class ApiKey(TenantModel):
    """An integrator's key. Only its SHA-256 is stored; the key is shown once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=32, db_index=True, help_text="Public start of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.LIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class Workflow(TenantModel):
    """A verification template. Its content lives in versions; published ones never change.

    A workflow belongs to one environment: sessions of that environment run it, and
    only keys of that environment (or dashboard users) change it, so a sandbox key
    never changes what live sessions run.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="workflows")
    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.SET_NULL)
    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.LIVE)
    name = models.CharField(max_length=200)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class WorkflowVersion(TenantModel):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    custom_tags = models.JSONField(default=list, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    steps = models.JSONField(default=list)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workflow", "number"]
        constraints = [models.UniqueConstraint(fields=["workflow", "number"], name="one_version_number")]

    def __str__(self):
        return f"{self.name} v{self.number}"

    @property
    def is_published(self):
        return self.published_at is not None

    def step(self, step_id):
        return next((s for s in self.steps if s["id"] == step_id), None)

    def setting(self, name):
        return self.settings.get(name, DEFAULT_SETTINGS[name])


class SessionStatus(models.TextChoices):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    PROCESSING = "processing"
    PROCESSED = "processed"
    MANUAL_REVIEW = "manual_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_CLIENT_CORRECTION = "awaiting_client_correction"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


S = SessionStatus

# The inbox each status belongs to (SPEC §3).
COMPLIANCE_STATUS = {
    S.DRAFT: "incomplete",
    S.ACTIVE: "pending",
    S.COMPLETED: "completed",
    S.PROCESSING: "pending",
    S.PROCESSED: "completed",
    S.MANUAL_REVIEW: "manual_review",
    S.APPROVED: "approved",
    S.REJECTED: "rejected",
    S.AWAITING_CLIENT_CORRECTION: "remediation",
    S.EXPIRED: "incomplete",
    S.CANCELLED: "incomplete",
}
INBOXES = ["pending", "manual_review", "approved", "rejected", "remediation", "completed", "incomplete"]


def statuses_in_inbox(inbox):
    return [status for status, box in COMPLIANCE_STATUS.items() if box == inbox]


class FinalDecision(models.TextChoices):
    APPROVED = "approved"
    FLAGGED = "flagged"
    MANUAL_REVIEW = "manual_review"
    REJECTED = "rejected"


# Every session transition: name -> (sources, target). The single table the
# transitions below and the tests are checked against.
SESSION_TRANSITIONS = {
    "activate": ([S.DRAFT], S.ACTIVE),
    "complete": ([S.ACTIVE, S.AWAITING_CLIENT_CORRECTION], S.COMPLETED),
    "start_processing": ([S.COMPLETED], S.PROCESSING),
    "finish_processing": ([S.PROCESSING], S.PROCESSED),
    "approve": ([S.PROCESSING, S.PROCESSED, S.MANUAL_REVIEW], S.APPROVED),
    "reject": ([S.PROCESSING, S.PROCESSED, S.MANUAL_REVIEW], S.REJECTED),
    "send_to_manual_review": ([S.PROCESSING, S.PROCESSED], S.MANUAL_REVIEW),
    "reopen": ([S.APPROVED, S.REJECTED], S.MANUAL_REVIEW),
    "request_corrections": (
        [S.PROCESSED, S.MANUAL_REVIEW, S.APPROVED, S.REJECTED, S.COMPLETED],
        S.AWAITING_CLIENT_CORRECTION,
    ),
    "expire": ([S.DRAFT, S.ACTIVE, S.AWAITING_CLIENT_CORRECTION], S.EXPIRED),
    "extend": ([S.EXPIRED], S.ACTIVE),
    # By the integrator or a reviewer: links die, data is kept, nothing follows.
    "cancel": ([S.DRAFT, S.ACTIVE, S.COMPLETED, S.AWAITING_CLIENT_CORRECTION], S.CANCELLED),
    # Attaching a verification to a session whose applicants had finished.
    "reactivate": ([S.COMPLETED, S.PROCESSED, S.MANUAL_REVIEW], S.ACTIVE),
}


# Named sets of session statuses, drawn from the table above: use the names, never a copy.
# The applicant can still send data through their link (and the session can expire).
SESSION_OPEN_TO_APPLICANT = frozenset(SESSION_TRANSITIONS["expire"][0])
# The deadline can be pushed back: still open, or expired and extended.
SESSION_EXTENDABLE = SESSION_OPEN_TO_APPLICANT | frozenset(SESSION_TRANSITIONS["extend"][0])
# The applicants' work settles the session: it completes once everything owed is in.
SESSION_AWAITING_APPLICANTS = frozenset(SESSION_TRANSITIONS["complete"][0])
# Decided, by a person or by auto-decide.
SESSION_DECIDED = frozenset({SESSION_TRANSITIONS["approve"][1], SESSION_TRANSITIONS["reject"][1]})
# A new applicant or step can join: the applicants are at work, or had finished and the
# session goes back to active. Not during corrections: the link then opens only the
# steps the reviewer named, and the session completes once those are resolved.
SESSION_TAKES_NEW_STEPS = frozenset({S.DRAFT, S.ACTIVE, *SESSION_TRANSITIONS["reactivate"][0]})


def _session_transition(name):
    sources, target = SESSION_TRANSITIONS[name]
    return transition(field="status", source=[str(s) for s in sources], target=str(target))


class Session(ConcurrentTransitionMixin, FSMModelMixin, TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sessions")
    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.SET_NULL)
    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.LIVE)
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="sessions")
    workflow_version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="sessions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subsessions")
    name = models.CharField(max_length=200, blank=True)
    reference_id = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    custom_tags = models.JSONField(default=list, blank=True)
    locale = models.CharField(max_length=5, default="en")
    redirect_url = models.URLField(max_length=2000, blank=True)
    state = models.TextField(blank=True)
    status = FSMField(default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_level = models.CharField(max_length=10, blank=True)
    final_decision = models.CharField(max_length=20, choices=FinalDecision.choices, blank=True)
    processing_results = models.JSONField(default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.SmallIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    data_anonymized = models.BooleanField(default=False)
    # {check type: {result: verifications}}, kept by the services (services.common.check_results_refresh)
    # so that a filtered list's summary counts check results on the session rows, without a join.
    check_results = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "environment", "-created_at"], name="session_list"),
            models.Index(fields=["organization", "environment", "status", "-created_at"], name="session_status"),
            models.Index(fields=["organization", "reference_id"], name="session_reference"),
            models.Index(fields=["organization", "workflow", "-created_at"], name="session_workflow"),
            models.Index(fields=["organization", "assigned_to", "status"], name="session_assignee"),
        ]

    def __str__(self):
        return self.name or str(self.id)

    def save(self, *args, **kwargs):
        # check_results is written by its service alone: a whole save from an instance read before a
        # check finished would put its old counts back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "check_results"
            ]
        super().save(*args, **kwargs)

    @property
    def compliance_status(self):
        return COMPLIANCE_STATUS[self.status]

    @_session_transition("activate")
    def activate(self):
        pass

    @_session_transition("complete")
    def complete(self):
        self.completed_at = timezone.now()

    @_session_transition("start_processing")
    def start_processing(self):
        pass

    @_session_transition("finish_processing")
    def finish_processing(self):
        pass

    def _decide(self, decision, reasons, decision_note):
        self.final_decision = decision
        self.decision_reasons = list(reasons)
        self.decision_note = decision_note
        self.decided_at = timezone.now()

    @_session_transition("approve")
    def approve(self, reasons=(), decision_note=""):
        self._decide(FinalDecision.APPROVED, reasons, decision_note)

    @_session_transition("reject")
    def reject(self, reasons=(), decision_note=""):
        self._decide(FinalDecision.REJECTED, reasons, decision_note)

    @_session_transition("send_to_manual_review")
    def send_to_manual_review(self, decision_note=""):
        self.final_decision = FinalDecision.MANUAL_REVIEW
        self.decision_note = decision_note

    @_session_transition("reopen")
    def reopen(self, decision_note=""):
        self.final_decision = FinalDecision.MANUAL_REVIEW
        self.decision_note = decision_note
        self.decided_at = None

    @_session_transition("request_corrections")
    def request_corrections(self):
        # A correction request clears any terminal decision (SPEC §3).
        self.final_decision = ""
        self.decided_at = None

    @_session_transition("expire")
    def expire(self):
        pass

    @_session_transition("extend")
    def extend(self, expires_at):
        self.expires_at = expires_at

    @_session_transition("cancel")
    def cancel(self):
        pass

    @_session_transition("reactivate")
    def reactivate(self):
        self.completed_at = None


class SessionCount(models.Model):
    """Top-level sessions per organization, environment and status.

    Kept by the services in the transaction of each creation and transition (under the
    organization's audit lock), so the inbox's unfiltered tab counts read a few rows
    instead of counting every session.
    """

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=10, choices=Environment.choices)
    status = models.CharField(max_length=40, choices=SessionStatus.choices)
    count = models.BigIntegerField(default=0)
    # The sum and number of their risk scores: the inbox's average risk without reading them.
    risk_total = models.BigIntegerField(default=0)
    risk_scored = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "environment", "status"], name="one_count_per_status")
        ]


# Statuses a session reaches only once every required step was submitted.
SESSION_SUBMITTED = frozenset(
    {S.COMPLETED, S.PROCESSING, S.PROCESSED, S.MANUAL_REVIEW, S.APPROVED, S.REJECTED, S.AWAITING_CLIENT_CORRECTION}
)
# How long a decision took from the session's creation: (label, upper bound), the last open-ended.
DECISION_TIME_BUCKETS = [
    ("< 1 h", timedelta(hours=1)),
    ("1–4 h", timedelta(hours=4)),
    ("4–24 h", timedelta(days=1)),
    ("1–3 d", timedelta(days=3)),
    ("3–7 d", timedelta(days=7)),
    ("> 7 d", None),
]


class DailySessionCount(models.Model):
    """Top-level sessions created on one day (in TIME_ZONE), per status and decision day and time:
    what the overview charts sum, a few rows a day instead of every session.

    Recounted a day at a time from the audit trail (onboarding.services.daily_counts): every
    change to a session, its applicants or its checks writes an event naming the session.
    """

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=10, choices=Environment.choices)
    day = models.DateField()
    status = models.CharField(max_length=40, choices=SessionStatus.choices)
    decided_on = models.DateField(null=True)
    # Index in DECISION_TIME_BUCKETS of the time from creation to decision (null: undecided).
    decision_bucket = models.PositiveSmallIntegerField(null=True)
    sessions = models.BigIntegerField()
    opened = models.BigIntegerField()
    submitted = models.BigIntegerField()
    risk_total = models.BigIntegerField()
    risk_scored = models.BigIntegerField()
    decision_time = models.DurationField(null=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "day"], name="daily_session_count_day")]


class DailyVerificationCount(models.Model):
    """Checks with a result of the top-level sessions created on one day, per type and result."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=10, choices=Environment.choices)
    day = models.DateField()
    type = models.CharField(max_length=40)
    result = models.CharField(max_length=20)
    count = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "day"], name="daily_verification_count_day")]


class DailyReasonCount(models.Model):
    """Reason codes given by the checks of the top-level sessions created on one day."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=10, choices=Environment.choices)
    day = models.DateField()
    code = models.CharField(max_length=100)
    count = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "day"], name="daily_reason_count_day")]


class DailyCountMark(models.Model):
    """The last audit event whose session the daily counts have recounted (null: never counted)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, primary_key=True, related_name="+")
    sequence = models.PositiveBigIntegerField(null=True)


class ApplicantType(models.TextChoices):
    NATURAL_PERSON = "natural_person"
    LEGAL_PERSON = "legal_person"


class ApplicantStatus(models.TextChoices):
    INITIATED = "initiated"
    NOTIFIED = "notified"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    PROCESSED = "processed"
    BLOCKED = "blocked"


A = ApplicantStatus
APPLICANT_TRANSITIONS = {
    "notify": ([A.INITIATED], A.NOTIFIED),
    "open_link": ([A.NOTIFIED], A.IN_PROGRESS),
    # From blocked too: a reviewer resolved by hand the step that blocked the applicant.
    "submit": ([A.INITIATED, A.NOTIFIED, A.IN_PROGRESS, A.BLOCKED], A.SUBMITTED),
    "mark_processed": ([A.SUBMITTED], A.PROCESSED),
    "block": ([A.INITIATED, A.NOTIFIED, A.IN_PROGRESS, A.SUBMITTED, A.PROCESSED], A.BLOCKED),
    # A new verification was attached after the applicant had finished.
    "renotify": ([A.SUBMITTED, A.PROCESSED], A.NOTIFIED),
    # A reviewer granted more attempts.
    "unblock": ([A.BLOCKED], A.IN_PROGRESS),
}


def _applicant_transition(name):
    sources, target = APPLICANT_TRANSITIONS[name]
    return transition(field="status", source=[str(s) for s in sources], target=str(target))


class Applicant(ConcurrentTransitionMixin, FSMModelMixin, TenantModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="applicants")
    type = models.CharField(max_length=20, choices=ApplicantType.choices, default=ApplicantType.NATURAL_PERSON)
    label = models.CharField(max_length=200, blank=True)
    reference_id = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone_number = models.CharField(max_length=20, blank=True)
    # Known data blocks, as the integrator sent them (SPEC §2).
    identity = models.JSONField(default=dict, blank=True)
    address = models.JSONField(default=dict, blank=True)
    bank_account = models.JSONField(default=dict, blank=True)
    company = models.JSONField(default=dict, blank=True)
    form_data = models.JSONField(default=dict, blank=True)
    status = FSMField(default=A.INITIATED, choices=A.choices, protected=True)
    # Links are hashed so a database leak exposes no live link.
    link_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    link_opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The applicant pressed Finish: the portal stops offering it (SPEC §3 "What people see").
    finished_at = models.DateTimeField(null=True, blank=True)
    # The reminder before the link expires went out for the current link.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        # The inbox counts sessions with a blocked applicant: few rows, found without a scan.
        indexes = [models.Index(fields=["status"], name="applicant_status")]

    def __str__(self):
        return self.display_name or str(self.id)

    @property
    def display_name(self):
        if self.type == ApplicantType.LEGAL_PERSON:
            return self.company.get("company_name") or self.label
        full = " ".join(p for p in (self.identity.get("first_name"), self.identity.get("last_name")) if p)
        return full or self.label

    def filled_form(self):
        """The form values as they stand: the prefill, overridden by what the applicant typed in
        each form step (in step order). Reads `verifications`, so prefetch them for lists."""
        values = dict(self.form_data)
        for verification in self.verifications.all():
            if verification.type == "form":
                values.update(verification.data.get("submitted") or {})
        return values

    @_applicant_transition("notify")
    def notify(self):
        pass

    @_applicant_transition("open_link")
    def open_link(self):
        self.link_opened_at = timezone.now()

    @_applicant_transition("submit")
    def submit(self):
        self.submitted_at = timezone.now()

    @_applicant_transition("mark_processed")
    def mark_processed(self):
        pass

    @_applicant_transition("block")
    def block(self):
        pass

    @_applicant_transition("renotify")
    def renotify(self):
        self.submitted_at = None

    @_applicant_transition("unblock")
    def unblock(self):
        pass


class VerificationStatus(models.TextChoices):
    AWAITING_DATA = "awaiting_data"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    DONE = "done"
    NEEDS_CORRECTION = "needs_correction"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


class VerificationResult(models.TextChoices):
    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"


V = VerificationStatus
VERIFICATION_TRANSITIONS = {
    "submit": ([V.AWAITING_DATA, V.NEEDS_CORRECTION], V.SUBMITTED),
    "start_processing": ([V.SUBMITTED], V.PROCESSING),
    "finish": ([V.PROCESSING], V.DONE),
    "retry": ([V.PROCESSING], V.AWAITING_DATA),
    "block": ([V.AWAITING_DATA], V.BLOCKED),
    "unblock": ([V.BLOCKED], V.AWAITING_DATA),
    "request_correction": ([V.DONE, V.SUBMITTED], V.NEEDS_CORRECTION),
    "skip": ([V.AWAITING_DATA], V.SKIPPED),
    "resolve": ([s for s in V if s != V.DONE], V.DONE),
}
# The applicant's part of the step is done: what progress counts as a completed step.
VERIFICATION_COMPLETED = frozenset({V.SUBMITTED, V.PROCESSING, V.DONE, V.SKIPPED})


# The applicant (or integrator) can send data for the step.
VERIFICATION_OPEN_FOR_DATA = frozenset(VERIFICATION_TRANSITIONS["submit"][0])
# A required step no longer holds its applicant back once its check has run (or it was
# skipped): an unreadable document must be retaken first.
VERIFICATION_SETTLED = frozenset({V.DONE, V.SKIPPED})


def _verification_transition(name):
    sources, target = VERIFICATION_TRANSITIONS[name]
    return transition(field="status", source=[str(s) for s in sources], target=str(target))


class Verification(ConcurrentTransitionMixin, FSMModelMixin, TenantModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="verifications")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="verifications")
    step_id = models.SlugField(max_length=64)
    type = models.CharField(max_length=40)
    required = models.BooleanField(default=True)
    status = FSMField(default=V.AWAITING_DATA, choices=V.choices, protected=True)
    result = models.CharField(max_length=20, choices=VerificationResult.choices, blank=True)
    status_codes = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Check runs started on the current attempt. A run that never records its result (a worker
    # killed by a hostile file) still counts, so the file is quarantined instead of looping.
    check_runs = models.PositiveSmallIntegerField(default=0)
    # The last unusable attempt: its result, reasons and documents.
    previous_attempt = models.JSONField(null=True, blank=True)
    # submitted (what the applicant typed), extracted_from_document, checks
    data = models.JSONField(default=dict, blank=True)
    resolution_note = models.TextField(blank=True)
    # When the first file or submission for the step arrived.
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["applicant", "step_id"], name="one_verification_per_step")]

    def __str__(self):
        return f"{self.step_id} ({self.status})"

    def mark_started(self):
        if self.started_at is None:
            self.started_at = timezone.now()

    @_verification_transition("submit")
    def submit(self):
        self.mark_started()

    @_verification_transition("start_processing")
    def start_processing(self):
        pass

    @_verification_transition("finish")
    def finish(self, result, status_codes=()):
        self.result = result
        self.status_codes = list(status_codes)
        self.completed_at = timezone.now()

    @_verification_transition("retry")
    def retry(self, previous_attempt):
        self.previous_attempt = previous_attempt
        self.attempts += 1
        self.check_runs = 0
        self.result = ""
        self.status_codes = []

    @_verification_transition("block")
    def block(self):
        pass

    @_verification_transition("unblock")
    def unblock(self):
        # More attempts: the counter starts again; the audit event keeps the attempts used.
        self.attempts = 0

    @_verification_transition("request_correction")
    def request_correction(self):
        pass

    @_verification_transition("skip")
    def skip(self):
        pass

    @_verification_transition("resolve")
    def resolve(self, result, resolution_note):
        self.result = result
        self.resolution_note = resolution_note
        self.completed_at = timezone.now()


def document_storage_name(organization_id, session_id, extension=""):
    # Generated names: the client's filename never reaches the filesystem.
    return f"documents/{organization_id}/{session_id}/{uuid.uuid4().hex}{extension}"


def document_upload_to(instance, filename):
    return document_storage_name(instance.organization_id, instance.session_id)


class Document(TenantModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    verification = models.ForeignKey(
        Verification, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    kind = models.CharField(max_length=60, blank=True, help_text="passport, id_card, utility_bill, rib, signed_pdf…")
    side = models.CharField(max_length=10, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField(default=1)
    # Set once an extraction has run on this document, so a re-run is a no-op.
    extracted_at = models.DateTimeField(null=True, blank=True)
    extraction = models.JSONField(default=dict, blank=True)
    # Documents of an unusable attempt stay as evidence but no longer count.
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.kind or 'document'} {self.sha256[:8]}"


class CorrectionRequest(TenantModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="corrections")
    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.CASCADE)
    step_id = models.SlugField(max_length=64)
    field_ids = models.JSONField(default=list, blank=True)
    document_types = models.JSONField(default=list, blank=True)
    message = models.TextField(help_text="Shown to the applicant.")
    status = models.CharField(max_length=10, default="open", choices=[("open", "open"), ("resolved", "resolved")])
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]


class ActorType(models.TextChoices):
    USER = "user"
    API_KEY = "api_key"
    APPLICANT = "applicant"
    SYSTEM = "system"


class AppendOnlyError(Exception):
    pass


class AuditHead(models.Model):
    """The newest event of an organization's audit chain, so that removing the newest events is
    detected too. A row of its own: appending locks it (onboarding.audit), and nothing else an
    organization's requests do waits for that lock (its organization row stays free)."""

    organization = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="audit_head"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)


class Event(models.Model):
    """The audit trail. Append-only and hash-chained per organization.

    Each event stores the hash of the previous event of its organization, so an
    edited, inserted or deleted row breaks the chain (onboarding.audit.verify_chain).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    # Kept as plain ids: the trail must outlive erased sessions.
    session_ref = models.UUIDField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=60)
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40, blank=True)
    actor_type = models.CharField(max_length=20, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    # A note may hold personal data (a name, a phone number): the chain covers its keyed digest,
    # so erasure can blank the note and the chain still verifies.
    note = models.TextField(blank=True)
    note_digest = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["organization", "sequence"]
        constraints = [models.UniqueConstraint(fields=["organization", "sequence"], name="one_event_per_sequence")]

    def __str__(self):
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def canonical(self):
        return event_canonical(self)

    def compute_hash(self):
        return chain_hmac(self.canonical())

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


def chain_hmac(text):
    """HMAC-SHA256 under AUDIT_CHAIN_KEY: without the key (kept outside the database) nobody
    can recompute the chain after changing a row."""
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def event_canonical(event):
    """The text an event's hash covers (also used by the migration that keyed existing chains)."""
    return json.dumps(
        {
            "id": str(event.id),
            "organization": str(event.organization_id),
            "sequence": event.sequence,
            "created_at": event.created_at.isoformat(),
            "session": str(event.session_ref) if event.session_ref else None,
            "object_type": event.object_type,
            "object_id": str(event.object_id) if event.object_id else None,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor_type": event.actor_type,
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "note_digest": event.note_digest,
            "data": event.data,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


class WebhookEndpoint(TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Empty list: every event type.
    event_types = models.JSONField(default=list, blank=True)
    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.LIVE)
    # Needed in clear to sign; shown once at creation.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.url


class OutboxMessage(TenantModel):
    """A webhook event, written in the transaction of the change that causes it."""

    environment = models.CharField(max_length=10, choices=Environment.choices, default=Environment.LIVE)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)


class WebhookDelivery(TenantModel):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10,
        default="pending",
        choices=[("pending", "pending"), ("succeeded", "succeeded"), ("failed", "failed")],
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "message"], name="one_delivery_per_endpoint")]


class DeliveryAttempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]


class WatchlistDataset(TenantModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="watchlist_datasets")
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    source_file = models.CharField(max_length=300, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="one_dataset_name")]

    def __str__(self):
        return f"{self.name} {self.version}"


class WatchlistEntry(TenantModel):
    dataset = models.ForeignKey(WatchlistDataset, on_delete=models.CASCADE, related_name="entries")
    entity_id = models.CharField(max_length=200)
    schema = models.CharField(max_length=40, default="Person")
    name = models.CharField(max_length=500)
    aliases = models.JSONField(default=list, blank=True)
    birth_dates = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    lists = models.JSONField(default=list, blank=True, help_text="Source lists (sanctions programmes, PEP lists…)")
    properties = models.JSONField(default=dict, blank=True)
    # Set when the last load of the dataset no longer contained the entry.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "entity_id"], name="one_entry_per_entity")]

    def __str__(self):
        return self.name


class WatchlistToken(models.Model):
    """Name index: candidates are narrowed by a token lookup before any scoring."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    entry = models.ForeignKey(WatchlistEntry, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organization", "token"], name="watchlist_token")]


class IdempotencyRecord(models.Model):
    id = models.BigAutoField(primary_key=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The response, encrypted with a key derived from SECRET_KEY (kept outside the database):
    # a replay can carry a link or a webhook secret, which the database must not hold in clear.
    sealed_response = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="one_record_per_key")]
