import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_missing_secret_key_with_debug_off_is_a_clear_startup_error():
    result = _run_manage("check", DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_missing_allowed_hosts_with_debug_off_is_a_clear_startup_error():
    result = _run_manage("check", DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_malformed_debug_value_fails_loudly():
    result = _run_manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


@pytest.mark.parametrize("raw, expected", [("TRUE", True), (" off ", False), ("", True), ("1", True), ("no", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    from config.settings.envtools import env_bool

    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=True) is expected


def test_check_deploy_passes_with_production_like_settings():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-" + "k7Qz9" * 10,
        ALLOWED_HOSTS="sat.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_embedded_default_uses_sqlite_and_in_process_tasks():
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.DEBUG]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["django.db.backends.sqlite3", True, True]


def test_database_and_broker_urls_switch_to_postgres_and_a_real_broker():
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER]))"
    )
    env = dict(os.environ, DATABASE_URL="postgres://u@db.example:5432/x", CELERY_BROKER_URL="redis://r:6379/0")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["django.db.backends.postgresql", False]


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["status"] == "error"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from apps.core import views

    monkeypatch.setattr(views, "database_status", lambda: "error: OperationalError")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
