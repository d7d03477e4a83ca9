import base64
from datetime import timedelta

from django.utils import timezone

from onboarding.models import WebhookEndpoint
from onboarding.webhooks import signatures
from onboarding.webhooks.endpoints import signing_secrets
from tests.webhooks.standard_webhooks import valid_signatures


def test_secret_is_whsec_with_32_random_bytes():
    secret = signatures.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != signatures.new_secret()


def test_signature_verifies_with_an_independent_implementation():
    secret = signatures.new_secret()
    body = b'{"type":"session.created"}'
    sent = signatures.headers([secret], "msg_1", 1700000000, body)
    assert sent["webhook-id"] == "msg_1" and sent["webhook-timestamp"] == "1700000000"
    assert valid_signatures(secret, sent, body) == 1
    assert valid_signatures(secret, sent, body + b" ") == 0
    assert valid_signatures(signatures.new_secret(), sent, body) == 0
    assert valid_signatures(secret, {**sent, "webhook-timestamp": "1700000001"}, body) == 0


def test_known_vector_of_the_standard_webhooks_specification():
    # Test vector published with the Standard Webhooks reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signatures.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_rotation_signs_with_both_secrets_until_the_overlap_ends(org):
    now = timezone.now()
    endpoint = WebhookEndpoint(
        organization=org,
        url="https://example.com",
        secret=signatures.new_secret(),
        previous_secret=signatures.new_secret(),
        previous_secret_expires_at=now + timedelta(hours=1),
    )
    body = b"{}"
    sent = signatures.headers(signing_secrets(endpoint, now), "m", 1, body)
    assert valid_signatures(endpoint.secret, sent, body) == 1
    assert valid_signatures(endpoint.previous_secret, sent, body) == 1
    later = signing_secrets(endpoint, now + timedelta(hours=2))
    assert later == [endpoint.secret]
