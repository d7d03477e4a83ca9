"""Webhook delivery connects only to the address vetted for that request, whatever the URL
string turns into; embedded private IPv4 addresses are refused; errors reveal no open ports."""

import socket

import pytest

from onboarding import webhooks
from onboarding.errors import ValidationFailed
from onboarding.webhooks import delivery, url_safety
from onboarding.webhooks.url_safety import UnsafeUrl, check_url
from tests.factories import system
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",  # IPv4-compatible
        "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
        "[64:ff9b::a00:5]",  # NAT64 of 10.0.0.5
        "[64:ff9b:1::a9fe:a9fe]",  # local-use NAT64 of 169.254.169.254
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[2002:c0a8:1::1]",  # 6to4 of 192.168.0.1
    ],
)
def test_ipv6_forms_of_private_addresses_are_refused(strict, host):
    with pytest.raises(UnsafeUrl, match="private, loopback or link-local"):
        check_url(f"https://{host}/hooks")


def test_nat64_of_a_public_address_is_accepted(strict):
    assert check_url("https://[64:ff9b::808:808]/hooks") == ["64:ff9b::808:808"]


@pytest.mark.parametrize(
    "url",
    ["https://rebind.test:8444/a b", "https://rebind.test/a\tb", "https://exämple.test/", 'https://rebind.test/"x"'],
)
def test_registration_refuses_urls_the_client_would_rewrite(org, url):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.endpoint_create(actor=system(org), url=url)
    assert "encode spaces" in refused.value.errors["url"][0]


def test_delivery_stays_pinned_to_the_vetted_address_whatever_the_url_string(strict, monkeypatch):
    """rebind.test answers the check with the receiver's address, every later lookup with another
    loopback address where nothing listens: only a pinned connection reaches the receiver."""
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # The test receiver stands on loopback: count it as the public address it plays.
    monkeypatch.setattr(url_safety, "_public", lambda address: str(address) == "127.0.0.1")
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        # Valid as it is, but requests re-quotes %2D to "-": the URL requested differs from the URL checked.
        outcome = delivery.send(f"http://rebind.test:{port}/a%2Db", b"{}", {"content-type": "application/json"})
        spaced = delivery.send(f"http://rebind.test:{port}/a b", b"{}", {})
    assert outcome.status_code == 200 and len(receiver.requests) == 1
    assert lookups == ["rebind.test"]  # one lookup: the vetting one
    assert receiver.requests[0].headers["host"] == f"rebind.test:{port}"
    assert spaced.error.startswith("Refused") and len(receiver.requests) == 1  # stored before normalisation


def test_delivery_errors_do_not_tell_open_from_closed_ports():
    with Receiver() as silent:
        silent.server.RequestHandlerClass.do_POST = lambda handler: handler.connection.close()
        reset = delivery.send(silent.url, b"{}", {})
    refused = delivery.send("http://127.0.0.1:9/hooks", b"{}", {})
    assert reset.error == refused.error and reset.status_code is refused.status_code is None
    assert "9" not in refused.error.replace("(unreachable, or silent for 10 s)", "")
