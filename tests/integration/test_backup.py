"""`make backup` / `make restore` (ops/backup.py): a restored database exports every assessment identically."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories

from .conftest import ROOT

EXPORT_ALL = (
    "import json\n"
    "from apps.assessments.exchange import assessment_export\n"
    "from apps.assessments.models import Assessment\n"
    "print(json.dumps({a.pk: assessment_export(assessment=a) for a in Assessment.objects.order_by('pk')}))"
)


def _run(*args: str, url: str) -> subprocess.CompletedProcess:
    # A command-line process, never a server: the development settings need no secret key or hosts.
    env = dict(
        os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="true", LOG_LEVEL="WARNING"
    )
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _exports(url: str) -> dict:
    """Every assessment's JSON export, by the project's export function, read in a process of its own."""
    result = _run("manage.py", "shell", "-c", EXPORT_ALL, url=url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _postgres_url(name: str) -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"


@pytest.fixture
def restored_name(require_postgres):
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.integration
def test_a_postgresql_backup_restored_into_a_fresh_database_exports_every_assessment_identically(
    transactional_db, restored_name, tmp_path, team, analyst
):
    call_command("load_demo", stdout=io.StringIO())
    factories.assessment_with_matrix(team=team, user=analyst)
    source = _postgres_url(connection.settings_dict["NAME"])
    made = _run("ops/backup.py", "backup", "--dir", str(tmp_path), url=source)
    assert made.returncode == 0, made.stderr
    dump = made.stdout.strip()
    assert dump.endswith(".dump")

    taken = _run("ops/backup.py", "restore", dump, url=_postgres_url(restored_name))
    assert taken.returncode == 0, taken.stderr

    original = _exports(source)
    assert len(original) == 2
    assert _exports(_postgres_url(restored_name)) == original


@pytest.mark.integration
def test_a_restore_into_a_database_that_holds_tables_is_refused_and_changes_nothing(
    transactional_db, restored_name, tmp_path, team, analyst
):
    from apps.assessments.models import Assessment

    factories.assessment_with_matrix(team=team, user=analyst)
    source = _postgres_url(connection.settings_dict["NAME"])
    dump = _run("ops/backup.py", "backup", "--dir", str(tmp_path), url=source).stdout.strip()
    Assessment.objects.update(title="Changed after the backup")

    refused = _run("ops/backup.py", "restore", dump, url=source)
    assert refused.returncode == 1
    assert "never overwrites a database" in refused.stderr
    assert set(Assessment.objects.values_list("title", flat=True)) == {"Changed after the backup"}


def test_a_sqlite_backup_taken_online_restores_into_a_new_file_with_identical_exports(tmp_path):
    source = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    for step in (("migrate", "-v0"), ("load_demo",)):
        assert _run("manage.py", *step, url=source).returncode == 0
    made = _run("ops/backup.py", "backup", "--dir", str(tmp_path / "backups"), url=source)
    assert made.returncode == 0, made.stderr
    copy = made.stdout.strip()
    assert copy.endswith(".sqlite3")

    restored = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    assert _run("ops/backup.py", "restore", copy, url=restored).returncode == 0
    original = _exports(source)
    assert len(original) == 1
    assert _exports(restored) == original
    again = _run("ops/backup.py", "restore", copy, url=restored)
    assert again.returncode == 1
    assert "never overwrites a database" in again.stderr
