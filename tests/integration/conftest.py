import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def queue_name():
    # One queue per test process (Celery's router keeps the first default queue it sees), so
    # parallel xdist workers never take each other's tasks; each test purges it first.
    return f"satwb-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


@pytest.fixture
def real_celery(require_postgres, require_broker, queue_name, settings):
    """Celery configured for a real broker: tasks leave this process instead of running in it."""
    from config.celery import app

    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_write_url,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue_name
    broker_switch(app, require_broker)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = require_broker
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue_name)
    yield app
    for key, value in saved.items():
        setattr(app.conf, key, value)
    broker_switch(app, saved["broker_url"])


def broker_switch(app, url: str) -> None:
    """Point the app's producers at another broker, dropping pooled connections to the old one."""
    # Producers use broker_write_url, which (unlike broker_url) the CELERY_BROKER_URL environment
    # variable does not override. kombu shares pools by connection parameters, so a pool is
    # dropped here, never closed.
    app.conf.broker_write_url = url
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_thread(real_celery, queue_name):
    """A real Celery worker (celery's testing worker, threads) consuming the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        real_celery, pool="threads", concurrency=2, queues=[queue_name], perform_ping_check=False, shutdown_timeout=30
    ) as worker:
        yield worker


class WorkerProcess:
    """A `celery worker` subprocess against the test database, which a test may kill."""

    def __init__(self, queue: str, broker: str, name: str = "w1", extra_env: dict | None = None):
        database = connection.settings_dict
        host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        url = f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"
        self.env = dict(
            os.environ,
            DATABASE_URL=url,
            CELERY_BROKER_URL=broker,
            CELERY_TASK_DEFAULT_QUEUE=queue,
            DJANGO_SETTINGS_MODULE="config.settings.base",
        )
        self.env.update(extra_env or {})
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={queue}",
            f"--hostname={name}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ]
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, start_new_session=True)
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_process_factory(real_celery, queue_name, require_broker):
    workers: list[WorkerProcess] = []

    def make(name: str = "w1", **extra_env) -> WorkerProcess:
        worker = WorkerProcess(queue_name, require_broker, name=name, extra_env=extra_env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, describe=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s" + (f": {describe()}" if describe else ""))
