"""`make cluster`: web nodes and Celery workers behind HAProxy, sharing one PostgreSQL and one Redis.

    CLUSTER_NODES=2 CLUSTER_WORKERS=2 PORT=8000 DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://…/0 \\
        CACHE_URL=redis://…/1 .venv/bin/python ops/cluster.py

Each node is what one host of a scaled-out deployment runs: a gunicorn (`config/gunicorn.conf.py`) on its
own port and a Celery beat; the workers are separate `celery worker` processes. Only one beat sends the
periodic sweep (apps/core/beat.py: a lock in Redis). HAProxy (the distribution's package) listens on
PORT, balances round-robin over the nodes and checks each one's /healthz. Sessions live in PostgreSQL,
rate-limit counters in CACHE_URL's Redis, so whichever node answers, a user is the same user. Ctrl-C
(or SIGTERM) stops everything. The integration test and `make load LOAD_NODES=2` start it through the
Cluster class below.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 30s
    option forwardfor
    # A node slow under load is still a node: only one that fails three checks of 10 s each is taken out
    # (at 1 s and 5 s, a saturated two-core box marked both nodes down and HAProxy answered 503).
    timeout check 10s
frontend web
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
{servers}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


class Cluster:
    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        cache_url: str,
        nodes: int = 2,
        workers: int = 2,
        port: int | None = None,
        work: Path | None = None,
        env: dict | None = None,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.node_ports = [free_port() for _ in range(nodes)]
        self.node_urls = [f"http://127.0.0.1:{p}" for p in self.node_ports]
        self.workers = workers
        self.work = work or Path(tempfile.mkdtemp(prefix="satwb-cluster-"))
        self.env = dict(
            os.environ,
            PATH=f"{VENV_BIN}:{os.environ['PATH']}",
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            CACHE_URL=cache_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "cluster-only-secret-key-" + "q7" * 24,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            BEHIND_PROXY="true",
            # Plain HTTP on loopback: no https redirect, no Secure cookies (the clients would drop them).
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            WEB_ACCESS_LOG="",
        )
        self.env.update(env or {})
        self.processes: list[subprocess.Popen] = []
        self._logs: list = []

    def _start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(self.env, **env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def start(self, timeout: float = 120) -> "Cluster":
        for index, port in enumerate(self.node_ports, start=1):
            data = self.work / f"node{index}"
            data.mkdir(exist_ok=True)
            gunicorn = [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py"]
            self._start(f"web{index}", gunicorn, PORT=str(port), HOST="127.0.0.1", DATA_DIR=str(data))
            beat = [str(VENV_BIN / "celery"), "-A", "config", "beat", "--loglevel=INFO"]
            self._start(f"beat{index}", beat, DATA_DIR=str(data))
        for index in range(1, self.workers + 1):
            worker = [str(VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel=INFO"]
            worker += ["--concurrency", self.env.get("CELERY_CONCURRENCY", "1"), f"--hostname=worker{index}@%h"]
            self._start(f"worker{index}", worker)
        servers = "\n".join(
            f"    server node{i} 127.0.0.1:{p} check inter 2s fall 3 rise 1"
            for i, p in enumerate(self.node_ports, start=1)
        )
        config = self.work / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers))
        self._start("haproxy", [HAPROXY, "-db", "-f", str(config)])
        deadline = time.monotonic() + timeout
        while not (all(healthy(u) for u in self.node_urls) and healthy(self.url)):
            dead = [p.args[0] for p in self.processes if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the cluster did not come up ({dead or 'timeout'}); logs in {self.work}")
            time.sleep(0.5)
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for log in self._logs:
            log.close()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def main() -> int:
    missing = [name for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL") if not os.environ.get(name)]
    if missing:
        sys.exit(f"make cluster needs {', '.join(missing)} (PostgreSQL, the Redis broker, a Redis cache database).")
    cluster = Cluster(
        database_url=os.environ["DATABASE_URL"],
        broker_url=os.environ["CELERY_BROKER_URL"],
        cache_url=os.environ["CACHE_URL"],
        nodes=_positive("CLUSTER_NODES", 2),
        workers=_positive("CLUSTER_WORKERS", 2),
        port=_positive("PORT", 8000),
    )
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *a: stop.update(now=True))
    with cluster:
        print(f"HAProxy at {cluster.url} over {', '.join(cluster.node_urls)}; logs in {cluster.work}; Ctrl-C stops")
        try:
            while not stop["now"] and all(p.poll() is None for p in cluster.processes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
