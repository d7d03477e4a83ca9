import pytest

from onboarding.signing_certificate import self_signed_pkcs12

PASSWORD = "correct horse"


@pytest.fixture(scope="session")
def organization_pkcs12(tmp_path_factory):
    path = tmp_path_factory.mktemp("signing") / "organization.p12"
    path.write_bytes(
        self_signed_pkcs12("Acme Bank document signing", organization="Acme Bank", password=PASSWORD.encode())
    )
    return path


@pytest.fixture(autouse=True)
def signing_certificate(settings, organization_pkcs12):
    """Documents are signed with the organization certificate configured in settings."""
    settings.SIGNING_PKCS12_PATH = str(organization_pkcs12)
    settings.SIGNING_PKCS12_PASSWORD = PASSWORD
    settings.TIMESTAMP_URL = ""
    return organization_pkcs12
