import ipaddress
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding import webhooks
from onboarding.errors import NotFound
from onboarding.models import OutboxMessage, WebhookDelivery
from onboarding.webhooks import delivery as delivery_module
from onboarding.webhooks import url_safety
from onboarding.webhooks.schedule import MAX_ATTEMPTS
from tests.factories import OrganizationFactory, make_session, system
from tests.webhooks.receiver import Receiver
from tests.webhooks.standard_webhooks import valid_signatures


@pytest.fixture
def create_session(org, form_workflow, django_capture_on_commit_callbacks):
    """Create a session (emits session.created) and run what is scheduled on commit."""

    def create(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return make_session(org, form_workflow, **kwargs)

    return create


def make_due(delivery):
    WebhookDelivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_event_is_delivered_signed_with_a_thin_payload(receiver, endpoint_for, create_session):
    endpoint, secret = endpoint_for(receiver)
    session = create_session(reference_id="customer-42")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert valid_signatures(secret, request.headers, request.body) == 1
    message = OutboxMessage.objects.get(event_type="session.created")
    assert request.headers["webhook-id"] == str(message.id)
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 30
    event = json.loads(request.body)
    assert event["type"] == "session.created"
    assert event["data"] == {
        "session_id": str(session.id),
        "reference_id": "customer-42",
        "custom_tags": [],
        "status": "draft",
    }
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "succeeded" and delivery.attempt_count == 1 and delivery.last_status_code == 200
    attempt = delivery.attempts.get()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"


def test_only_subscribed_enabled_endpoints_of_the_organization_and_environment_receive(
    receiver, endpoint_for, create_session
):
    endpoint_for(receiver, event_types=["session.expired"])
    endpoint_for(receiver, environment="sandbox")
    endpoint_for(receiver, organization=OrganizationFactory())
    disabled, _ = endpoint_for(receiver)
    webhooks.endpoint_update(actor=system(disabled.organization), endpoint_id=disabled.id, enabled=False)
    all_events, _ = endpoint_for(receiver, event_types=[])
    create_session()
    assert {d.endpoint_id for d in WebhookDelivery.objects.all()} == {all_events.id}
    assert len(receiver.requests) >= 1


def test_failing_receiver_is_retried_with_the_same_webhook_id_until_it_succeeds(endpoint_for, create_session):
    with Receiver([(500, {}, b"boom"), (502, {}, b"")]) as receiver:
        endpoint, secret = endpoint_for(receiver)
        create_session()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempt_count == 1
        assert delivery.next_attempt_at > timezone.now()
        for _ in range(2):
            assert webhooks.sweep() == (0, 0)  # not due yet
            make_due(delivery)
            assert webhooks.sweep() == (0, 1)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 3
    assert [a.status_code for a in delivery.attempts.all()] == [500, 502, 200]
    assert delivery.attempts.first().response_excerpt == "boom"
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(valid_signatures(secret, r.headers, r.body) == 1 for r in receiver.requests)


def test_retry_after_is_honoured(endpoint_for, create_session):
    with Receiver([(503, {"Retry-After": "3600"}, b"")]) as receiver:
        endpoint_for(receiver)
        create_session()
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_attempt_at - timezone.now() > timedelta(minutes=59)


def test_delivery_fails_after_the_last_retry(endpoint_for, create_session):
    with Receiver([(500, {}, b"")] * 2) as receiver:
        endpoint_for(receiver)
        create_session()
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(id=delivery.id).update(attempt_count=MAX_ATTEMPTS - 1)
        make_due(delivery)
        webhooks.sweep()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None


def test_410_disables_the_endpoint(endpoint_for, create_session):
    with Receiver([(410, {}, b"gone")]) as receiver:
        endpoint, _ = endpoint_for(receiver)
        create_session()
        endpoint.refresh_from_db()
        assert not endpoint.enabled and "410" in endpoint.disabled_reason
        assert WebhookDelivery.objects.get().status == "failed"
        create_session()
    assert WebhookDelivery.objects.count() == 1


def test_redirects_are_not_followed(endpoint_for, create_session):
    with Receiver([(302, {"Location": "http://127.0.0.1:1/elsewhere"}, b"")]) as receiver:
        endpoint_for(receiver)
        create_session()
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1
    assert delivery.status == "pending" and delivery.last_status_code == 302


def test_unreachable_receiver_is_logged_as_an_error(endpoint_for, create_session):
    class Closed:
        url = "http://127.0.0.1:9/hooks"

    endpoint_for(Closed)
    create_session()
    attempt = WebhookDelivery.objects.get().attempts.get()
    assert attempt.status_code is None and attempt.error.startswith("No answer from the receiver")


def test_worker_killed_after_sending_re_sends_with_the_same_webhook_id(
    receiver, endpoint_for, create_session, monkeypatch
):
    endpoint_for(receiver)
    real_record = delivery_module._record

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(delivery_module, "_record", killed)
    with pytest.raises(SystemExit):
        create_session()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempt_count == 0
    # Still leased: a sweep right away does not send it twice at once.
    assert webhooks.sweep()[1] == 0
    monkeypatch.setattr(delivery_module, "_record", real_record)
    make_due(delivery)
    webhooks.sweep()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_sweeper_dispatches_messages_whose_dispatch_was_lost(
    receiver, endpoint_for, org, form_workflow, django_capture_on_commit_callbacks
):
    endpoint_for(receiver)
    make_session(org, form_workflow)  # on-commit callbacks never run here: the dispatch is lost
    message = OutboxMessage.objects.get(event_type="session.created")
    assert message.dispatched_at is None and not receiver.requests
    assert webhooks.sweep() == (0, 0)  # within the grace period
    OutboxMessage.objects.filter(id=message.id).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        dispatched, _ = webhooks.sweep()
    assert dispatched >= 1
    assert len(receiver.requests) == 1
    assert webhooks.dispatch_message(message.id) == []  # dispatching twice creates nothing


def test_redeliver_sends_again_with_a_fresh_signature(
    receiver, endpoint_for, create_session, org, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_for(receiver)
    create_session()
    delivery = WebhookDelivery.objects.get()
    webhooks.endpoint_rotate_secret(actor=system(org), endpoint_id=endpoint.id)
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(actor=system(org), endpoint_id=endpoint.id, delivery_id=delivery.id)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert valid_signatures(endpoint.secret, second.headers, second.body) == 1
    assert valid_signatures(secret, second.headers, second.body) == 1  # the old secret during the overlap
    assert valid_signatures(endpoint.secret, first.headers, first.body) == 0
    assert delivery.attempts.count() == 2


def test_delivery_time_check_refuses_a_url_that_became_private(receiver, endpoint_for, create_session, settings):
    endpoint_for(receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    create_session()
    attempt = WebhookDelivery.objects.get().attempts.get()
    assert attempt.error.startswith("Refused") and not receiver.requests


def test_another_organization_cannot_touch_an_endpoint(receiver, endpoint_for, other_org):
    endpoint, _ = endpoint_for(receiver)
    with pytest.raises(NotFound):
        webhooks.endpoint_update(actor=system(other_org), endpoint_id=endpoint.id, description="x")
    with pytest.raises(NotFound):
        webhooks.redeliver(actor=system(other_org), endpoint_id=endpoint.id, delivery_id=endpoint.id)


def test_delivery_connects_to_the_address_that_was_vetted(endpoint_for, create_session, settings, monkeypatch):
    """A second DNS answer cannot redirect the request: the checked address is the one connected to."""
    with Receiver() as receiver:
        port = receiver.server.server_address[1]

        class Named:
            url = f"http://hooks.receiver.test:{port}/hooks"

        endpoint_for(Named)
        settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
        # The host "resolves" to the receiver's loopback address, taken as public for this test only.
        monkeypatch.setattr(url_safety, "_resolve", lambda host, port: {ipaddress.ip_address("127.0.0.1")})
        monkeypatch.setattr(url_safety, "_public", lambda address: True)
        create_session()
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert receiver.requests[0].headers["host"] == f"hooks.receiver.test:{port}"


def test_pending_deliveries_of_a_disabled_endpoint_end_without_a_request(endpoint_for, create_session, org):
    with Receiver([(500, {}, b"")]) as receiver:
        endpoint, _ = endpoint_for(receiver)
        create_session()
        webhooks.endpoint_update(actor=system(org), endpoint_id=endpoint.id, enabled=False)
        delivery = WebhookDelivery.objects.get()
        make_due(delivery)
        webhooks.sweep()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts.count() == 1
    assert len(receiver.requests) == 1
