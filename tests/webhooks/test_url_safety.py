import pytest

from onboarding import webhooks
from onboarding.errors import ValidationFailed
from onboarding.webhooks.url_safety import UnsafeUrl, check_url
from tests.factories import system


@pytest.fixture
def strict(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
def test_non_public_addresses_are_refused(strict, url):
    with pytest.raises(UnsafeUrl, match="private, loopback or link-local"):
        check_url(url)


def test_public_address_is_accepted(strict):
    assert check_url("https://93.184.215.14/hooks") == ["93.184.215.14"]


def test_unresolvable_host_is_refused(strict):
    with pytest.raises(UnsafeUrl, match="cannot be resolved"):
        check_url("https://no-such-host.invalid/hooks")


def test_production_requires_https(settings):
    settings.PRODUCTION = True
    with pytest.raises(UnsafeUrl, match="https://"):
        check_url("http://93.184.215.14/hooks")


def test_development_allows_loopback_and_http(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    assert check_url("http://127.0.0.1:9000/hooks") == []


def test_credentials_and_other_schemes_are_refused(settings):
    for url in ("https://user:pw@93.184.215.14/", "ftp://93.184.215.14/", "file:///etc/passwd", ""):
        with pytest.raises(UnsafeUrl):
            check_url(url)


def test_registration_refuses_private_url_with_a_field_error(strict, org):
    with pytest.raises(ValidationFailed) as error:
        webhooks.endpoint_create(actor=system(org), url="http://10.0.0.5/hooks")
    assert "url" in error.value.errors
