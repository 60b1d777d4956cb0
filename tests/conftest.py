import os
import socket
from urllib.parse import urlparse

import pytest

from tests import factories

pytest_plugins = ("celery.contrib.pytest",)

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# live-server tests from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str):
    """Skip, or fail when REQUIRE_SERVICES=1 says the integration tier must run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("PostgreSQL is not configured (set DATABASE_URL=postgres://…)")


@pytest.fixture
def require_broker(settings):
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        service_missing("no Redis broker configured (set CELERY_BROKER_URL=redis://…)")
    if not _reachable(url, 6379):
        service_missing(f"the Redis broker at {url} is unreachable")
    return url


# Personas: an analyst, a teammate (second analyst), a supervisor of the same team, an outsider.
@pytest.fixture
def team(db):
    return factories.TeamFactory(name="Maghreb Desk")


@pytest.fixture
def other_team(db):
    return factories.TeamFactory(name="Sahel Cell")


@pytest.fixture
def analyst(team):
    return factories.member(team, "analyst", username="alice")


@pytest.fixture
def teammate(team):
    return factories.member(team, "analyst", username="bob")


@pytest.fixture
def supervisor(team):
    return factories.member(team, "supervisor", username="sam")


@pytest.fixture
def outsider(other_team):
    return factories.member(other_team, "analyst", username="oscar")


@pytest.fixture
def assessment(team, analyst):
    return factories.assessment_with_matrix(team=team, user=analyst)


@pytest.fixture
def send_digests(settings):
    """Send the alert digests as beat would once their window has passed (apps/assessments/services/digests.py)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.assessments.services.digests import digests_send_due

    def send() -> list[int]:
        return digests_send_due(now=timezone.now() + timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES, seconds=1))

    return send


def login(client, user):
    client.force_login(user)
    return client
