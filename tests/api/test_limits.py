"""The API's request limits: the strict JSON loader, shared rate-limit counters, documentation for members only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def evidence_url(assessment) -> str:
    return reverse("api:evidence-list", kwargs={"assessment_pk": assessment.pk})


def test_a_body_nested_a_thousand_deep_is_a_400_with_a_reason(api, world):
    body = "[" * 1000 + "]" * 1000
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
    assert world.evidence.count() == 5


def test_a_body_with_a_key_twice_is_a_400_naming_the_key(api, world):
    body = '{"summary": "first", "summary": "second"}'
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert "'summary' appears twice" in response.json()["detail"]
    assert world.evidence.count() == 5


@pytest.mark.parametrize("body", ['{"summary": NaN}', b'{"summary": "\xff"}', '{"summary": "a\\u0000b"}'])
def test_nan_bad_utf8_and_nul_are_refused_with_400(api, world, body):
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"].startswith("JSON parse error")
    assert world.evidence.count() == 5


def test_a_good_body_still_parses(api, world):
    body = json.dumps({"summary": "Courier intercepted near Gao"})
    assert api.generic("POST", evidence_url(world), body, content_type="application/json").status_code == 201


def _settings_with(**env: str) -> dict:
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.CACHES))"
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["default"]


def test_with_a_redis_broker_the_cache_defaults_to_the_next_database_of_that_server():
    cache = _settings_with(CELERY_BROKER_URL="redis://redis.internal:6380/4")
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://redis.internal:6380/5"
    assert _settings_with(CELERY_BROKER_URL="redis://r:6379/3", CACHE_URL="redis://c:6379/9")["LOCATION"] == (
        "redis://c:6379/9"
    )


def test_gunicorn_refuses_several_workers_on_a_local_memory_cache():
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    # Refused before it binds: the port is never opened.
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.base", WEB_CONCURRENCY="2", PORT="8999")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "2 web workers on a local-memory cache" in result.stderr + result.stdout
