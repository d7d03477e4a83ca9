import os

import pytest

from tests.factories import MembershipFactory, OrganizationFactory, make_session, make_workflow, system


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process unless a test asks for a real worker (the `redis` marker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL")
    skip_redis = pytest.mark.skip(reason="needs REDIS_URL")
    on_pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    # Browser tests last: Playwright keeps an event loop running in the main thread for the
    # rest of the session, which code calling asyncio.run (PDF signing) cannot run under.
    items.sort(key=lambda item: "e2e" in item.keywords)
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture
def org(db):
    return OrganizationFactory()


@pytest.fixture
def other_org(db):
    return OrganizationFactory()


@pytest.fixture
def actor(org):
    return system(org)


@pytest.fixture
def workflow(org):
    return make_workflow(org)


@pytest.fixture
def session(org, workflow):
    return make_session(org, workflow)


@pytest.fixture
def reviewer(org):
    return MembershipFactory(organization=org, role="reviewer").user


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    """Run what services schedule after commit (eager Celery tasks) as each service returns."""
    from onboarding import services as package

    def committing(service):
        def call(*args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return service(*args, **kwargs)

        return call

    for name in package.__all__:
        monkeypatch.setattr(package, name, committing(getattr(package, name)))


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters and cached values must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def one_rate_window(monkeypatch):
    """Rate limits count in fixed one-minute windows: pinned mid-window, a test's burst cannot
    straddle two of them however slow the machine."""
    from onboarding import ratelimit

    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_030.0)
