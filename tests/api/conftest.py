import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.api.services import token_create
from apps.assessments.services import snapshot_compute
from apps.indicators.services import indicator_create
from apps.key_assumptions.services import assumption_create


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Rate-limit counters live in the default cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def client_for(user, *, read_only: bool = False) -> APIClient:
    client = APIClient()
    if user is not None:
        _, secret = token_create(user=user, name="test feed", read_only=read_only)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def api(analyst):
    return client_for(analyst)


@pytest.fixture
def world(assessment, analyst):
    """The assessment with an assumption (A1), an indicator (IND1) and a first score snapshot."""
    hypotheses = list(assessment.hypotheses.all())
    assumption_create(
        assessment=assessment,
        user=analyst,
        statement="AQIM keeps its Sahel safe havens",
        confidence="caveats",
        impact="high",
        supports=[hypotheses[0]],
    )
    indicator_create(assessment=assessment, user=analyst, statement="Kidnappings for ransom rise")
    snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment
