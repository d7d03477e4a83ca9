import pytest

from onboarding import webhooks
from tests.factories import FORM_ONLY_STEPS, make_workflow, system
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint_for(org):
    """Register an endpoint of `org` for a receiver: (endpoint, secret)."""

    def register(receiver, event_types=("session.created",), organization=None, **kwargs):
        return webhooks.endpoint_create(
            actor=system(organization or org), url=receiver.url, event_types=list(event_types), **kwargs
        )

    return register


@pytest.fixture
def form_workflow(org):
    return make_workflow(org, steps=FORM_ONLY_STEPS)
