"""`make load`: simulated analysts against the production setup, then a check that nothing was lost.

Seeds a fresh database (LOAD_DATABASE_URL, default satwb_load) with 12 hypotheses × 200 evidence ×
10 analysts, starts the Procfile set (gunicorn, a Celery worker on LOAD_BROKER_URL, default Redis db 6,
and beat) under honcho on a free loopback port, and runs locust headless in a second process with
LOAD_USERS analysts (default 50) for LOAD_SECONDS (default 45). Then it checks every rating and evidence
item the server acknowledged against the database, waits for the worker to catch up and compares the
final snapshot with a fresh synchronous recomputation. With LOAD_NODES=N (N > 1) it starts ops/cluster.py's
N web nodes and N workers behind HAProxy instead. The cache (rate-limit counters, each analyst's view of
the scores) is LOAD_CACHE_URL, default Redis db 7, whatever the node count. The burst (every user opening
the matrix at the same instant, bench/locustfile.py) is reported on its own line. The last line is parsed by other
tools: `load: <users> users, <r> req/s, rating p95 <ms> ms, matrix p95 <ms> ms, burst p95 <ms> ms,
snapshot p95 <ms> ms, errors <n>, lost <n>`

It touches nothing it did not create: it refuses a broker or cache Redis database that holds keys already,
and afterwards removes the keys it created in both, its database and its temporary folder (LOAD_KEEP=1
keeps the database and the folder, as does a failed run, whose logs are there).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


USERS = _positive_int("LOAD_USERS", 50)
SECONDS = _positive_int("LOAD_SECONDS", 45)
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/satwb_load")
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/6")
KEEP = os.environ.get("LOAD_KEEP", "") == "1"
# LOAD_NODES > 1: ops/cluster.py's nodes and as many workers behind HAProxy.
NODES = _positive_int("LOAD_NODES", 1)
# Named, never left to the settings' default (the broker's next database), so that it is checked and cleaned.
CACHE_URL = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/7")
HYPOTHESES, EVIDENCE, ANALYSTS = 12, 200, 10

os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["CACHE_URL"] = CACHE_URL
import benchdb  # noqa: E402 - reads the environment set above

ROOT = benchdb.ROOT
VENV_BIN = Path(sys.executable).parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(fraction * len(ordered))) - 1)] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def redis_refuse_if_used(url: str) -> str | None:
    """Why the run must not use this Redis database (it holds keys already), or None."""
    import redis

    keys = redis.Redis.from_url(url).dbsize()
    if not keys:
        return None
    return (
        f"{url} holds {keys} keys that make load did not create, and make load removes what it leaves there. "
        f"Point LOAD_BROKER_URL at an empty Redis database (redis-cli -n N dbsize says 0), or empty this one "
        f"yourself if the keys are a crashed earlier run's."
    )


def redis_remove_ours(url: str) -> int:
    """Remove the keys of this run: the database was empty when it started (redis_refuse_if_used)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def database_drop(name: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(name, verbosity=0)


def seed() -> dict:
    from django.conf import settings

    from apps.accounts.services import membership_ensure

    assessment, users = benchdb.build_matrix(hypotheses=HYPOTHESES, evidence=EVIDENCE, analysts=ANALYSTS)
    team = assessment.team
    users += [membership_ensure(team=team, username=f"load-{team.pk}-{i}")[0] for i in range(ANALYSTS, USERS)]
    return {
        "sessions": {user.username: session_for(user) for user in users[:USERS]},
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "assessment": assessment.pk,
        "hypotheses": list(assessment.hypotheses.values_list("pk", flat=True)),
        "evidence": list(assessment.evidence.values_list("pk", flat=True)),
        "usernames": [user.username for user in users[:USERS]],
    }


def session_for(user) -> str:
    """A logged-in session, as after the login form: analysts at work are logged in already."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def server_env(data_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "STATICFILES_BACKEND"}
    env.update(
        PATH=f"{VENV_BIN}:{os.environ['PATH']}",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        CACHE_URL=CACHE_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: cookies must not be marked Secure or the clients would drop them.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        DATA_DIR=data_dir,
        WEB_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
    )
    return env


def count_connections(database: str, peak: list[int], stop: threading.Event) -> None:
    import psycopg

    parsed = urlparse(DATABASE_URL)
    with psycopg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname="postgres") as c:
        while not stop.wait(1):
            row = c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]).fetchone()
            peak[0] = max(peak[0], row[0])


def ratings_lost(record: dict, assessment_id: int) -> list[str]:
    """Acknowledged ratings whose cell does not hold the value sent (a later unacknowledged send may win)."""
    from apps.ach.models import Rating

    accepted: dict[tuple, set] = {}
    for sent in record["ratings"]:
        cell = (sent["analyst"], sent["evidence"], sent["hypothesis"])
        if sent["ok"]:
            accepted[cell] = {sent["value"]}
        elif cell in accepted:
            accepted[cell].add(sent["value"])
    stored = {
        (username, e, h): Rating.Value(value).label
        for username, e, h, value in Rating.objects.filter(assessment_id=assessment_id).values_list(
            "analyst__username", "evidence_id", "hypothesis_id", "value"
        )
    }
    return [
        f"rating {cell}: sent {sorted(values)}, stored {stored.get(cell)}"
        for cell, values in accepted.items()
        if stored.get(cell) not in values
    ]


def evidence_lost(record: dict, assessment_id: int) -> list[str]:
    from apps.assessments.models import Evidence

    stored = {
        row["summary"]: row
        for row in Evidence.objects.filter(assessment_id=assessment_id, source="Load test").values(
            "summary", "citation", "credibility", "relevance", "added_by__username"
        )
    }
    lost = []
    for sent in record["evidence"]:
        if not sent["ok"]:
            continue
        row = stored.get(sent["summary"])
        wanted = (sent["citation"], sent["credibility"], sent["relevance"], sent["analyst"])
        if row is None or (row["citation"], row["credibility"], row["relevance"], row["added_by__username"]) != wanted:
            lost.append(f"evidence {sent['summary']!r}: stored {row}")
    return lost


def snapshot_matches(assessment_id: int) -> tuple[bool, str]:
    from apps.ach.results import results_compute
    from apps.assessments.models import Assessment, ScoreSnapshot

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assessment = Assessment.objects.get(pk=assessment_id)
        latest = ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()
        if latest and latest.version >= assessment.content_version:
            fresh = results_compute(assessment)
            same = latest.results.get("ach") == fresh
            return same, f"snapshot v{latest.version} {'equals' if same else 'DIFFERS FROM'} a fresh recomputation"
        time.sleep(0.5)
    return False, f"the worker did not catch up with content version {assessment.content_version} within 120 s"


def main() -> int:
    started = time.monotonic()
    name = urlparse(DATABASE_URL).path.lstrip("/")
    refusals = [r for r in map(redis_refuse_if_used, dict.fromkeys((BROKER_URL, CACHE_URL))) if r]
    if refusals:
        print("\n".join(refusals))
        return 2
    print(f"Seeding {name}: {HYPOTHESES} hypotheses × {EVIDENCE} evidence × {ANALYSTS} analysts, {USERS} sessions…")
    benchdb.setup(name=name)
    plan = seed()
    print(f"{time.monotonic() - started:.0f} s: seeded")
    work = Path(tempfile.mkdtemp(prefix="satwb-load-"))
    passed = False
    try:
        passed = run(started, name, plan, work)
    finally:
        if passed and not KEEP:
            shutil.rmtree(work)
        else:
            print(f"kept the run's logs and records in {work}")
        for used in (BROKER_URL, CACHE_URL):
            print(f"removed the {redis_remove_ours(used)} Redis keys this run created in {used}")
        if KEEP:
            print(f"kept the database {name} (LOAD_KEEP=1)")
        else:
            database_drop(name)
            print(f"dropped the database {name}")
    return 0 if passed else 1


def run(started: float, name: str, plan: dict, work: Path) -> bool:
    """Serve, load, check and report; True when nothing was lost and the final snapshot is right."""
    env = server_env(str(work))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():  # `make load` collects them when they changed
        collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=env, check=True)
    if NODES > 1:
        return run_on_cluster(started, name, plan, work, env)
    log = open(work / "processes.log", "w")  # noqa: SIM115 - closed after the set stops
    honcho = subprocess.Popen(
        [str(VENV_BIN / "honcho"), "start", "-f", "Procfile", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop_set() -> None:
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
        log.close()

    deadline = time.monotonic() + 90
    while not healthy(url):
        if honcho.poll() is not None or time.monotonic() > deadline:
            print(f"The Procfile set did not come up; see {work / 'processes.log'}")
            stop_set()
            return False
        time.sleep(0.5)
    return load_and_report(started, name, plan, work, env, url, "Procfile set", stop_set)


def run_on_cluster(started: float, name: str, plan: dict, work: Path, env: dict) -> bool:
    sys.path.insert(0, str(ROOT / "ops"))
    from cluster import Cluster

    server = {k: env[k] for k in ("DATA_DIR", "LOG_LEVEL", "WEB_ACCESS_LOG")}
    cluster = Cluster(
        database_url=DATABASE_URL, broker_url=BROKER_URL, cache_url=CACHE_URL, nodes=NODES, workers=NODES, work=work
    )
    cluster.env.update(server, CELERY_CONCURRENCY=env.get("CELERY_CONCURRENCY", "2"))
    try:
        cluster.start()
    except RuntimeError as error:
        print(error)
        return False
    label = f"cluster of {NODES} nodes and {NODES} workers behind HAProxy"
    return load_and_report(started, name, plan, work, env, cluster.url, label, cluster.stop)


def load_and_report(started, name, plan, work, env, url, label, stop_set) -> bool:
    peak, stop = [0], threading.Event()
    try:
        threading.Thread(target=count_connections, args=(name, peak, stop), daemon=True).start()
        print(
            f"{time.monotonic() - started:.0f} s: {label} up at {url} (logs in {work}); "
            f"locust: {USERS} users for {SECONDS} s…"
        )
        (work / "plan.json").write_text(json.dumps(plan))
        locust = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
        locust += ["--users", str(USERS), "--spawn-rate", "10", "--run-time", f"{SECONDS}s", "--host", url]
        locust += ["--stop-timeout", "40", "--only-summary", "--loglevel", "WARNING"]
        locust_env = dict(env, LOAD_PLAN=str(work / "plan.json"), LOAD_RECORD=str(work / "record.json"))
        with open(work / "locust.log", "w") as locust_log:
            subprocess.run(locust, cwd=ROOT, env=locust_env, stdout=locust_log, stderr=subprocess.STDOUT)
        stop.set()
        record = json.loads((work / "record.json").read_text())
        matches, snapshot_note = snapshot_matches(plan["assessment"])
    finally:
        stop.set()
        stop_set()

    print(f"{time.monotonic() - started:.0f} s: load done and checked")
    lost = ratings_lost(record, plan["assessment"]) + evidence_lost(record, plan["assessment"])
    stats = record["stats"]
    print(f"\n{'request':<30} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}  (ms)")
    for request, s in sorted(stats.items()):
        print(
            f"{request:<30} {s['requests']:>7} {s['failures']:>5} {s['rps']:>7.1f} "
            f"{s['p50']:>7.0f} {s['p95']:>7.0f} {s['p99']:>7.0f}"
        )
    snapshots = record["snapshot_ms"]
    errors = record["total"]["failures"] + len(record["snapshot_timeouts"])
    for error in record["errors"] + record["snapshot_timeouts"]:
        print(f"error: {error}")
    for problem in lost[:20]:
        print(f"LOST {problem}")
    sent_ratings = sum(1 for r in record["ratings"] if r["ok"])
    sent_evidence = sum(1 for r in record["evidence"] if r["ok"])
    print(
        f"\nevidence saved → snapshot visible: {len(snapshots)} saves, p50 {percentile(snapshots, 0.5):.0f} ms, "
        f"p95 {percentile(snapshots, 0.95):.0f} ms"
    )
    print(f"acknowledged: {sent_ratings} ratings, {sent_evidence} evidence items; lost {len(lost)}")
    print(f"{snapshot_note}; PostgreSQL connections to {name}: peak {peak[0]}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (1 min) at the end")
    rating = stats.get("rate a cell", {}).get("p95", 0)
    matrix = stats.get("open the matrix", {}).get("p95", 0)
    at_once = stats.get("open the matrix (burst)", {})
    if at_once:
        print(
            f"burst: {at_once['requests']} matrix opens at the same instant, "
            f"p50 {at_once['p50']:.0f} ms, p95 {at_once['p95']:.0f} ms, p99 {at_once['p99']:.0f} ms"
        )
    else:
        print("burst: none (the run ended before LOAD_BURST_AFTER seconds after the last user started)")
    print(
        f"load: {USERS} users, {record['total']['rps']:.1f} req/s, rating p95 {rating:.0f} ms, "
        f"matrix p95 {matrix:.0f} ms, burst p95 {at_once.get('p95', 0):.0f} ms, "
        f"snapshot p95 {percentile(snapshots, 0.95):.0f} ms, "
        f"errors {errors}, lost {len(lost)}"
    )
    return matches and not lost


if __name__ == "__main__":
    sys.exit(main())
