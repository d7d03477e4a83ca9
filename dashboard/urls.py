from django.urls import path
from django.views.i18n import set_language

from dashboard.views import auth, files, inbox, invitations, overview, sessions, settings, workflows

app_name = "dashboard"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("organization/", auth.choose_organization, name="organization"),
    # The reviewer's language, kept in Django's language cookie (else the browser's is used).
    path("language/", set_language, name="language"),
    path("invitation/", invitations.invitation, name="invitation"),
    path("", inbox.inbox, name="inbox"),
    path("counts/", inbox.inbox_counts, name="inbox_counts"),
    path("assign/", inbox.assign, name="bulk_assign"),
    path("overview/", overview.overview, name="overview"),
    path("sessions/<uuid:session_id>/", sessions.session_detail, name="session"),
    path("sessions/<uuid:session_id>/decide/", sessions.decide, name="decide"),
    path("sessions/<uuid:session_id>/process/", sessions.process, name="process"),
    path("sessions/<uuid:session_id>/corrections/", sessions.request_corrections, name="corrections"),
    path("sessions/<uuid:session_id>/resolve/", sessions.resolve, name="resolve"),
    path("sessions/<uuid:session_id>/unblock/", sessions.unblock, name="unblock"),
    path("sessions/<uuid:session_id>/assign/", sessions.assign, name="assign"),
    path("sessions/<uuid:session_id>/note/", sessions.add_note, name="note"),
    path("sessions/<uuid:session_id>/extend/", sessions.extend, name="extend"),
    path("sessions/<uuid:session_id>/cancel/", sessions.cancel, name="cancel"),
    path("sessions/<uuid:session_id>/links/", sessions.regenerate_links, name="links"),
    path("sessions/<uuid:session_id>/watchlist/false-positive/", sessions.mark_false_positive, name="false_positive"),
    path("sessions/<uuid:session_id>/erase/", sessions.erase, name="erase"),
    path("sessions/<uuid:session_id>/evidence/", sessions.evidence_pack, name="evidence"),
    path("files/<str:token>/", files.document_file, name="document_file"),
    path("files/<str:token>/page-<int:page>.png", files.document_page, name="document_page"),
    path("workflows/", workflows.workflow_list, name="workflows"),
    path("workflows/new/", workflows.workflow_create, name="workflow_create"),
    path("workflows/<uuid:workflow_id>/", workflows.workflow_edit, name="workflow_edit"),
    path("workflows/<uuid:workflow_id>/archive/", workflows.workflow_archive, name="workflow_archive"),
    path("workflows/<uuid:workflow_id>/publish/", workflows.workflow_publish, name="workflow_publish"),
    path(
        "workflows/<uuid:workflow_id>/v<int:number>/sessions/",
        workflows.workflow_version_sessions,
        name="workflow_sessions",
    ),
    path("settings/api-keys/", settings.api_keys, name="api_keys"),
    path("settings/api-keys/<uuid:key_id>/revoke/", settings.api_key_revoke, name="api_key_revoke"),
    path("settings/members/", settings.members, name="members"),
    path("settings/members/<uuid:membership_id>/role/", settings.member_role, name="member_role"),
    path("settings/invitations/<uuid:invitation_id>/revoke/", settings.invitation_revoke, name="invitation_revoke"),
    path("settings/webhooks/", settings.webhook_endpoints, name="webhooks"),
    path("settings/webhooks/<uuid:endpoint_id>/toggle/", settings.webhook_toggle, name="webhook_toggle"),
    path("settings/webhooks/<uuid:endpoint_id>/deliveries/", settings.webhook_deliveries, name="webhook_deliveries"),
    path(
        "settings/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver/",
        settings.webhook_redeliver,
        name="webhook_redeliver",
    ),
    path("settings/watchlist/", settings.watchlist, name="watchlist"),
]
