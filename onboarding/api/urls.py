from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from onboarding.api import (
    applicants,
    documents,
    health,
    session_actions,
    sessions,
    subsessions,
    tokens,
    verifications,
    watchlist,
    workflows,
)
from onboarding.api.errors import unknown_endpoint

app_name = "api"
PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny]}

v1 = [
    path("health", health.HealthView.as_view(), name="health"),
    path("auth/token", tokens.TokenView.as_view(), name="token"),
    path("workflows", workflows.WorkflowListView.as_view(), name="workflows"),
    path("workflows/<uuid:workflow_id>", workflows.WorkflowDetailView.as_view(), name="workflow"),
    path("workflows/<uuid:workflow_id>/publish", workflows.WorkflowPublishView.as_view(), name="workflow-publish"),
    path("workflows/<uuid:workflow_id>/versions", workflows.WorkflowVersionsView.as_view(), name="workflow-versions"),
    path("workflows/<uuid:workflow_id>/openapi", workflows.WorkflowOpenApiView.as_view(), name="workflow-openapi"),
    path("sessions", sessions.SessionListView.as_view(), name="sessions"),
    path("sessions/<uuid:session_id>", sessions.SessionDetailView.as_view(), name="session"),
    path(
        "sessions/<uuid:session_id>/applicants", applicants.SessionApplicantsView.as_view(), name="session-applicants"
    ),
    path("sessions/<uuid:session_id>/links", session_actions.SessionLinksView.as_view(), name="session-links"),
    path("sessions/<uuid:session_id>/extend", session_actions.SessionExtendView.as_view(), name="session-extend"),
    path("sessions/<uuid:session_id>/cancel", session_actions.SessionCancelView.as_view(), name="session-cancel"),
    path("sessions/<uuid:session_id>/expire", session_actions.SessionExpireView.as_view(), name="session-expire"),
    path(
        "sessions/<uuid:session_id>/corrections",
        session_actions.SessionCorrectionsView.as_view(),
        name="session-corrections",
    ),
    path("sessions/<uuid:session_id>/process", session_actions.SessionProcessView.as_view(), name="session-process"),
    path("sessions/<uuid:session_id>/validate", session_actions.SessionValidateView.as_view(), name="session-validate"),
    path(
        "sessions/<uuid:session_id>/documents/<uuid:document_id>/url",
        session_actions.DocumentUrlView.as_view(),
        name="session-document-url",
    ),
    path("sessions/<uuid:session_id>/events", session_actions.SessionEventsView.as_view(), name="session-events"),
    path("sessions/<uuid:session_id>/subsessions", subsessions.SubsessionListView.as_view(), name="subsessions"),
    path(
        "sessions/<uuid:session_id>/subsessions/<uuid:subsession_id>",
        subsessions.SubsessionDetailView.as_view(),
        name="subsession",
    ),
    path(
        "sessions/<uuid:session_id>/subsessions/<uuid:subsession_id>/links",
        subsessions.SubsessionLinksView.as_view(),
        name="subsession-links",
    ),
    path("applicants/<uuid:applicant_id>", applicants.ApplicantDetailView.as_view(), name="applicant"),
    path("verifications", verifications.VerificationCreateView.as_view(), name="verifications"),
    path("verifications/<uuid:verification_id>", verifications.VerificationDetailView.as_view(), name="verification"),
    path(
        "verifications/<uuid:verification_id>/resolve",
        verifications.VerificationResolveView.as_view(),
        name="verification-resolve",
    ),
    path(
        "verifications/<uuid:verification_id>/unblock",
        verifications.VerificationUnblockView.as_view(),
        name="verification-unblock",
    ),
    path(
        "verifications/<uuid:verification_id>/documents",
        verifications.VerificationDocumentsView.as_view(),
        name="verification-documents",
    ),
    path("documents/<str:signed>/", documents.DocumentDownloadView.as_view(), name="document-download"),
    path("watchlist/search", watchlist.WatchlistSearchView.as_view(), name="watchlist-search"),
]

urlpatterns = [
    # The schema and its viewer are public: they describe the API, not anyone's data.
    path("v1/schema", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **PUBLIC), name="docs"),
    path("v1/", include(v1)),
    path("v1/", include("onboarding.api.webhook_urls")),
    path("v1/", include("onboarding.api.signing_urls")),
    # Last: any other /api/ path is a problem-details 404, whatever DEBUG says.
    re_path(r"^.*$", unknown_endpoint),
]
