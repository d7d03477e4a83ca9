import pytest

from onboarding import services
from tests.factories import make_session, make_workflow, system

ALL_STEPS = [
    {
        "id": "details",
        "type": "form",
        "config": {
            "fields": [
                {
                    "id": "email",
                    "type": "email",
                    "required": True,
                    "label": {"en": "Email", "de": "E-Mail", "fr": "E-mail"},
                },
                {"id": "phone", "type": "phone", "required": False},
                {"id": "birth_date", "type": "date", "required": False},
                {"id": "nationality", "type": "country", "required": False},
                {"id": "home", "type": "address", "required": False},
                {"id": "terms", "type": "checkbox", "required": True},
            ]
        },
    },
    {"id": "identity", "type": "identity_document"},
    {"id": "selfie", "type": "selfie"},
    {"id": "address", "type": "proof_of_address"},
    {"id": "bank", "type": "bank_account"},
    {"id": "analysis", "type": "document_analysis", "required": False, "config": {"document_type": "driver_licence"}},
    {"id": "sign", "type": "signature"},
]
COMPANY_STEPS = [
    {"id": "registry", "type": "company_registry", "config": {"countries": ["FR", "GB"]}},
    {"id": "people", "type": "related_parties", "config": {"roles": ["ubo", "director"], "max_parties": 2}},
]


def enter(client, token):
    """Open a link as a browser does: the token is traded for the link's cookie. The token-free path."""
    response = client.get(f"/s/{token}/")
    assert response.status_code == 302, response.status_code
    return response["Location"]


def open_link(client, session, applicant=None):
    """A fresh link for the session's (first) applicant, opened in `client`: (applicant, token-free portal path)."""
    links = services.links_generate(
        actor=system(session.organization), session_id=session.id, applicant_ids=[applicant.id] if applicant else None
    )
    return links[0].applicant, enter(client, links[0].token)


@pytest.fixture
def portal_workflow(org):
    return make_workflow(org, steps=ALL_STEPS, settings={"max_attempts": 3, "redirect_allowlist": ["shop.example"]})


@pytest.fixture
def portal_session(org, portal_workflow):
    return make_session(org, portal_workflow)


@pytest.fixture
def link(client, portal_session):
    return open_link(client, portal_session)


@pytest.fixture
def company_link(client, org):
    workflow = make_workflow(org, steps=[*COMPANY_STEPS, *ALL_STEPS[:1]])
    session = make_session(org, workflow, input={"company": {"company_name": "Atelier Dubois"}})
    return open_link(client, session)


@pytest.fixture(scope="session")
def signing_pkcs12(tmp_path_factory):
    from onboarding.signing_certificate import self_signed_pkcs12

    path = tmp_path_factory.mktemp("signing") / "organization.p12"
    path.write_bytes(self_signed_pkcs12("Portal test signing", organization="Portal test", password=b"secret"))
    return path


@pytest.fixture
def signing_settings(settings, signing_pkcs12):
    settings.SIGNING_PKCS12_PATH = str(signing_pkcs12)
    settings.SIGNING_PKCS12_PASSWORD = "secret"
    settings.TIMESTAMP_URL = ""


def post_refused(client, url, data=None):
    """A refused post answers with a redirect to its own page (so Back never re-posts); the page says why."""
    response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    return client.get(url)
