"""Settings for admins: API keys, members and roles, webhook endpoints and deliveries, watchlist upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding import services, webhooks
from onboarding.models import ApiKey, Event, Membership, OutboxMessage, WatchlistDataset, WebhookDelivery
from tests.factories import MembershipFactory, system

WATCHLIST_CSV = (
    "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,"
    "first_seen,last_seen,last_change\n"
    "Q-1,Person,Ivan Petrov,Ivan Petrow,1970-01-01,ru,,,,,,eu_fsf,,,\n"
    "Q-2,Person,Maria Lopez,,1980-05-05,es,,,,,,un_sc,,,\n"
)


@pytest.fixture
def admin(member):
    return member("admin")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_create_an_api_key_shows_it_once(admin_client):
    response = admin_client.post(
        reverse("dashboard:api_keys"), {"name": "CRM", "scopes": ["sessions:read"], "environment": "sandbox"}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key, plain = response.context["created"]
    assert plain in response.content.decode()
    assert services.api_key_authenticate(plain) == key
    assert (key.scopes, key.environment) == (["sessions:read"], "sandbox")
    assert plain not in admin_client.get(reverse("dashboard:api_keys")).content.decode()


def test_api_key_needs_a_scope(admin_client):
    response = admin_client.post(reverse("dashboard:api_keys"), {"name": "CRM", "environment": "live"})
    assert response.context["form"].errors["scopes"]
    assert not ApiKey.objects.exists()


def test_revoke_an_api_key(admin_client, org):
    key, plain = services.api_key_create(actor=system(org), name="Old", scopes=["sessions:read"])
    admin_client.post(reverse("dashboard:api_key_revoke", args=[key.id]))
    assert services.api_key_authenticate(plain) is None
    assert Event.objects.filter(action="api_key.revoked").exists()


def test_revoking_a_key_of_another_organization_is_not_found(admin_client, other_org):
    key, _ = services.api_key_create(actor=system(other_org), name="Theirs", scopes=["sessions:read"])
    assert admin_client.post(reverse("dashboard:api_key_revoke", args=[key.id])).status_code == 404


def test_change_a_members_role(admin_client, org):
    membership = MembershipFactory(organization=org, role="viewer")
    admin_client.post(reverse("dashboard:member_role", args=[membership.id]), {"role": "reviewer"})
    membership.refresh_from_db()
    assert membership.role == "reviewer"


def test_admin_cannot_change_their_own_role(admin_client, admin, org):
    membership = Membership.objects.get(user=admin, organization=org)
    response = admin_client.post(
        reverse("dashboard:member_role", args=[membership.id]), {"role": "viewer"}, follow=True
    )
    assert "cannot change your own role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_member_of_another_organization_is_not_found(admin_client, other_org):
    foreign = MembershipFactory(organization=other_org)
    response = admin_client.post(reverse("dashboard:member_role", args=[foreign.id]), {"role": "admin"})
    assert response.status_code == 404


@pytest.fixture
def endpoint_with_delivery(org):
    endpoint, _ = webhooks.endpoint_create(actor=system(org), url="http://127.0.0.1:9/hook")
    message = OutboxMessage.objects.create(organization=org, event_type="session.created", payload={"x": 1})
    delivery = WebhookDelivery.objects.create(
        organization=org, endpoint=endpoint, message=message, status="failed", attempt_count=3, last_status_code=500
    )
    delivery.attempts.create(status_code=500, duration_ms=12, error="server error")
    return endpoint, delivery


def test_create_a_webhook_endpoint_shows_its_secret_once(admin_client):
    response = admin_client.post(
        reverse("dashboard:webhooks"),
        {"url": "http://127.0.0.1:8001/hooks", "environment": "live", "event_types": ["session.created"]},
    )
    endpoint, secret = response.context["created"]
    assert secret in response.content.decode()
    assert endpoint.event_types == ["session.created"]


def test_delivery_log_shows_attempts_and_redeliver_queues_again(
    admin_client, endpoint_with_delivery, django_capture_on_commit_callbacks
):
    endpoint, delivery = endpoint_with_delivery
    page = admin_client.get(reverse("dashboard:webhook_deliveries", args=[endpoint.id])).content.decode()
    assert "session.created" in page and "server error" in page and "12 ms" in page
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(reverse("dashboard:webhook_redeliver", args=[endpoint.id, delivery.id]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("pending", 0)
    assert Event.objects.filter(action="webhook_delivery.redelivered").exists()


def test_disable_an_endpoint(admin_client, endpoint_with_delivery):
    endpoint, _ = endpoint_with_delivery
    admin_client.post(reverse("dashboard:webhook_toggle", args=[endpoint.id]))
    endpoint.refresh_from_db()
    assert endpoint.enabled is False


def test_deliveries_of_another_organization_are_not_found(admin_client, other_org):
    endpoint, _ = webhooks.endpoint_create(actor=system(other_org), url="http://127.0.0.1:9/hook")
    assert admin_client.get(reverse("dashboard:webhook_deliveries", args=[endpoint.id])).status_code == 404


def test_upload_a_watchlist_shows_its_version_and_size(admin_client, org):
    upload = SimpleUploadedFile("targets.simple.csv", WATCHLIST_CSV.encode(), content_type="text/csv")
    response = admin_client.post(
        reverse("dashboard:watchlist"), {"name": "sanctions", "version": "20261101", "file": upload}, follow=True
    )
    assert "2 new" in response.content.decode()
    dataset = WatchlistDataset.objects.get(organization=org)
    assert (dataset.name, dataset.version, dataset.entry_count) == ("sanctions", "20261101", 2)
    page = response.content.decode()
    assert "20261101" in page and "targets.simple.csv" in page
    assert Event.objects.filter(action="watchlist.loaded", data__entry_count=2).exists()


def test_unreadable_watchlist_file_is_reported(admin_client):
    upload = SimpleUploadedFile("list.jsonl", b"{not json\n", content_type="application/json")
    response = admin_client.post(reverse("dashboard:watchlist"), {"name": "bad", "file": upload})
    assert "Cannot read this list" in response.content.decode()
    assert not WatchlistDataset.objects.filter(entry_count__gt=0).exists()


def _grow(org, endpoint, count, start=0):
    for index in range(start, start + count):
        services.api_key_create(
            actor=system(org),
            name=f"key {index}",
            scopes=["sessions:read"],
            created_by=MembershipFactory(organization=org).user,
        )
        message = OutboxMessage.objects.create(organization=org, event_type="session.created", payload={})
        delivery = WebhookDelivery.objects.create(organization=org, endpoint=endpoint, message=message)
        delivery.attempts.create(status_code=500)
        webhooks.endpoint_create(actor=system(org), url=f"http://127.0.0.1:9/hook{index}")
        WatchlistDataset.objects.create(organization=org, name=f"list{index}", version="1")


def test_settings_lists_run_constant_queries(admin_client, org, endpoint_with_delivery, django_assert_max_num_queries):
    endpoint, _ = endpoint_with_delivery
    urls = [
        reverse("dashboard:api_keys"),
        reverse("dashboard:members"),
        reverse("dashboard:webhooks"),
        reverse("dashboard:webhook_deliveries", args=[endpoint.id]),
        reverse("dashboard:watchlist"),
    ]
    _grow(org, endpoint, 1)
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts[url] = len(queries.captured_queries)
    _grow(org, endpoint, 5, start=1)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            admin_client.get(url)
