from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from onboarding import services
from onboarding.errors import InvalidTransition, LinkUnavailable
from onboarding.models import Applicant
from onboarding.services.links import hash_token
from tests.factories import make_session, system

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_hash(session, actor):
    (link,) = services.links_generate(actor=actor, session_id=session.id)
    applicant = Applicant.objects.get(id=link.applicant.id)
    assert len(link.token) >= 43  # 32 random bytes, base64url: 256 bits
    assert applicant.link_token_hash == hash_token(link.token)
    stored = [str(value) for value in Applicant.objects.values_list(flat=False).get(id=applicant.id)]
    assert link.token not in stored
    assert services.link_resolve(link.token) == applicant


def test_generating_links_activates_the_session_and_notifies_applicants(session, actor):
    (link,) = services.links_generate(actor=actor, session_id=session.id)
    session.refresh_from_db()
    assert session.status == "active"
    assert link.applicant.status == "notified"
    assert link.url.endswith(f"/s/{link.token}/")


def test_link_expires_after_link_ttl(session, actor):
    (link,) = services.links_generate(actor=actor, session_id=session.id)
    assert abs(link.expires_at - (timezone.now() + timedelta(hours=48))) < timedelta(minutes=1)
    with time_machine.travel(timezone.now() + timedelta(hours=49)), pytest.raises(LinkUnavailable):
        services.link_resolve(link.token)


def test_regenerating_kills_the_old_token(session, actor):
    (old,) = services.links_generate(actor=actor, session_id=session.id)
    (new,) = services.links_generate(actor=actor, session_id=session.id)
    assert old.token != new.token
    with pytest.raises(LinkUnavailable):
        services.link_resolve(old.token)
    assert services.link_resolve(new.token).id == new.applicant.id


def test_each_applicant_token_opens_only_their_own_data(org, workflow, actor):
    session = make_session(
        org,
        workflow,
        input=None,
        applicants=[
            {"identity": {"first_name": "Ada", "last_name": "Lovelace"}},
            {"identity": {"first_name": "Alan", "last_name": "Turing"}},
        ],
    )
    links = services.links_generate(actor=actor, session_id=session.id)
    opened = {services.link_resolve(link.token).identity["first_name"] for link in links}
    assert opened == {"Ada", "Alan"}
    with pytest.raises(LinkUnavailable):
        services.link_resolve(links[0].token[:-1] + ("A" if links[0].token[-1] != "A" else "B"))


@pytest.mark.parametrize("token", ["", "x", "a" * 500])
def test_unknown_tokens_are_unavailable(db, token):
    with pytest.raises(LinkUnavailable):
        services.link_resolve(token)


def test_expired_session_links_stop_working(session, actor):
    (link,) = services.links_generate(actor=actor, session_id=session.id)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert services.sessions_expire() == 1
        with pytest.raises(LinkUnavailable):
            services.link_resolve(link.token)


def test_opening_a_link_moves_the_applicant_in_progress_once(session, actor):
    (link,) = services.links_generate(actor=actor, session_id=session.id)
    applicant = services.link_resolve(link.token)
    services.applicant_open(actor=system(session.organization), applicant_id=applicant.id)
    services.applicant_open(actor=system(session.organization), applicant_id=applicant.id)
    applicant.refresh_from_db()
    assert applicant.status == "in_progress"
    assert applicant.link_opened_at is not None


def test_no_links_for_a_decided_session(session, actor):
    from onboarding.models import Session

    Session.objects.filter(id=session.id).update(status="approved")
    with pytest.raises(InvalidTransition, match="approved"):
        services.links_generate(actor=actor, session_id=session.id)
