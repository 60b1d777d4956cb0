"""The Procfile set (gunicorn, Celery worker, beat) under honcho against the real services."""

import os
import signal
import socket
import subprocess
import urllib.request

import psutil
import pytest
from django.db import connection

from .conftest import ROOT, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _is_celery(process: psutil.Process | None, role: str) -> bool:
    if process is None:
        return False
    try:
        command = process.cmdline()
    except psutil.Error:
        return False
    return "celery" in " ".join(command) and role in command


@pytest.fixture
def process_set(require_postgres, require_broker, tmp_path):
    """Start `honcho start` on a free port; yield (honcho, port, every descendant once all three are up)."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    port = _free_port()
    env = dict(
        os.environ,
        PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        DATABASE_URL=url,
        CELERY_BROKER_URL=require_broker,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATA_DIR=str(tmp_path),
        WEB_CONCURRENCY="2",
        WEB_THREADS="2",
        CELERY_CONCURRENCY="1",
    )
    honcho = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "honcho"), "start", "-f", "Procfile", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    parent = psutil.Process(honcho.pid)

    def everything_up():
        children = parent.children(recursive=True)
        workers = [p for p in children if _is_celery(p, "worker")]
        # The worker's main process plus its prefork child, beat, the gunicorn master and two workers.
        beat = any(_is_celery(p, "beat") for p in children) and any(tmp_path.glob("celerybeat-schedule*"))
        ready = _healthy(port) and len(workers) >= 2 and beat
        return children if ready else None

    try:
        children = wait_for(everything_up, timeout=120, interval=0.5, describe=lambda: "the set never came up")
        yield honcho, port, children
    finally:
        survivors = [p for p in parent.children(recursive=True)] if honcho.poll() is None else []
        for process in survivors:
            process.kill()
        if honcho.poll() is None:
            honcho.kill()
            honcho.wait(timeout=10)


def test_sigterm_to_the_process_set_stops_every_child(process_set):
    honcho, port, children = process_set
    honcho.send_signal(signal.SIGTERM)
    assert honcho.wait(timeout=30) is not None
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
    assert not _healthy(port)


def test_a_crashing_worker_stops_the_whole_set(process_set):
    honcho, port, children = process_set
    main_worker = next(p for p in children if _is_celery(p, "worker") and not _is_celery(p.parent(), "worker"))
    main_worker.kill()
    assert honcho.wait(timeout=30) is not None
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
    assert not _healthy(port)
