import pytest

from tests import factories


@pytest.fixture
def browser_ready(require_chromium):
    return True


@pytest.fixture
def live_matrix(transactional_db, team):
    """Two analysts and a supervisor with a 3 × 3 matrix, reachable through the live server."""
    alice = factories.member(team, "analyst", username="alice")
    bob = factories.member(team, "analyst", username="bob")
    factories.member(team, "supervisor", username="sam")
    assessment = factories.assessment_with_matrix(team=team, user=alice, evidence=3)
    return {"assessment": assessment, "alice": alice, "bob": bob}


def log_in(page, live_server, username: str, password: str = "pw-for-tests-123"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


# The real-worker fixtures, for the live-update test that goes through Redis and a Celery worker.
from tests.integration.conftest import celery_worker_thread, queue_name, real_celery  # noqa: E402, F401
