"""A machine without a usable Chromium: the browser tests skip with the reason, or fail when required."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSER_TEST = "tests/browser/test_login_and_matrix.py::test_a_user_logs_in_and_lands_on_their_teams_dashboard"


def run_browser_test(chromium: Path, *, required: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REQUIRE_SERVICES"}}
    env["CHROMIUM_PATH"] = str(chromium)
    if required:
        env["REQUIRE_SERVICES"] = "1"
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:xdist", "--create-db", BROWSER_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_browser_tests_skip_with_the_reason_when_chromium_is_absent(tmp_path):
    result = run_browser_test(tmp_path / "chromium", required=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert f"Chromium is not installed at {tmp_path / 'chromium'}" in result.stdout
    assert "error" not in result.stdout.lower()


def test_browser_tests_skip_with_the_reason_when_chromium_is_not_executable(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o644)
    result = run_browser_test(chromium, required=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert f"Chromium at {chromium} is not an executable file" in result.stdout


@pytest.mark.parametrize("executable", [False, True], ids=["absent", "not-executable"])
def test_browser_tests_fail_without_chromium_under_require_services(tmp_path, executable):
    chromium = tmp_path / "chromium"
    if executable:
        chromium.mkdir()  # exists, but a directory is not a browser
    result = run_browser_test(chromium, required=True)
    assert result.returncode != 0
    assert "REQUIRE_SERVICES=1 but Chromium" in result.stdout
    assert "skipped" not in result.stdout
