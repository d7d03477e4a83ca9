"""Factories and builders for tests. Domain objects go through the services, as in production."""

import factory
from django.contrib.auth import get_user_model

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Membership, Organization, Role, Scope

IDENTITY_STEPS = [
    {
        "id": "details",
        "type": "form",
        "config": {
            "fields": [
                {"id": "email", "type": "email", "required": True},
                {"id": "phone", "type": "phone", "required": False},
            ]
        },
    },
    {"id": "identity", "type": "identity_document"},
    {"id": "address", "type": "proof_of_address", "config": {"max_age_months": 3}},
    {"id": "bank", "type": "bank_account"},
]
FORM_ONLY_STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
]
ALICE = {
    "identity": {"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12", "nationality": "SE"},
    "address": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
    "bank_account": {"iban": "FR7630006000011234567890189"},
}


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER


def system(organization):
    return Actor.system(organization.id)


def make_api_key(organization, scopes=None, environment="live", name="test key"):
    """(ApiKey, plain key)."""
    return services.api_key_create(
        actor=system(organization), name=name, scopes=scopes or list(Scope.values), environment=environment
    )


def make_workflow(organization, steps=None, settings=None, publish=True, name="KYC", environment="live"):
    return services.workflow_create(
        actor=system(organization),
        name=name,
        steps=steps or IDENTITY_STEPS,
        settings=settings or {},
        publish=publish,
        environment=environment,
    )


def make_session(organization, workflow=None, actor=None, **kwargs):
    workflow = workflow or make_workflow(organization)
    kwargs.setdefault("input", {k: dict(v) for k, v in ALICE.items()})
    return services.session_create(actor=actor or system(organization), workflow_id=workflow.id, **kwargs)


def sample_png(size=(64, 48), color=(200, 210, 220)):
    """A small real PNG, for tests about storage rather than content."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()
