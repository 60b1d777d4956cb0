"""The API's rate limits hold across gunicorn workers: with Redis configured, every worker shares the counters."""

import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.api.services import token_create
from config.settings.envtools import redis_sibling
from tests import factories
from tests.integration.conftest import ROOT, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RATE = 12
WORKERS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None, *, attempts: int = 5) -> int:
    """The status, or 0 when no answer came; a refused or reset connection (a worker still starting) is retried."""
    request = urllib.request.Request(url, headers=headers or {})
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            continue
    return 0


@pytest.fixture
def cache_url(require_broker):
    import redis

    # TEST_CACHE_URL picks a database of one's own on a shared Redis; by default the settings' own rule.
    url = os.environ.get("TEST_CACHE_URL") or redis_sibling(require_broker)
    client = redis.Redis.from_url(url)
    for key in client.scan_iter("*throttle_api*"):
        client.delete(key)
    return url


@pytest.fixture
def gunicorn(require_postgres, require_broker, cache_url, tmp_path):
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    web_port = _free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}",
        CELERY_BROKER_URL=require_broker,
        CACHE_URL=cache_url,
        API_RATE=f"{RATE}/min",
        PORT=str(web_port),
        WEB_CONCURRENCY=str(WORKERS),
        WEB_THREADS="1",
        DEBUG="false",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        # Plain static storage: this test runs no collectstatic, and the manifest's is not what it checks.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATA_DIR=str(tmp_path),
        WEB_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{web_port}"
    try:
        wait_for(lambda: _get(f"{base}/healthz", attempts=1) in (200, 503), timeout=60, interval=0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_rate_limit_holds_across_four_workers_sharing_the_redis_cache(gunicorn):
    _, secret = token_create(user=factories.UserFactory(username="feed"), name="feed")
    headers = {"Authorization": f"Bearer {secret}"}
    # Concurrent requests, so that every worker takes some of them.
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        statuses = list(pool.map(lambda _: _get(f"{gunicorn}/api/v1/assessments/", headers), range(RATE * 3)))
    assert 0 not in statuses
    assert statuses.count(200) == RATE
    assert statuses.count(429) == RATE * 2
