"""The rescoring pipeline against real PostgreSQL, a real Redis broker and real Celery workers."""

import dataclasses
import threading
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.ach.results import results_compute
from apps.assessments import services, tasks
from apps.assessments.models import Assessment, Evidence, RescoreQueue, ScoreSnapshot
from tests import factories

from .conftest import broker_switch, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _latest(assessment_id: int) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()


def _state(assessment_id: int) -> str:
    latest = _latest(assessment_id)
    version = Assessment.objects.get(pk=assessment_id).content_version
    return f"content version {version}, latest snapshot {latest.version if latest else None}"


def _scored_to_current(assessment_id: int):
    version = Assessment.objects.get(pk=assessment_id).content_version
    latest = _latest(assessment_id)
    return latest if latest and latest.version == version else None


@pytest.fixture
def matrix(team, analyst, teammate):
    assessment = factories.assessment_with_matrix(team=team, user=analyst, evidence=3)
    return assessment


def test_a_task_round_trips_through_the_real_worker(celery_worker_thread, matrix):
    result = tasks.rescore_assessment.delay(matrix.pk)
    result_version = wait_for(lambda: _scored_to_current(matrix.pk), timeout=60)
    assert result_version.version == Assessment.objects.get(pk=matrix.pk).content_version
    assert ScoreSnapshot.objects.filter(assessment=matrix).count() >= 1
    assert result.id


def test_a_burst_of_200_items_ends_on_the_final_version_with_fewer_runs(
    celery_worker_thread, team, analyst, teammate, monkeypatch
):
    sent = []
    original = tasks.rescore_assessment.apply_async
    monkeypatch.setattr(tasks.rescore_assessment, "apply_async", lambda *a, **k: sent.append(a) or original(*a, **k))
    # The matrix is built after the count starts: its own saves' rescorings can run during the burst
    # (on a loaded machine they often do), and each may store a snapshot of an intermediate version.
    matrix = factories.assessment_with_matrix(team=team, user=analyst, evidence=3)
    for number in range(200):
        services.evidence_create(
            assessment=matrix, user=analyst, summary=f"Burst item {number}", credibility="high", relevance="low"
        )
    final = wait_for(lambda: _scored_to_current(matrix.pk), timeout=90, describe=lambda: _state(matrix.pk))
    assessment = Assessment.objects.get(pk=matrix.pk)
    assert Evidence.objects.filter(assessment=assessment).count() == 203
    assert final.results["ach"] == results_compute(assessment)
    assert 0 < len(sent) < 200
    # Every snapshot comes from a task sent (none is stored without one), and the burst shares them.
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() <= len(sent)


def _hold_row_lock(assessment_id: int, release: threading.Event, locked: threading.Event):
    params = connection.get_connection_params()
    with (
        psycopg.connect(
            dbname=params.get("dbname"), user=params.get("user"), host=params.get("host"), port=params.get("port")
        ) as other,
        other.transaction(),
    ):
        other.execute("SELECT id FROM assessments_assessment WHERE id = %s FOR UPDATE", [assessment_id])
        locked.set()
        release.wait(60)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_task_loses_nothing(worker_process_factory, real_celery, matrix, analyst):
    services.snapshot_compute(assessment_id=matrix.pk)
    # A version to score: the worker computes it without any lock, then waits for the row lock held
    # below to store its snapshot, and dies there.
    Assessment.objects.filter(pk=matrix.pk).update(content_version=F("content_version") + 1)
    release, locked = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_row_lock, args=(matrix.pk, release, locked), daemon=True)
    holder.start()
    assert locked.wait(10)
    worker = worker_process_factory("victim").start()
    # The save below waits for the held lock too, so it runs in its own thread.
    saver = threading.Thread(
        target=lambda: services.evidence_create(
            assessment=Assessment.objects.get(pk=matrix.pk), user=analyst, summary="Arrives as the worker dies"
        )
    )
    tasks.rescore_assessment.delay(matrix.pk)
    wait_for(lambda: _waiting_on_locks() >= 1, timeout=30)  # the worker is inside the task, blocked
    worker.kill()
    saver.start()
    release.set()
    holder.join(10)
    saver.join(30)
    assert Evidence.objects.filter(assessment=matrix, summary="Arrives as the worker dies").exists()
    worker_process_factory("survivor").start()
    services.snapshot_sweep()
    final = wait_for(lambda: _scored_to_current(matrix.pk), timeout=60)
    assert final.results["ach"] == results_compute(Assessment.objects.get(pk=matrix.pk))


def test_a_broker_down_at_save_time_delays_but_never_loses_a_rescoring(
    worker_process_factory, real_celery, matrix, analyst, queue_name, require_broker
):
    import redis

    from apps.assessments.models import RescoreQueue

    services.snapshot_compute(assessment_id=matrix.pk)
    queue = redis.Redis.from_url(require_broker)
    queue.delete(queue_name)  # what the fixture's own saves enqueued
    good_broker = real_celery.conf.broker_write_url
    broker_switch(real_celery, "redis://127.0.0.1:1/0")
    try:
        evidence = services.evidence_create(
            assessment=Assessment.objects.get(pk=matrix.pk), user=analyst, summary="Saved while the broker is down"
        )
    finally:
        broker_switch(real_celery, good_broker)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    # Nothing reached the queue, and the claim was released so the sweep can enqueue it later.
    assert queue.llen(queue_name) == 0
    assert RescoreQueue.objects.get(assessment=matrix).queued is False
    assert _scored_to_current(matrix.pk) is None
    worker_process_factory().start()
    assert matrix.pk in services.snapshot_sweep()
    final = wait_for(lambda: _scored_to_current(matrix.pk), timeout=60)
    assert "E4" in final.trigger_evidence


def test_two_workers_never_store_two_snapshots_of_one_version(worker_process_factory, real_celery, matrix):
    worker_process_factory("one").start()
    worker_process_factory("two").start()
    for _ in range(30):
        tasks.rescore_assessment.delay(matrix.pk)
    wait_for(lambda: _scored_to_current(matrix.pk), timeout=60)
    versions = list(ScoreSnapshot.objects.filter(assessment=matrix).values_list("version", flat=True))
    assert len(versions) == len(set(versions)) == 1


def test_healthz_is_200_with_the_real_database_and_broker(require_postgres, require_broker, client, settings):
    settings.CELERY_BROKER_URL = require_broker
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def _queued_messages(app, queue: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def _answers(app, prefix: str) -> bool:
    return any(name.startswith(prefix) for reply in app.control.ping(timeout=2) for name in reply)


def _stuck_claim(worker_process_factory, real_celery, queue_name, matrix, analyst, settings) -> None:
    """A save whose rescoring a worker took and was killed during its coalescing countdown."""
    services.snapshot_compute(assessment_id=matrix.pk)
    # The fixture's own saves left a rescoring task in the queue. Left there, the victim's pool process
    # could run it after the save below (the worker answers pings before its pool is busy), scoring the
    # new version and releasing the claim before the kill.
    with real_celery.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue_name)
    settings.RESCORE_COALESCE_SECONDS = 60
    victim = worker_process_factory("victim").start()
    # Saved once the worker is up, so its own start-up sweep cannot be what takes the task.
    wait_for(lambda: _answers(real_celery, "victim@"), timeout=60)
    services.evidence_create(assessment=Assessment.objects.get(pk=matrix.pk), user=analyst, summary="Then it died")
    # The worker holds the waiting task (unacknowledged: Redis would redeliver it only after an hour).
    wait_for(lambda: _queued_messages(real_celery, queue_name) == 0, timeout=30)
    victim.kill()
    assert RescoreQueue.objects.get(assessment=matrix).queued
    settings.RESCORE_COALESCE_SECONDS = 0


def test_a_claim_stuck_by_a_worker_killed_in_the_countdown_is_rescored_when_a_worker_starts(
    worker_process_factory, real_celery, queue_name, matrix, analyst, settings
):
    _stuck_claim(worker_process_factory, real_celery, queue_name, matrix, analyst, settings)
    assert _scored_to_current(matrix.pk) is None
    worker_process_factory("survivor").start()
    final = wait_for(lambda: _scored_to_current(matrix.pk), timeout=60, describe=lambda: _state(matrix.pk))
    assert final.results["ach"] == results_compute(Assessment.objects.get(pk=matrix.pk))


def test_a_claim_stuck_by_a_worker_killed_in_the_countdown_is_taken_over_by_a_save_after_its_lease(
    worker_process_factory, real_celery, queue_name, matrix, analyst, settings
):
    _stuck_claim(worker_process_factory, real_celery, queue_name, matrix, analyst, settings)
    settings.RESCORE_CLAIM_LEASE_SECONDS = 1
    wait_for(lambda: RescoreQueue.objects.get(assessment=matrix).queued_at < timezone.now() - timedelta(seconds=1))
    services.evidence_create(assessment=Assessment.objects.get(pk=matrix.pk), user=analyst, summary="A later save")
    # The save enqueued a fresh task itself: one is waiting in the broker before any worker starts.
    assert _queued_messages(real_celery, queue_name) == 1
    worker_process_factory("survivor").start()
    final = wait_for(lambda: _scored_to_current(matrix.pk), timeout=60, describe=lambda: _state(matrix.pk))
    assert final.results["ach"] == results_compute(Assessment.objects.get(pk=matrix.pk))


def test_a_save_does_not_wait_for_the_scoring_of_an_earlier_version(require_postgres, matrix, analyst, monkeypatch):
    """Scoring reads one consistent view without locks: a save made meanwhile commits at once, the
    snapshot stored is of the version that was read, and that version's results are exact."""
    from apps.assessments import techniques
    from apps.assessments.services import rescoring as rescoring_services

    scoring_started, finish_scoring = threading.Event(), threading.Event()
    ach = techniques.TECHNIQUES["ach"]

    def slow_compute(assessment):
        results = ach.compute(assessment)
        scoring_started.set()
        finish_scoring.wait(30)
        return results

    monkeypatch.setitem(techniques.TECHNIQUES, "ach", dataclasses.replace(ach, compute=slow_compute))
    # The save's own rescoring (in-process here) is left out: it would race this one to store a snapshot.
    monkeypatch.setattr(rescoring_services, "rescore_request", lambda **kwargs: False)
    Assessment.objects.filter(pk=matrix.pk).update(content_version=F("content_version") + 1)  # not scored yet
    scored_version = Assessment.objects.get(pk=matrix.pk).content_version
    expected = results_compute(Assessment.objects.get(pk=matrix.pk))
    stored = []

    def score():
        try:
            stored.append(services.snapshot_compute(assessment_id=matrix.pk))
        finally:
            connection.close()

    scorer = threading.Thread(target=score)
    scorer.start()
    try:
        assert scoring_started.wait(30)
        saver = threading.Thread(
            target=lambda: (
                services.evidence_create(assessment=matrix, user=analyst, summary="Saved while scoring"),
                connection.close(),
            )
        )
        saver.start()
        # Committed while the scoring still runs (the save's own rescoring, in-process here, then waits).
        wait_for(lambda: Evidence.objects.filter(summary="Saved while scoring").exists(), timeout=30)
    finally:
        finish_scoring.set()
        scorer.join(30)
        saver.join(30)
    assert Assessment.objects.get(pk=matrix.pk).content_version == scored_version + 1
    assert stored[0] is not None and stored[0].version == scored_version
    assert stored[0].results["ach"] == expected
