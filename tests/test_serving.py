"""The production web server's configuration and the embedded server's scope."""

import runpy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

GUNICORN_CONF = str(Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py")


def test_gunicorn_binds_host_and_port_with_workers_and_threads_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "5")
    conf = runpy.run_path(GUNICORN_CONF)
    assert conf["bind"] == "0.0.0.0:9123"
    assert (conf["workers"], conf["threads"]) == (3, 5)


@pytest.mark.parametrize("value", ["four", "0", "-2", "2.5"])
def test_gunicorn_refuses_a_malformed_worker_count(monkeypatch, value):
    monkeypatch.setenv("WEB_CONCURRENCY", value)
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a positive whole number"):
        runpy.run_path(GUNICORN_CONF)


def test_the_embedded_server_refuses_a_real_broker_and_points_at_the_procfile(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(CommandError, match="Procfile"):
        call_command("serve", "--port", "0")


def test_database_connections_are_persistent_and_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_beat_keeps_its_schedule_under_the_data_directory(settings):
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent == settings.DATA_DIR
