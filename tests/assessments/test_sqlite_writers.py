"""The embedded default database: writers wait for each other, none fails (SQLite "database is locked")."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_twenty_analysts_rating_at_once_on_a_file_sqlite_database_all_succeed_and_none_is_lost(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "assessments" / "sqlite_writers.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(set(outcome["statuses"])) == [200] and len(outcome["statuses"]) == 20
    assert outcome["ratings"] == 20
