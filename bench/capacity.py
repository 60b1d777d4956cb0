"""`make capacity`: the CPU one rating, one matrix page, one poll and one snapshot cost, measured.

Seeds a fresh database as `make load` does (12 hypotheses × 200 evidence × 10 analysts; CAPACITY_DATABASE_URL,
default satwb_capacity), starts gunicorn with the production settings (config/gunicorn.conf.py) and, for the
last phase, one Celery worker (concurrency 1) on an empty Redis database (CAPACITY_BROKER_URL, default db 4;
the cache on CAPACITY_CACHE_URL, default db 5). One client sends each kind of request in turn, one at a time,
and the CPU time (user + system) of the processes serving it is read before and after each phase:

- gunicorn's master and workers (psutil),
- the Celery worker and its pool process,
- the PostgreSQL backends connected to the seeded database (all but the measuring client's own), read from
  /proc through psutil every 20 ms, so that a connection closed meanwhile still counts (run as root or as
  the PostgreSQL user; otherwise that column is left out).

Phases: panel polls and judgment-score polls answered 204 (the open page's two every-2-s polls), matrix
pages (the first block), ratings (no worker yet: the one rescoring they enqueue waits in the broker), then
snapshots: the worker is started, catches up, and each step rates a cell and waits until the snapshot of
that version is stored; the rating's own cost (the previous phase) is subtracted. The last line (CPU per
operation: web + database + worker) is
`capacity: rating <ms> ms, matrix page <ms> ms, poll <ms> ms, judgments poll <ms> ms, snapshot <ms> ms`

It touches nothing it did not create (its database, dropped afterwards, and the keys of its two Redis
databases, which it refuses when they hold keys already), like `make load`, whose helpers it uses.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault(
    "LOAD_DATABASE_URL", os.environ.get("CAPACITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/satwb_capacity")
)
os.environ.setdefault("LOAD_BROKER_URL", os.environ.get("CAPACITY_BROKER_URL", "redis://127.0.0.1:6379/4"))
os.environ.setdefault("LOAD_CACHE_URL", os.environ.get("CAPACITY_CACHE_URL", "redis://127.0.0.1:6379/5"))
os.environ.setdefault("LOAD_USERS", "10")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # configures the environment from the variables above
import psutil

POLLS = load._positive_int("CAPACITY_POLLS", 400)
PAGES = load._positive_int("CAPACITY_PAGES", 40)
RATINGS = load._positive_int("CAPACITY_RATINGS", 200)
SNAPSHOTS = load._positive_int("CAPACITY_SNAPSHOTS", 20)
LABELS = ["CC", "C", "N", "I", "II", "NA"]
SHOWN = re.compile(r"panel/\?shown=([^\"&]+)")
JUDGMENTS_SHOWN = re.compile(r"judgments/\?shown=([^\"&]+)")
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def cpu_seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return times.user + times.system


class Meter:
    """CPU seconds so far of the web processes, the worker processes and the database's backends."""

    def __init__(self, name: str, web: subprocess.Popen):
        import psycopg

        parsed = load.urlparse(load.DATABASE_URL)
        self.name = name
        self.web = psutil.Process(web.pid)
        self.worker: psutil.Process | None = None
        self.db = psycopg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname=name)
        self.db.autocommit = True
        self.own_backend = self.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.backends: dict[int, float] = {}
        self.database_readable = True
        self.stopped = threading.Event()
        threading.Thread(target=self._database_sample, daemon=True).start()

    def _tree(self, root: psutil.Process | None) -> float:
        if root is None:
            return 0.0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        return sum(cpu_seconds(p) for p in members)

    def _database_sample(self) -> None:
        """Every 20 ms, the CPU of each backend of the database: a backend whose connection closes between
        two reads (a Celery task's, say) keeps the CPU it was last seen with."""
        postmaster = psutil.Process(self.own_backend).parent()
        title = f" {self.name} "
        while not self.stopped.wait(0.02):
            for backend in postmaster.children():
                if backend.pid == self.own_backend:
                    continue
                try:
                    if title not in " ".join(backend.cmdline()) + " ":
                        continue
                    self.backends[backend.pid] = cpu_seconds(backend)
                except psutil.AccessDenied:
                    self.database_readable = False
                except psutil.NoSuchProcess:
                    continue

    def database(self) -> float:
        time.sleep(0.1)  # one more sample of every backend
        return sum(self.backends.values())

    def memory(self) -> dict[str, float]:
        """Resident MB of each gunicorn worker and of the worker's pool process (the largest of each)."""
        sizes = {}
        for kind, root in (("web", self.web), ("worker", self.worker)):
            children = root.children(recursive=True) if root else []
            sizes[kind] = max((p.memory_info().rss / 2**20 for p in children), default=0.0)
        return sizes

    def read(self) -> dict[str, float]:
        return {"web": self._tree(self.web), "worker": self._tree(self.worker), "database": self.database()}


def spent(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    """Milliseconds of CPU per operation, by process kind."""
    return {kind: max(0.0, (after[kind] - before[kind]) * 1000 / count) for kind in before}


class Client:
    def __init__(self, url: str, plan: dict):
        import requests

        self.session = requests.Session()
        self.session.cookies.set(plan["session_cookie"], plan["sessions"][plan["usernames"][0]])
        self.base = f"{url}/assessments/{plan['assessment']}/"
        self.plan = plan
        page = self.get(self.base)
        self.htmx = {"HX-Request": "true", "X-CSRFToken": CSRF.search(page.text).group(1)}

    def get(self, url: str, **kwargs):
        response = self.session.get(url, timeout=60, allow_redirects=False, **kwargs)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
        return response

    def shown(self) -> str:
        return SHOWN.search(self.get(self.base).text).group(1)

    def rate(self, number: int) -> None:
        evidence, hypotheses = self.plan["evidence"], self.plan["hypotheses"]
        cell = {
            "evidence": evidence[number % len(evidence)],
            "hypothesis": hypotheses[(number // len(evidence)) % len(hypotheses)],
            "value": LABELS[number % len(LABELS)],
        }
        response = self.session.post(f"{self.base}cells/", data=cell, headers=self.htmx, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"rating {cell}: HTTP {response.status_code}")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout:.0f} s")
        time.sleep(0.05)


def measure(url: str, web: subprocess.Popen, env: dict, name: str, plan: dict, work: Path) -> dict:
    meter = Meter(name, web)
    client = Client(url, plan)
    assessment = plan["assessment"]

    def versions() -> tuple[int, int]:
        row = meter.db.execute(
            "SELECT a.content_version, coalesce(max(s.version), 0) FROM assessments_assessment a "
            "LEFT JOIN assessments_scoresnapshot s ON s.assessment_id = a.id WHERE a.id = %s GROUP BY a.id",
            [assessment],
        ).fetchone()
        return row[0], row[1]

    # Warm every path once (each gunicorn worker's first answers, its connections).
    for _ in range(20):
        client.get(f"{client.base}panel/", params={"shown": client.shown()}, headers=client.htmx)
    results: dict[str, dict[str, float]] = {}

    shown = client.shown()
    before = meter.read()
    for _ in range(POLLS):
        if client.get(f"{client.base}panel/", params={"shown": shown}, headers=client.htmx).status_code != 204:
            raise RuntimeError("a poll with the current token was not answered 204")
    results["poll"] = spent(before, meter.read(), POLLS)

    # The page's other poller: the judgment panels' scores, every 2 s too.
    judgments = f"{client.base}judgments/"
    loaded = client.get(judgments, headers=client.htmx).text
    scores = {**client.htmx, "HX-Target": "judgment-scores"}
    shown = JUDGMENTS_SHOWN.search(loaded).group(1)
    before = meter.read()
    for _ in range(POLLS):
        if client.get(judgments, params={"shown": shown}, headers=scores).status_code != 204:
            raise RuntimeError("a judgments poll with the current token was not answered 204")
    results["judgments poll"] = spent(before, meter.read(), POLLS)

    before = meter.read()
    for _ in range(PAGES):
        client.get(client.base)
    results["matrix page"] = spent(before, meter.read(), PAGES)

    before = meter.read()
    for number in range(RATINGS):
        client.rate(number)
    results["rating"] = spent(before, meter.read(), RATINGS)

    log = open(work / "worker.log", "w")  # noqa: SIM115 - closed with the worker
    worker = subprocess.Popen(
        [str(load.VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=1"],
        cwd=load.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        meter.worker = psutil.Process(worker.pid)
        # Its start-up (warm-up, the stale sweep) and the rescoring the ratings left queued are not measured.
        wait_for(lambda: versions()[1] >= versions()[0], 180, "the worker did not catch up")
        time.sleep(2)  # the tail of its start-up is not a snapshot's cost
        before = meter.read()
        for number in range(SNAPSHOTS):
            client.rate(RATINGS + number)
            version = versions()[0]
            wait_for(lambda v=version: versions()[1] >= v, 60, f"no snapshot of version {version}")
        after = meter.read()
        memory = meter.memory()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    per_step = spent(before, after, SNAPSHOTS)
    results["snapshot"] = {
        "web": max(0.0, per_step["web"] - results["rating"]["web"]),
        "worker": per_step["worker"],
        "database": max(0.0, per_step["database"] - results["rating"]["database"]),
    }
    if not meter.database_readable:
        print("The PostgreSQL backends' CPU could not be read (run as root or as the postgres user): left out.")
    stored = meter.db.execute(
        "SELECT avg(pg_column_size(results)), avg(octet_length(results::text)) FROM assessments_scoresnapshot "
        "WHERE assessment_id = %s",
        [assessment],
    ).fetchone()
    print(
        f"a snapshot's results: {stored[1] / 1024:.0f} KB of JSON, {stored[0] / 1024:.0f} KB stored (TOAST-compressed)"
    )
    meter.stopped.set()
    meter.db.close()
    print(
        f"resident memory: a gunicorn worker {memory['web']:.0f} MB, the Celery pool process {memory['worker']:.0f} MB"
    )
    return results


def main() -> int:
    name = load.urlparse(load.DATABASE_URL).path.lstrip("/")
    refusal = load.redis_refuse_if_used(load.BROKER_URL) or load.redis_refuse_if_used(load.CACHE_URL)
    if refusal:
        print(refusal)
        return 2
    print(f"Seeding {name}: {load.HYPOTHESES} hypotheses × {load.EVIDENCE} evidence × {load.ANALYSTS} analysts…")
    load.benchdb.setup(name=name)
    plan = load.seed()
    work = Path(tempfile.mkdtemp(prefix="satwb-capacity-"))
    env = dict(load.server_env(str(work)), CACHE_URL=load.CACHE_URL)
    port = load.free_port()
    url = f"http://127.0.0.1:{port}"
    passed = False
    web_log = open(work / "web.log", "w")  # noqa: SIM115 - closed after gunicorn stops
    web = subprocess.Popen(
        [str(load.VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=load.ROOT,
        env=dict(env, PORT=str(port), HOST="127.0.0.1"),
        stdout=web_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: load.healthy(url) or web.poll() is not None, 120, "gunicorn did not come up")
        if web.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {work / 'web.log'}")
        results = measure(url, web, env, name, plan, work)
        passed = True
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
        web_log.close()
        for used in (load.BROKER_URL, load.CACHE_URL):
            load.redis_remove_ours(used)
        load.database_drop(name)
        if passed:
            load.shutil.rmtree(work)
        else:
            print(f"kept the logs in {work}")
    print(f"\nCPU per operation, ms (one client, one request at a time; {os.cpu_count()} cores)")
    print(f"{'operation':<14} {'web':>8} {'database':>9} {'worker':>8} {'total':>8}")
    totals = {}
    for operation, kinds in results.items():
        totals[operation] = sum(kinds.values())
        print(
            f"{operation:<14} {kinds['web']:>8.1f} {kinds['database']:>9.1f} {kinds['worker']:>8.1f} "
            f"{totals[operation]:>8.1f}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end")
    print(
        f"capacity: rating {totals['rating']:.1f} ms, matrix page {totals['matrix page']:.1f} ms, "
        f"poll {totals['poll']:.1f} ms, judgments poll {totals['judgments poll']:.1f} ms, "
        f"snapshot {totals['snapshot']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
