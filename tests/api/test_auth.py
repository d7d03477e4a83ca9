"""Keys, tokens, scopes and rate limits."""

from datetime import timedelta

import pytest

from onboarding import services
from tests.api.conftest import V1, bearer, client_for, problem
from tests.factories import make_api_key, system

pytestmark = pytest.mark.django_db


def test_no_key_is_401_with_a_bearer_challenge(client, workflow):
    body = problem(client.get(f"{V1}/workflows"), 401)
    assert "Bearer" in body["detail"]
    assert client.get(f"{V1}/workflows")["WWW-Authenticate"].startswith("Bearer")


def test_unknown_or_revoked_key_is_401(org, workflow):
    api, key = client_for(org)
    assert api.get(f"{V1}/workflows").status_code == 200
    services.api_key_revoke(actor=system(org), api_key_id=key.id)
    problem(api.get(f"{V1}/workflows"), 401)
    problem(bearer("thr_live_not-a-key").get(f"{V1}/workflows"), 401)


def test_token_stands_for_the_key_until_the_key_is_revoked(org, workflow, client):
    key, plain = make_api_key(org)
    response = client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    token_client = bearer(body["access_token"])
    assert token_client.get(f"{V1}/workflows").json()["data"][0]["id"] == str(workflow.id)
    services.api_key_revoke(actor=system(org), api_key_id=key.id)
    problem(token_client.get(f"{V1}/workflows"), 401)


def test_expired_or_forged_token_is_401(org, workflow, client, settings):
    _, plain = make_api_key(org)
    token = client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION=f"Bearer {plain}").json()["access_token"]
    problem(bearer(token[:-2] + "xx").get(f"{V1}/workflows"), 401)
    settings.API_TOKEN_TTL = timedelta(seconds=-1)
    problem(bearer(token).get(f"{V1}/workflows"), 401)


def test_a_token_cannot_mint_tokens_and_a_bad_key_gets_none(org, client):
    _, plain = make_api_key(org)
    token = client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION=f"Bearer {plain}").json()["access_token"]
    problem(client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)
    problem(client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION="Bearer thr_live_guess"), 401)
    problem(client.post(f"{V1}/auth/token"), 401)


def test_missing_scope_is_403_naming_it(org, workflow):
    api, _ = client_for(org, scopes=["sessions:read"])
    body = problem(api.get(f"{V1}/workflows"), 403)
    assert body["missing_scope"] == "workflows:read"
    assert "workflows:read" in body["detail"]
    body = problem(api.post(f"{V1}/sessions", {"workflow_id": str(workflow.id)}, format="json"), 403)
    assert body["missing_scope"] == "sessions:write"


def test_decisions_need_the_review_scope(org, session):
    api, _ = client_for(org, scopes=["sessions:read", "sessions:write"])
    body = problem(api.patch(f"{V1}/sessions/{session.id}", {"status": "approved"}, format="json"), 403)
    assert body["missing_scope"] == "sessions:review"
    response = api.patch(f"{V1}/sessions/{session.id}", {"metadata": {"crm": "42"}}, format="json")
    assert response.status_code == 200 and response.json()["metadata"] == {"crm": "42"}


def test_rate_limit_per_key_answers_429_with_retry_after(org, workflow, settings, one_rate_window):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api, _ = client_for(org)
    other, _ = client_for(org)
    responses = [api.get(f"{V1}/workflows") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0]["RateLimit-Limit"] == "3"
    assert [r["RateLimit-Remaining"] for r in responses[:3]] == ["2", "1", "0"]
    body = problem(responses[3], 429)
    assert 1 <= int(responses[3]["Retry-After"]) <= 61
    assert body["detail"]
    assert other.get(f"{V1}/workflows").status_code == 200  # another key has its own budget


def test_token_endpoint_is_rate_limited_per_client_even_for_bad_keys(client, settings, one_rate_window):
    settings.API_TOKEN_RATE_LIMIT_PER_MINUTE = 2
    codes = [client.post(f"{V1}/auth/token", HTTP_AUTHORIZATION="Bearer thr_live_guess").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
