"""The production process set never serves debug pages unless DEBUG=true is set explicitly."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"DATABASE_URL": "postgres://u@db.example:5432/x", "CELERY_BROKER_URL": "redis://r.example:6379/0"}
SET_BY_TESTS = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
SETTINGS_PROBE = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.base'; "
    "from django.conf import settings; print(json.dumps([settings.DEBUG, settings.SECURE_SSL_REDIRECT]))"
)


def _clean_env(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SET_BY_TESTS}
    return clean | env


def _settings(**env: str) -> list:
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=_clean_env(**env), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_with_real_services_and_no_debug_setting_debug_is_off():
    assert _settings(**SERVICES, SECRET_KEY="k" * 60, ALLOWED_HOSTS="sat.example.org") == [False, True]


def test_debug_is_on_with_real_services_only_when_set_explicitly():
    assert _settings(**SERVICES, DEBUG="true")[0] is True


def test_the_embedded_demo_keeps_debug_on_by_default():
    assert _settings()[0] is True


def test_make_run_with_real_services_starts_the_process_set_with_debug_off(tmp_path):
    # `make run` with stand-ins for the project's Python and honcho: each records the settings it would start with.
    record = tmp_path / "record.jsonl"
    probe = f'#!/bin/sh\ncd {ROOT} && {sys.executable} -c "{SETTINGS_PROBE}" >> {record}\n'
    for name in ("python", "honcho"):
        path = tmp_path / "venv" / "bin" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(probe)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = _clean_env(**SERVICES, DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        ["make", "-o", "install", "run", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    started = [json.loads(line) for line in record.read_text().splitlines()]
    # migrate, load_demo, collectstatic, then honcho's process set: all with DEBUG off, plain HTTP on loopback.
    assert started == [[False, False]] * 4
    assert (tmp_path / "data" / "secret_key").stat().st_size > 40
