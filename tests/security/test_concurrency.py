"""Races that happen in real use: exactly one side wins, the other is refused, the audit chain holds."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from onboarding import services
from onboarding.actors import Actor
from onboarding.audit import lock_organization, verify_chain
from onboarding.errors import InvalidTransition
from onboarding.models import AuditHead, Organization, Session, Workspace
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_session, make_workflow, system

# Row locks need a database server; SQLite serialises whole transactions instead.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as exc:  # the refusal is the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def processed_session():
    org = OrganizationFactory()
    return _processed(org, make_workflow(org, steps=FORM_ONLY_STEPS))


def _processed(org, workflow):
    session = make_session(org, workflow)
    actor = system(org)
    services.links_generate(actor=actor, session_id=session.id)
    verification = session.verifications.get()
    # Committed for real here, so processing runs as it would after the last step.
    services.verification_resolve(actor=actor, verification_id=verification.id, result="passed", note="ok")
    session.refresh_from_db()
    assert session.status == "processed"
    return session


def test_two_reviewers_deciding_at_once(processed_session):
    actor = system(processed_session.organization)
    outcomes = race(
        lambda: services.session_decide(actor=actor, session_id=processed_session.id, status="approved"),
        lambda: services.session_decide(actor=actor, session_id=processed_session.id, status="rejected"),
    )
    refused = [o for o in outcomes if isinstance(o, InvalidTransition)]
    won = [o for o in outcomes if isinstance(o, Session)]
    assert len(won) == 1 and len(refused) == 1
    final = Session.objects.get(id=processed_session.id)
    assert final.status == won[0].status
    assert final.events.filter(action__in=["session.approve", "session.reject"]).count() == 1
    assert verify_chain(final.organization) == (True, None)


def test_decision_while_corrections_are_requested(processed_session):
    actor = system(processed_session.organization)
    outcomes = race(
        lambda: services.session_decide(actor=actor, session_id=processed_session.id, status="approved"),
        lambda: services.session_request_corrections(
            actor=actor,
            session_id=processed_session.id,
            corrections=[{"step_id": "details", "message": "Please check your email."}],
        ),
    )
    assert sum(isinstance(o, Session) for o in outcomes) >= 1
    final = Session.objects.get(id=processed_session.id)
    assert final.status in ("approved", "awaiting_client_correction")
    assert verify_chain(final.organization) == (True, None)


def test_concurrent_creates_through_the_api_keep_every_chain_intact():
    """Sessions created at once, in one organization and in two, each get their audit event in an
    unbroken chain (`manage.py verify_audit` agrees)."""
    from django.core.management import call_command

    from tests.api.conftest import V1, client_for

    organizations = [OrganizationFactory(), OrganizationFactory()]
    workflows = [make_workflow(org, steps=FORM_ONLY_STEPS) for org in organizations]

    def create(index):
        api, _ = client_for(organizations[index % 2])
        response = api.post(f"{V1}/sessions", {"workflow_id": str(workflows[index % 2].id)}, format="json")
        return response.status_code

    assert race(*[lambda i=i: create(i) for i in range(8)]) == [201] * 8
    for org in organizations:
        assert Session.objects.filter(organization=org).count() == 4
        assert org.events.filter(action="session.created").count() == 4
        assert verify_chain(org) == (True, None)
    call_command("verify_audit", *[org.slug for org in organizations])


def test_two_uploads_of_one_organization_at_once_both_land_in_one_unbroken_chain():
    """Two applicants of one organization send their ID card at the same moment: both files are
    kept with their rows, and the audit chain orders their events without a gap."""
    from onboarding.services.documents import documents_send
    from tests.documents import faces

    org = OrganizationFactory()
    workflow = make_workflow(org)
    sessions = [make_session(org, workflow) for _ in range(2)]
    front, back = faces.id_card_front(faces.ASTRONAUT), faces.id_card_back()

    def send(session):
        verification = session.verifications.get(step_id="identity")
        return documents_send(
            actor=system(org),
            verification_id=verification.id,
            files=[("front", front, "front.jpg"), ("back", back, "back.jpg")],
            kind="id_card",
        )

    outcomes = race(*[lambda s=s: send(s) for s in sessions])
    assert [len(o) for o in outcomes] == [2, 2], outcomes
    for session in sessions:
        assert session.documents.count() == 2
        assert session.events.filter(action="document.uploaded").count() == 2
    assert verify_chain(org) == (True, None)


def test_a_row_added_without_an_event_does_not_wait_for_the_organizations_write_turn():
    """A change that only adds a row of the organization (a webhook delivery, a workspace)
    commits while an appending change holds the organization's write turn."""
    org = OrganizationFactory()
    turn_taken, added = threading.Event(), threading.Event()

    def appending_change():
        with transaction.atomic():
            lock_organization(org.id)
            turn_taken.set()
            return added.wait(timeout=10)

    def adding_change():
        turn_taken.wait(timeout=10)
        Workspace.objects.create(organization=org, name="Team")
        added.set()

    committed_meanwhile, _ = race(appending_change, adding_change)
    assert committed_meanwhile is True


def test_an_append_waiting_for_the_chains_head_already_holds_the_organizations_write_turn():
    """The append takes the turn and the head in one statement, in the order every change takes
    them (onboarding.audit.lock_organization): while it waits for the head it holds the turn, so
    no change can take the turn and then wait for it."""
    org = OrganizationFactory()
    actor = system(org)
    session = make_session(org, make_workflow(org))  # the chain has its head
    head_held, appending = threading.Event(), threading.Event()

    def holding_the_head():
        with transaction.atomic():
            list(AuditHead.objects.select_for_update().filter(organization_id=org.id))
            head_held.set()
            appending.wait(timeout=10)
            time.sleep(1)  # the append is waiting for the head by now
            [turn_free] = race(lambda: _turn_free(org.id))
        return turn_free

    def appending_change():
        head_held.wait(timeout=10)
        appending.set()
        services.session_add_note(actor=actor, session_id=session.id, note="while the head is held")

    turn_free, _ = race(holding_the_head, appending_change)
    assert turn_free is False
    assert verify_chain(org) == (True, None)


def _turn_free(organization_id):
    try:
        with transaction.atomic():
            list(Organization.objects.select_for_update(no_key=True, nowait=True).filter(id=organization_id))
    except OperationalError:
        return False
    return True


def test_steps_resolved_at_once_in_one_organization_never_deadlock():
    """The last step of several sessions resolved at the same moment: each session's processing
    (status counts, risk, decision) runs beside the others' and none is aborted as a deadlock victim."""
    org = OrganizationFactory()
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    actor = system(org)
    for _ in range(4):
        steps = []
        for _ in range(6):
            session = make_session(org, workflow)
            services.links_generate(actor=actor, session_id=session.id)
            steps.append(session.verifications.get())
        outcomes = race(
            *[
                lambda step=step: services.verification_resolve(
                    actor=actor, verification_id=step.id, result="passed", note="ok"
                )
                for step in steps
            ]
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Session.objects.filter(organization=org, status="processed").count() == 24
    assert verify_chain(org) == (True, None)


def test_one_organizations_changes_at_once_never_deadlock():
    """Creates, links sent, an applicant opening their link, a step resolved (which runs the
    session's processing), a decision and a reviewer's edit, all in one organization at the
    same moment, several times over: each commits (or is refused by its state machine), none is
    aborted as a deadlock victim, and the chain holds."""
    org = OrganizationFactory()
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    for _ in range(3):
        outcomes = _changes_at_once(org, workflow)
        assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, InvalidTransition)], outcomes
    assert verify_chain(org) == (True, None)


def _changes_at_once(org, workflow):
    actor = system(org)
    drafts = [make_session(org, workflow) for _ in range(2)]
    opened, resolving = make_session(org, workflow), make_session(org, workflow)
    for session in (opened, resolving):
        services.links_generate(actor=actor, session_id=session.id)
    applicant, step = opened.applicants.get(), resolving.verifications.get()
    deciding = _processed(org, workflow)
    return race(
        lambda: services.session_create(actor=actor, workflow_id=workflow.id),
        lambda: services.session_create(actor=actor, workflow_id=workflow.id),
        lambda: services.links_generate(actor=actor, session_id=drafts[0].id),
        lambda: services.links_generate(actor=actor, session_id=drafts[1].id),
        lambda: services.applicant_open(applicant_id=applicant.id, actor=Actor.for_applicant(applicant)),
        lambda: services.verification_resolve(actor=actor, verification_id=step.id, result="passed", note="ok"),
        lambda: services.session_decide(actor=actor, session_id=deciding.id, status="approved"),
        lambda: services.session_update(actor=actor, session_id=deciding.id, priority=5),
    )
