"""The integration tests pass with the application behind a PgBouncer in transaction mode."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.conftest import service_missing

from .conftest import ROOT, wait_for

pytestmark = pytest.mark.integration

PGBOUNCER = "/usr/sbin/pgbouncer"
# Rescoring by real workers, uploads as tasks, request ids and beat: every path that holds connections.
THROUGH_POOLER = [
    "tests/integration/test_rescoring_pipeline.py",
    "tests/integration/test_upload_task.py",
    "tests/integration/test_request_id.py",
    "tests/integration/test_beat_lock.py",
]

CONFIG = """\
[databases]
* = host={host} port={port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
admin_users = {user}
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
logfile = {folder}/pgbouncer.log
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pgbouncer(require_postgres, require_broker):
    if not os.access(PGBOUNCER, os.X_OK):
        service_missing("PgBouncer is not installed (apt-get install pgbouncer)")
    database = connection.settings_dict
    user = database["USER"]
    # PgBouncer refuses to run as root; as root it is started as the database's system user, who must
    # read its files, hence a folder of its own outside pytest's private temporary directory.
    folder = Path(tempfile.mkdtemp(prefix="satwb-pgbouncer-"))
    folder.chmod(0o755)
    listen = _free_port()
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        CONFIG.format(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            listen=listen,
            folder=folder,
            user=user,
        )
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")  # its log file goes there
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def accepting():
        try:
            with socket.create_connection(("127.0.0.1", listen), timeout=1):
                return True
        except OSError:
            log = folder / "pgbouncer.log"
            assert process.poll() is None, log.read_text() if log.exists() else "PgBouncer exited"
            return False

    try:
        wait_for(accepting, timeout=30)
        yield listen, user
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _transactions_pooled(listen: int, user: str, name: str) -> int:
    with psycopg.connect(host="127.0.0.1", port=listen, user=user, dbname="pgbouncer", autocommit=True) as admin:
        cursor = admin.execute("SHOW STATS")
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return sum(int(r["total_xact_count"]) for r in rows if r["database"] == name)


def test_the_integration_tests_pass_behind_pgbouncer_in_transaction_mode(pgbouncer):
    listen, user = pgbouncer
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_pgbouncer"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env.update(DATABASE_URL=f"postgres://{user}@127.0.0.1:{listen}/{name}", DATABASE_POOLER="pgbouncer")
    env["REQUIRE_SERVICES"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--create-db", "-p", "no:cacheprovider", *THROUGH_POOLER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
    # The tests' own database went through the pooler, not around it.
    assert _transactions_pooled(listen, user, f"test_{name}") > 100
