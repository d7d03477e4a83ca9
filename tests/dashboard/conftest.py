import pytest

from onboarding import services
from onboarding.models import Session
from tests.dashboard.builders import REVIEW_STEPS, submit_all
from tests.factories import MembershipFactory, make_session, make_workflow, system

WATCHLIST_RESULTS = {
    "external_validations": {
        "watchlist": {
            "is_match": True,
            "match_count": 1,
            "threshold": 0.7,
            "datasets": [{"name": "sanctions", "version": "20261101", "entry_count": 2}],
            "screened": [{"name": "Anna Maria Eriksson"}],
            "matches": [
                {
                    "entity_id": "Q-1234",
                    "name": "Anna Maria Eriksson",
                    "score": 0.91,
                    "lists": ["eu_fsf"],
                    "birth_dates": ["1974-08-12"],
                    "countries": ["se"],
                },
            ],
        }
    },
    "face_match_result": {"status": "passed", "distance": 0.21, "threshold": 0.45},
}


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def member(org):
    def make(role):
        return MembershipFactory(organization=org, role=role).user

    return make


@pytest.fixture
def reviewer_client(client, reviewer):
    return login(client, reviewer)


@pytest.fixture
def review_workflow(org):
    return make_workflow(org, steps=REVIEW_STEPS, name="Retail KYC")


@pytest.fixture
def processed_session(org, review_workflow, django_capture_on_commit_callbacks):
    """A session whose applicant submitted everything and whose checks ran: status processed."""
    session = make_session(org, review_workflow, name="Anna Eriksson", reference_id="cust-42")
    services.links_generate(actor=system(org), session_id=session.id)
    with django_capture_on_commit_callbacks(execute=True):
        submit_all(session)
    session.refresh_from_db()
    assert session.status == "processed", session.status
    return session


@pytest.fixture
def review_session(processed_session):
    """A processed session sent to manual review, with a watchlist hit and a face match recorded."""
    session = services.session_decide(
        actor=system(processed_session.organization),
        session_id=processed_session.id,
        status="manual_review",
        note="watchlist hit",
    )
    Session.objects.filter(id=session.id).update(processing_results={**session.processing_results, **WATCHLIST_RESULTS})
    session.refresh_from_db()
    return session


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many logins; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
