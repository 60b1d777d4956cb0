"""Two beats started: one sends the periodic sweep, the other nothing until the first dies."""

import json
import os
import signal
import subprocess
import sys

import pytest
import redis
from django.db import connection

from .conftest import ROOT, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SWEEP = "apps.assessments.tasks.sweep_stale_assessments"


def _beat(tmp_path, name: str, queue: str, broker: str) -> subprocess.Popen:
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    folder = tmp_path / name
    folder.mkdir()
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}",
        CELERY_BROKER_URL=broker,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="true",
        DATA_DIR=str(folder),
        RESCORE_SWEEP_SECONDS="1",
        BEAT_LOCK_SECONDS="3",
    )
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _senders(broker: str, queue: str) -> list[str]:
    """The process that sent each sweep waiting in the queue (Celery's `origin` header), oldest first."""
    messages = [json.loads(raw) for raw in redis.Redis.from_url(broker).lrange(queue, 0, -1)]
    assert {m["headers"]["task"] for m in messages} <= {SWEEP}
    return [m["headers"]["origin"] for m in reversed(messages)]


def test_of_two_beats_only_one_sends_the_sweep_until_it_dies(real_celery, queue_name, require_broker, tmp_path):
    beats = [_beat(tmp_path, "one", queue_name, require_broker), _beat(tmp_path, "two", queue_name, require_broker)]
    try:
        # Several periods: unlocked, both beats would each send every sweep.
        senders = wait_for(lambda: (s := _senders(require_broker, queue_name)) and len(s) >= 5 and s, timeout=90)
        assert len(set(senders)) == 1
        holder = next(b for b in beats if str(b.pid) in senders[0])
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        # The lock lapses (3 s) and the standby takes over.
        after = wait_for(lambda: set(_senders(require_broker, queue_name)) - set(senders), timeout=60)
        assert len(after) == 1
    finally:
        for beat in beats:
            if beat.poll() is None:
                os.killpg(beat.pid, signal.SIGTERM)
                beat.wait(timeout=20)
