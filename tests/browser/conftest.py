import os

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import service_missing

# Playwright's assertions wait 5 s by default: on a CI box whose cores are busy with other work (or with
# ops/hog-test's busy loops) a live-server page can take longer, so every assertion waits up to 20 s for its
# condition. A passing assertion returns as soon as it holds; only a failure waits the whole time.
expect.set_options(timeout=20_000)

# CHROMIUM_PATH points the browser tests at another Chromium (or, in tests, at a broken one).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def chromium_problem(path: str) -> str | None:
    if not os.path.exists(path):
        return f"Chromium is not installed at {path} (apt-get install chromium)"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"Chromium at {path} is not an executable file"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # pytest-playwright's session-scoped browser is set up before any function-scoped fixture,
    # so the skip has to happen here, before it tries to launch.
    problem = chromium_problem(CHROMIUM)
    if problem:
        service_missing(problem)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_ready():
    from django.db import connection

    problem = chromium_problem(CHROMIUM)
    if problem:
        service_missing(problem)
    # The live server answers from its own threads; SQLite's shared in-memory test database then locks
    # ("database table is locked") while a page polls, and the lock outlives the test.
    if connection.vendor != "postgresql":
        service_missing("the browser tests need PostgreSQL (set DATABASE_URL=postgres://…)")
    return True


@pytest.fixture(autouse=True)
def _pages_closed_before_the_database_is_flushed(transactional_db, browser):
    """Close every page a test opened before its database is emptied.

    Pages opened with browser.new_page() outlive the test otherwise and keep polling the live server:
    their requests then hold locks that the teardown's flush waits on (a deadlock on a busy machine),
    or they land in the next test's database. Requesting transactional_db here makes this teardown run first.
    """
    yield
    for context in browser.contexts:
        context.close()


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
