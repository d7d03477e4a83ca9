"""The receiver example given in the README, run against real deliveries."""

import re
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from onboarding import webhooks
from onboarding.models import WebhookDelivery
from onboarding.webhooks.signatures import headers as signed_headers
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system
from tests.webhooks import readme_receiver

EXAMPLE = Path(readme_receiver.__file__)


@pytest.fixture(autouse=True)
def fresh_ids():
    readme_receiver.seen_ids.clear()


class ExampleServer:
    """The README's handler served on 127.0.0.1; `events` holds what it processed."""

    def __init__(self):
        self.events, self.server = [], None

    def start(self, secret):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), readme_receiver.make_handler(secret, self.events.append))
        self.server.RequestHandlerClass.log_message = lambda *args: None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"


@pytest.fixture
def example_server():
    running = ExampleServer()
    yield running
    if running.server:
        running.server.shutdown()
        running.server.server_close()


def test_example_accepts_real_deliveries_and_ignores_redeliveries(
    org, example_server, django_capture_on_commit_callbacks
):
    actor = system(org)
    endpoint, secret = webhooks.endpoint_create(
        actor=actor, url="http://127.0.0.1:1/placeholder", event_types=["session.created"]
    )
    webhooks.endpoint_update(actor=actor, endpoint_id=endpoint.id, url=example_server.start(secret))
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS))
    assert [e["data"]["session_id"] for e in example_server.events] == [str(session.id)]
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts.get().status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(actor=actor, endpoint_id=endpoint.id, delivery_id=delivery.id)
    assert len(example_server.events) == 1  # same webhook-id: acknowledged, not processed twice
    assert delivery.attempts.last().status_code == 204


def test_example_rejects_a_wrong_secret_with_400(org, example_server, django_capture_on_commit_callbacks):
    actor = system(org)
    webhooks.endpoint_create(
        actor=actor, url=example_server.start("whsec_" + "A" * 44), event_types=["session.created"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS))
    assert not example_server.events
    assert WebhookDelivery.objects.get().attempts.get().status_code == 400


def test_example_rejects_stale_timestamps_and_tampered_bodies():
    secret = "whsec_" + "B" * 44
    body = b'{"type":"session.created"}'
    sent = signed_headers([secret], "msg_1", int(time.time()) - 3600, body)
    with pytest.raises(readme_receiver.InvalidWebhook, match="stale"):
        readme_receiver.verify(secret, sent, body)
    fresh = signed_headers([secret], "msg_2", int(time.time()), body)
    with pytest.raises(readme_receiver.InvalidWebhook, match="signature"):
        readme_receiver.verify(secret, fresh, body.replace(b"created", b"expired"))
    assert readme_receiver.verify(secret, fresh, body) == {"type": "session.created"}
    assert readme_receiver.verify(secret, fresh, body) is None


def test_readme_shows_exactly_this_example():
    readme = Path(settings.BASE_DIR, "README.md")
    text = readme.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert EXAMPLE.read_text() in blocks
