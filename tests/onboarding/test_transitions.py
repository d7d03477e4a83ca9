"""Every (status, transition) pair of SPEC §3, driven from the tables in onboarding.models."""

import pytest
from django_fsm import TransitionNotAllowed

from onboarding.errors import InvalidTransition
from onboarding.models import (
    APPLICANT_TRANSITIONS,
    SESSION_TRANSITIONS,
    VERIFICATION_TRANSITIONS,
    Applicant,
    ApplicantStatus,
    Event,
    Session,
    SessionStatus,
    Verification,
    VerificationStatus,
)
from onboarding.services.common import apply_transition
from tests.factories import system

# SPEC §3 written out independently of the model's table, so the two check each other.
SPEC_SESSION = {
    ("draft", "active"),
    ("active", "completed"),
    ("completed", "processing"),
    ("processing", "processed"),
    ("processing", "approved"),
    ("processing", "rejected"),
    ("processing", "manual_review"),
    ("processed", "approved"),
    ("processed", "rejected"),
    ("processed", "manual_review"),
    ("manual_review", "approved"),
    ("manual_review", "rejected"),
    ("approved", "manual_review"),
    ("rejected", "manual_review"),
    ("processed", "awaiting_client_correction"),
    ("manual_review", "awaiting_client_correction"),
    ("approved", "awaiting_client_correction"),
    ("rejected", "awaiting_client_correction"),
    ("completed", "awaiting_client_correction"),
    ("awaiting_client_correction", "completed"),
    ("draft", "expired"),
    ("active", "expired"),
    ("awaiting_client_correction", "expired"),
    ("expired", "active"),
    ("draft", "cancelled"),
    ("active", "cancelled"),
    ("completed", "cancelled"),
    ("awaiting_client_correction", "cancelled"),
    # attaching a verification reopens a finished session
    ("completed", "active"),
    ("processed", "active"),
    ("manual_review", "active"),
}
SPEC_VERIFICATION = {
    ("awaiting_data", "submitted"),
    ("submitted", "processing"),
    ("processing", "done"),
    ("processing", "awaiting_data"),
    ("awaiting_data", "blocked"),
    ("blocked", "awaiting_data"),
    ("done", "needs_correction"),
    ("submitted", "needs_correction"),
    ("needs_correction", "submitted"),
    ("awaiting_data", "skipped"),
} | {(s, "done") for s in VerificationStatus.values if s != "done"}
SPEC_APPLICANT = {
    ("initiated", "notified"),
    ("notified", "in_progress"),
    ("in_progress", "submitted"),
    ("submitted", "processed"),
    ("processed", "notified"),
    # an integrator can submit every step through the API without the link being opened
    ("initiated", "submitted"),
    ("notified", "submitted"),
    # a verification attached to an applicant who had submitted
    ("submitted", "notified"),
    # a reviewer grants more attempts, or resolves by hand the step that blocked the applicant
    ("blocked", "in_progress"),
    ("blocked", "submitted"),
} | {(s, "blocked") for s in ApplicantStatus.values if s != "blocked"}

TRANSITION_KWARGS = {
    "extend": {"expires_at": None},
    "finish": {"result": "passed"},
    "retry": {"previous_attempt": {"attempt": 1}},
    "resolve": {"result": "passed", "resolution_note": "checked by phone"},
}


def edges(table):
    return {(str(source), str(target)) for sources, target in table.values() for source in sources}


def test_session_table_is_spec():
    assert edges(SESSION_TRANSITIONS) == SPEC_SESSION


def test_verification_table_is_spec():
    assert edges(VERIFICATION_TRANSITIONS) == SPEC_VERIFICATION


def test_applicant_table_is_spec():
    assert edges(APPLICANT_TRANSITIONS) == SPEC_APPLICANT


def _force_status(obj, status):
    type(obj).objects.filter(pk=obj.pk).update(status=status)
    return type(obj).objects.get(pk=obj.pk)


CASES = [
    (Session, SESSION_TRANSITIONS, SessionStatus.values),
    (Applicant, APPLICANT_TRANSITIONS, ApplicantStatus.values),
    (Verification, VERIFICATION_TRANSITIONS, VerificationStatus.values),
]
PAIRS = [
    pytest.param(
        model,
        name,
        status,
        status in [str(s) for s in table[name][0]],
        str(table[name][1]),
        id=f"{model.__name__}-{status}-{name}",
    )
    for model, table, statuses in CASES
    for name in table
    for status in statuses
]


@pytest.mark.django_db
@pytest.mark.parametrize("model,name,status,allowed,target", PAIRS)
def test_transition(session, model, name, status, allowed, target):
    obj = {Session: session, Applicant: session.applicants.first(), Verification: session.verifications.first()}[model]
    obj = _force_status(obj, status)
    events_before = Event.objects.count()
    actor = system(session.organization)
    if allowed:
        apply_transition(obj, name, actor, **TRANSITION_KWARGS.get(name, {}))
        obj.refresh_from_db()
        assert obj.status == target
        event = Event.objects.order_by("-sequence").first()
        assert Event.objects.count() > events_before
        assert (event.action, event.from_status, event.to_status) == (
            f"{model.__name__.lower()}.{name}",
            status,
            target,
        )
    else:
        with pytest.raises(InvalidTransition) as refused:
            apply_transition(obj, name, actor, **TRANSITION_KWARGS.get(name, {}))
        assert status in str(refused.value)
        obj.refresh_from_db()
        assert obj.status == status
        assert Event.objects.count() == events_before


@pytest.mark.django_db
def test_status_cannot_be_assigned_directly(session):
    with pytest.raises(AttributeError):
        session.status = "approved"


@pytest.mark.django_db
def test_transition_method_refuses_without_service(session):
    with pytest.raises(TransitionNotAllowed):
        session.approve()
