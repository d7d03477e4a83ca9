"""Django admin: for operators. State changes go through services, so statuses,
hashes and the audit trail are read-only here."""

from django.contrib import admin

from onboarding import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


@admin.register(models.Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("organization", "role")


@admin.register(models.ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "organization", "environment", "last_used_at", "revoked_at")
    list_filter = ("organization", "environment")
    readonly_fields = ("prefix", "key_hash", "last_used_at", "created_by")

    def has_add_permission(self, request):
        return False  # keys are created in the dashboard, which shows the key once


class WorkflowVersionInline(admin.TabularInline):
    model = models.WorkflowVersion
    fields = ("number", "name", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at", "deleted_at")
    list_filter = ("organization",)
    inlines = [WorkflowVersionInline]


@admin.register(models.WorkflowVersion)
class WorkflowVersionAdmin(ReadOnlyAdmin):
    list_display = ("workflow", "number", "published_at")


class ApplicantInline(admin.TabularInline):
    model = models.Applicant
    fields = ("type", "label", "status", "link_expires_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "environment", "status", "final_decision", "risk_score", "created_at")
    list_filter = ("organization", "environment", "status")
    search_fields = ("name", "reference_id")
    readonly_fields = (
        "status",
        "final_decision",
        "risk_score",
        "risk_level",
        "processing_results",
        "decided_at",
        "workflow_version",
        "data_anonymized",
    )
    fields = ("name", "reference_id", "priority", "legal_hold", *readonly_fields)
    inlines = [ApplicantInline]

    def has_add_permission(self, request):
        return False


@admin.register(models.Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "session", "type", "status")
    list_filter = ("status", "type")
    exclude = ("link_token_hash",)


@admin.register(models.Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ("step_id", "type", "session", "status", "result", "attempts")
    list_filter = ("status", "result", "type")


@admin.register(models.Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "session", "kind", "mime_type", "size", "created_at")


@admin.register(models.CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("session", "step_id", "status", "created_at")


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "organization", "action", "from_status", "to_status", "actor_type", "created_at")
    list_filter = ("organization", "action", "actor_type")


@admin.register(models.WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "organization", "environment", "enabled")
    exclude = ("secret", "previous_secret")


@admin.register(models.OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("event_type", "organization", "created_at", "dispatched_at")


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("endpoint", "message", "status", "attempt_count", "next_attempt_at")


@admin.register(models.DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("delivery", "status_code", "duration_ms", "created_at")


@admin.register(models.WatchlistDataset)
class WatchlistDatasetAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "organization", "entry_count", "loaded_at")


@admin.register(models.WatchlistEntry)
class WatchlistEntryAdmin(ReadOnlyAdmin):
    list_display = ("name", "schema", "dataset")
    search_fields = ("name",)


@admin.register(models.IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ("key", "api_key", "response_status", "created_at")
