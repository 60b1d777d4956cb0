"""`make load` (bench/load.py) touches no data it did not create, its cache included."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config.settings.envtools import redis_sibling

ROOT = Path(__file__).resolve().parents[2]


def _load(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, 'bench'); import load; {code}"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_node_and_the_seeding_use_the_named_cache_not_the_brokers_next_database():
    run = _load(
        "import json, os; print(json.dumps([load.server_env('/tmp')['CACHE_URL'], os.environ['CACHE_URL']]))",
        LOAD_BROKER_URL="redis://127.0.0.1:6379/4",
        LOAD_CACHE_URL="redis://127.0.0.1:6379/9",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == ["redis://127.0.0.1:6379/9"] * 2


@pytest.mark.integration
def test_a_cache_database_holding_keys_is_refused_and_left_as_it_was(require_broker):
    import redis

    cache = redis.Redis.from_url(require_broker)
    key = f"not-make-loads-{uuid.uuid4().hex}"
    cache.set(key, "kept", ex=600)
    database = f"satwb_load_refused_{uuid.uuid4().hex[:8]}"
    try:
        run = _load(
            "sys.exit(load.main())",
            LOAD_BROKER_URL=redis_sibling(require_broker),
            LOAD_CACHE_URL=require_broker,
            LOAD_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        )
        assert run.returncode == 2, run.stdout + run.stderr
        assert f"{require_broker} holds" in run.stdout
        assert "Seeding" not in run.stdout
        assert cache.get(key) == b"kept"
    finally:
        cache.delete(key)
