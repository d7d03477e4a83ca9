import pytest
from django.conf import settings


@pytest.fixture(autouse=True, scope="session")
def _generous_mrz_time_budget():
    """Test machines run many suites at once: reading must not depend on their load. The
    budget itself is exercised by its own test."""
    settings.MRZ_TIME_BUDGET_S = 120
    yield
    del settings.MRZ_TIME_BUDGET_S
