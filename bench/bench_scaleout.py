"""Rescoring throughput with 1 and 2 Celery worker processes against one PostgreSQL (loopback simulation).

Seeds SCALEOUT_ASSESSMENTS assessments (default 8) of 12 hypotheses × 200 evidence × 10 analysts in a
throwaway database, then, alternating 1 and 2 worker processes (concurrency 1 each), marks every
assessment stale, enqueues their rescorings and times until every one has a snapshot of its current
version. Prints assessments rescored per second for each worker count. Needs PostgreSQL and Redis
(LOAD_DATABASE_URL's server, LOAD_BROKER_URL, default Redis db 6).
"""

import os
import signal
import statistics
import subprocess
import sys
import time

os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["CELERY_BROKER_URL"] = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/6")
os.environ["DATABASE_URL"] = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/satwb_load")
import benchdb

ASSESSMENTS = int(os.environ.get("SCALEOUT_ASSESSMENTS", "8"))
ROUNDS = [1, 2, 1, 2, 1, 2]
QUEUE = f"satwb-scaleout-{os.getpid()}"


def start_workers(connection, count: int) -> list[subprocess.Popen]:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = dict(os.environ, DATABASE_URL=url, CELERY_TASK_ALWAYS_EAGER="false")
    workers = []
    for number in range(count):
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", f"--queues={QUEUE}"]
        command += [f"--hostname=scaleout{number}@%h", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
        workers.append(subprocess.Popen(command, cwd=benchdb.ROOT, env=env, start_new_session=True))
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def main() -> None:
    connection = benchdb.setup(eager=True, name="satwb_load_scaleout")
    old_name = connection.settings_dict["NAME"]
    from django.db import transaction

    from apps.assessments import services
    from apps.assessments.models import Assessment, ScoreSnapshot
    from config.celery import app

    try:
        ids = [benchdb.build_matrix(hypotheses=12, evidence=200, analysts=10, seed=n)[0].pk for n in range(ASSESSMENTS)]
        app.conf.task_always_eager = False
        app.conf.task_default_queue = QUEUE
        results: dict[int, list[float]] = {1: [], 2: []}
        for count in ROUNDS:
            for assessment_id in ids:
                with transaction.atomic():
                    services.assessment_bump(assessment_id=assessment_id, change="scale-out bench")
                services.rescore_unclaim(assessment_id=assessment_id)
            # The bumps enqueued rescorings on commit; drop them so the workers start on an empty queue
            # and every rescoring they do falls inside the timed window.
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(QUEUE)
            workers = start_workers(connection, count)
            while len(app.control.ping(timeout=0.5)) < count:
                time.sleep(0.2)
            start = time.perf_counter()
            for assessment_id in ids:
                services.rescore_request(assessment_id=assessment_id, force=True)
            targets = dict(Assessment.objects.filter(pk__in=ids).values_list("pk", "content_version"))
            while True:
                done = sum(
                    ScoreSnapshot.objects.filter(assessment_id=pk, version__gte=version).exists()
                    for pk, version in targets.items()
                )
                if done == len(ids):
                    break
                time.sleep(0.05)
            wall = time.perf_counter() - start
            scoring = sum(
                ScoreSnapshot.objects.get(assessment_id=pk, version=version).duration_ms
                for pk, version in targets.items()
            )
            results[count].append(len(ids) / wall)
            print(f"{count} worker(s): {len(ids)} rescorings in {wall:.2f} s, of which scoring {scoring / 1000:.2f} s")
            stop_workers(workers)
        one, two = statistics.median(results[1]), statistics.median(results[2])
        print(
            f"rescoring {ASSESSMENTS} assessments of 12 × 200 × 10: 1 worker {one:.1f}/s, 2 workers {two:.1f}/s "
            f"({two / one:.2f}×; medians of {len(results[1])} rounds; {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f})"
        )
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)
        connection.close()
        benchdb.teardown(connection, old_name)


if __name__ == "__main__":
    main()
