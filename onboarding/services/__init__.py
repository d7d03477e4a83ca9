"""The only code that changes domain state. Each service is atomic, locks what it
changes, writes the audit event and schedules work after commit. A service that views and
tasks call as their request's whole transaction is durable: run inside another transaction
it raises, so a composition of services is a service of its own."""

from onboarding.services.documents import document_add, documents_submit
from onboarding.services.emails import links_send, outcome_notice_send, reminders_send
from onboarding.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitation_sign_up,
)
from onboarding.services.keys import api_key_authenticate, api_key_create, api_key_revoke
from onboarding.services.links import applicant_open, link_resolve, links_generate
from onboarding.services.organizations import member_set, organization_create
from onboarding.services.processing import run_session_processing, run_verification_check
from onboarding.services.related_parties import (
    related_parties_submit,
    related_party_add,
    related_party_invite,
    subsession_delete,
)
from onboarding.services.review import session_decide, session_process, session_request_corrections
from onboarding.services.screening import session_revalidate
from onboarding.services.sessions import (
    applicant_add,
    applicant_delete,
    applicant_update,
    session_add_note,
    session_cancel,
    session_create,
    session_erase,
    session_expire_now,
    session_extend,
    session_update,
    sessions_apply_retention,
    sessions_expire,
    sessions_update,
)
from onboarding.services.verifications import (
    verification_attach,
    verification_resolve,
    verification_skip,
    verification_submit,
    verification_unblock,
)
from onboarding.services.workflows import (
    workflow_create,
    workflow_delete,
    workflow_publish,
    workflow_save,
    workflow_update,
)

__all__ = [
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "applicant_add",
    "applicant_delete",
    "applicant_open",
    "applicant_update",
    "document_add",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "invitation_sign_up",
    "documents_submit",
    "link_resolve",
    "links_generate",
    "links_send",
    "member_set",
    "organization_create",
    "outcome_notice_send",
    "reminders_send",
    "related_parties_submit",
    "related_party_add",
    "related_party_invite",
    "run_session_processing",
    "run_verification_check",
    "session_add_note",
    "session_cancel",
    "session_create",
    "session_decide",
    "session_erase",
    "session_expire_now",
    "session_extend",
    "session_process",
    "session_request_corrections",
    "session_revalidate",
    "session_update",
    "sessions_apply_retention",
    "sessions_update",
    "sessions_expire",
    "subsession_delete",
    "verification_attach",
    "verification_resolve",
    "verification_skip",
    "verification_submit",
    "verification_unblock",
    "workflow_create",
    "workflow_delete",
    "workflow_publish",
    "workflow_save",
    "workflow_update",
]
