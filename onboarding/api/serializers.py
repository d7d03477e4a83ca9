"""Response shapes. Read-only: writes are parsed by each view's input serializer
and performed by onboarding.services."""

from functools import cache

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onboarding import standing as vocabulary
from onboarding.labels import reason_label
from onboarding.selectors import session_allowed_actions
from onboarding.services.workflows import latest_version


@cache
def _reader(serializer_class):
    """One instance of a response serializer, its fields copied and bound once. DRF deep-copies a
    serializer's declared fields, its nested serializers' with them, each time one is made: for a
    session's detail that copying cost more than reading the values. Representing keeps no state
    on the serializer, so one instance serves every request."""
    return serializer_class()


def represent(serializer_class, instance):
    """The JSON-ready dict `serializer_class(instance).data` gives, without making a serializer."""
    return _reader(serializer_class).to_representation(instance)


def represent_many(serializer_class, instances):
    """The list `serializer_class(instances, many=True).data` gives."""
    reader = _reader(serializer_class)
    return [reader.to_representation(instance) for instance in instances]


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    custom_tags = serializers.ListField(child=serializers.CharField())
    settings = serializers.JSONField()
    steps = serializers.JSONField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def _newest(versions):
    return max(versions, key=lambda v: v.number)


class WorkflowSerializer(serializers.Serializer):
    """A workflow as its latest version describes it. Expects `versions` prefetched."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    workspace_id = serializers.UUIDField(allow_null=True)
    environment = serializers.CharField(help_text="The environment whose keys and sessions use this workflow.")
    status = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    published_version = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    custom_tags = serializers.SerializerMethodField()
    settings = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _latest(self, workflow):
        versions = list(workflow.versions.all())
        return _newest(versions) if versions else latest_version(workflow)

    @extend_schema_field(serializers.ChoiceField(choices=["draft", "published"]))
    def get_status(self, workflow):
        return "published" if self._latest(workflow).is_published else "draft"

    @extend_schema_field(OpenApiTypes.INT)
    def get_version(self, workflow):
        return self._latest(workflow).number

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_published_version(self, workflow):
        published = [v for v in workflow.versions.all() if v.is_published]
        return _newest(published).number if published else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_description(self, workflow):
        return self._latest(workflow).description

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_custom_tags(self, workflow):
        return self._latest(workflow).custom_tags

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_settings(self, workflow):
        return self._latest(workflow).settings

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_steps(self, workflow):
        return self._latest(workflow).steps


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    applicant_id = serializers.UUIDField(allow_null=True)
    verification_id = serializers.UUIDField(allow_null=True)
    kind = serializers.CharField()
    side = serializers.CharField()
    original_name = serializers.CharField()
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    page_count = serializers.IntegerField()
    superseded = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PreviousAttemptSerializer(serializers.Serializer):
    """The last unusable attempt at a step, kept when a new attempt starts."""

    attempt = serializers.IntegerField(help_text="Its number, from 1.")
    reason_codes = serializers.ListField(child=serializers.CharField(), help_text="Why it was unusable.")
    document_ids = serializers.ListField(
        child=serializers.UUIDField(), help_text="Its documents, kept as evidence (superseded)."
    )
    ended_at = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField(help_text="In the request's language (Accept-Language: en, de, fr).")


class VerificationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    applicant_id = serializers.UUIDField()
    step_id = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    status = serializers.CharField()
    result = serializers.CharField()
    status_codes = serializers.ListField(child=serializers.CharField())
    reasons = serializers.SerializerMethodField(help_text="Each of status_codes with its description.")
    attempts = serializers.IntegerField()
    previous_attempt = PreviousAttemptSerializer(allow_null=True, help_text="null until an attempt was unusable.")
    data = serializers.JSONField()
    resolution_note = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, verification):
        return [{"code": code, "description": str(reason_label(code))} for code in verification.status_codes]


class VerificationDetailSerializer(VerificationSerializer):
    documents = DocumentSerializer(many=True)


def applicant_standing(applicant):
    """onboarding.standing for an applicant whose session's corrections and own verifications are
    prefetched (the session detail) or read now (one applicant)."""
    open_corrections = [c for c in applicant.session.corrections.all() if c.status == "open"]
    return vocabulary.applicant_standing(applicant, list(applicant.verifications.all()), open_corrections)


class ApplicantSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    type = serializers.CharField()
    label = serializers.CharField()
    reference_id = serializers.CharField()
    email = serializers.CharField()
    phone_number = serializers.CharField()
    identity = serializers.JSONField()
    address = serializers.JSONField()
    bank_account = serializers.JSONField()
    company = serializers.JSONField()
    form_data = serializers.JSONField()
    status = serializers.CharField()
    standing = serializers.SerializerMethodField()
    link_expires_at = serializers.DateTimeField(allow_null=True)
    link_opened_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    verifications = VerificationSerializer(many=True)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=vocabulary.STATES, help_text="Where the applicant's case stands, in the words the applicant reads."
        )
    )
    def get_standing(self, applicant):
        return applicant_standing(applicant).state


class SessionSerializer(serializers.Serializer):
    """A list row: the session's own fields, no children."""

    id = serializers.UUIDField()
    workflow_id = serializers.UUIDField()
    workflow_version = serializers.IntegerField(source="workflow_version.number")
    parent_id = serializers.UUIDField(allow_null=True)
    workspace_id = serializers.UUIDField(allow_null=True)
    environment = serializers.CharField()
    name = serializers.CharField()
    reference_id = serializers.CharField()
    metadata = serializers.JSONField()
    custom_tags = serializers.ListField(child=serializers.CharField())
    locale = serializers.CharField()
    redirect_url = serializers.CharField()
    state = serializers.CharField()
    status = serializers.CharField()
    compliance_status = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    risk_score = serializers.IntegerField(allow_null=True)
    risk_level = serializers.CharField()
    final_decision = serializers.CharField()
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    priority = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    data_anonymized = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    # Counted over every applicant's steps, in the order of steps_data (onboarding.selectors.with_progress).
    current_step_index = serializers.IntegerField(
        allow_null=True, help_text="Position in steps_data of the first step not completed yet; null when none is left."
    )
    completed_steps = serializers.IntegerField(help_text="Steps whose applicant part is done (submitted or later).")
    total_steps = serializers.IntegerField()
    progress_percent = serializers.IntegerField(help_text="completed_steps / total_steps, in percent, rounded down.")


class StepProgressSerializer(serializers.Serializer):
    """One step for one applicant."""

    step_id = serializers.CharField()
    applicant_id = serializers.UUIDField()
    verification_id = serializers.UUIDField()
    type = serializers.CharField()
    title = serializers.CharField()
    required = serializers.BooleanField()
    status = serializers.CharField(help_text="The verification's status.")
    result = serializers.CharField()
    standing = serializers.ChoiceField(
        choices=vocabulary.STATES, help_text="Where the step stands, in the words the applicant reads."
    )
    attempts = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True, help_text="When its first file or submission arrived.")
    completed_at = serializers.DateTimeField(allow_null=True, help_text="When its check (or a person) settled it.")
    documents = serializers.ListField(child=serializers.UUIDField(), help_text="Its current documents' ids.")


class CorrectionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    step_id = serializers.CharField()
    applicant_id = serializers.UUIDField(allow_null=True)
    field_ids = serializers.ListField(child=serializers.CharField())
    document_types = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    status = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class SessionDetailSerializer(SessionSerializer):
    """Everything about one session. Expects onboarding.selectors.session_detail_queryset."""

    decision_note = serializers.CharField()
    decision_reasons = serializers.ListField(child=serializers.CharField())
    applicants = ApplicantSerializer(many=True)
    documents = DocumentSerializer(many=True)
    corrections = CorrectionSerializer(many=True)
    steps_data = serializers.SerializerMethodField()
    form_data = serializers.SerializerMethodField()
    processing_results = serializers.JSONField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="What can be done to the session now: approve, reject, send_to_manual_review, reopen, "
        "request_corrections, process, generate_links, extend, cancel."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, session):
        return session_allowed_actions(session)

    @extend_schema_field(StepProgressSerializer(many=True))
    def get_steps_data(self, session):
        """Per step and applicant, in the verifications' order (the one current_step_index counts in).
        Reads only what the detail queryset prefetched."""
        documents = {}
        for document in session.documents.all():
            if not document.superseded and document.verification_id:
                documents.setdefault(document.verification_id, []).append(document.id)
        rows = []
        for applicant in session.applicants.all():
            verifications = list(applicant.verifications.all())
            for verification, step_standing in zip(verifications, applicant_standing(applicant).steps):
                step = session.workflow_version.step(verification.step_id) or {}
                rows.append(
                    {
                        "created_at": verification.created_at,
                        "step_id": verification.step_id,
                        "applicant_id": applicant.id,
                        "verification_id": verification.id,
                        "type": verification.type,
                        "title": step.get("title") or verification.type.replace("_", " ").capitalize(),
                        "required": verification.required,
                        "status": verification.status,
                        "result": verification.result,
                        "standing": step_standing.state,
                        "attempts": verification.attempts,
                        "started_at": verification.started_at,
                        "completed_at": verification.completed_at,
                        "documents": documents.get(verification.id, []),
                    }
                )
        rows.sort(key=lambda row: row["created_at"])
        return represent_many(StepProgressSerializer, rows)

    @extend_schema_field(
        serializers.DictField(
            child=serializers.DictField(),
            help_text=(
                "By applicant id: the form values as they stand, what the applicant typed over the prefill "
                "(each applicant's `form_data` is the prefill as sent)."
            ),
        )
    )
    def get_form_data(self, session):
        return {str(applicant.id): applicant.filled_form() for applicant in session.applicants.all()}


class LinkSerializer(serializers.Serializer):
    applicant_id = serializers.UUIDField(source="applicant.id")
    link_url = serializers.CharField(source="url")
    link_expires_at = serializers.DateTimeField(source="expires_at")
    email = serializers.ChoiceField(
        choices=["sent", "no_address", "failed"],
        required=False,
        help_text="Only when the links were sent: whether the applicant's link went out by email.",
    )


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    object_type = serializers.CharField()
    object_id = serializers.UUIDField(allow_null=True)
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_type = serializers.CharField()
    actor_id = serializers.CharField()
    actor_label = serializers.CharField()
    note = serializers.CharField()
    data = serializers.JSONField()
