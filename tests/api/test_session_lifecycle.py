"""A session's end, as an integrator drives it: erasure, cancellation, expiry on demand."""

import pytest

from onboarding.models import Applicant
from tests.api.conftest import V1, problem
from tests.factories import make_session

pytestmark = pytest.mark.django_db


def test_an_erased_session_hands_out_no_link(api, org):
    session = make_session(org)
    assert api.delete(f"{V1}/sessions/{session.id}").status_code == 204
    body = problem(api.post(f"{V1}/sessions/{session.id}/links", {}, format="json"), 410)
    assert "erased" in body["detail"]
    problem(api.post(f"{V1}/sessions/{session.id}/extend", {"extend_days": 3}, format="json"), 410)
    problem(api.post(f"{V1}/sessions/{session.id}/applicants", {"type": "natural_person"}, format="json"), 410)
    assert not Applicant.objects.filter(session=session, link_token_hash__isnull=False).exists()
    assert api.get(f"{V1}/sessions/{session.id}").json()["applicants"][0]["link_expires_at"] is None
