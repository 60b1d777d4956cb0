"""Background rescoring: claim, enqueue on commit, compute one snapshot per content version."""

import logging
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.metrics import RESCORING_LATENCY, SNAPSHOT_COMPUTE

from ..access import assessment_write_check
from ..models import Assessment, RescoreQueue, ScoreSnapshot
from ..selectors import assessments_outdated, assessments_stale, evidence_keys_added
from ..techniques import TECHNIQUES
from .activity import alerts_record

logger = logging.getLogger(__name__)

RESCORE_TASK = "apps.assessments.tasks.rescore_assessment"


def assessment_bump(*, assessment_id: int, change: str) -> int:
    """Bump the content version inside the caller's transaction; rescoring is enqueued on commit.

    The UPDATE also locks the assessment row until commit, which serialises the key counters and
    keeps a snapshot's reads consistent with the version it records (see snapshot_compute).
    Every content write bumps, so this is where the services keep the freeze (approved, archived,
    resolved): PermissionDenied, and the caller's transaction rolls the bump back. No caller is exempt,
    the daily sweep included (it leaves frozen assessments alone: see snapshot_sweep).
    """
    Assessment.objects.filter(pk=assessment_id).update(
        content_version=F("content_version") + 1, last_change=change[:200], updated_at=timezone.now()
    )
    # The row read after the UPDATE holds its lock: a review cannot approve between the check and the write.
    assessment = Assessment.objects.get(pk=assessment_id)
    assessment_write_check(assessment)
    transaction.on_commit(lambda: rescore_request(assessment_id=assessment_id))
    return assessment.content_version


def rescore_request(*, assessment_id: int, force: bool = False) -> bool:
    """Enqueue one rescoring unless one is already queued; True when a task was sent.

    A broker that is down is logged and left to the periodic sweep: the save has committed already
    and its content version records that a rescoring is due.
    """
    # Looked up by name: tasks.py imports this module, never the other way round.
    rescore_assessment = current_app.tasks[RESCORE_TASK]
    now = timezone.now()
    # A claim past its lease is one whose task died in a worker before it began (a task unclaims first):
    # taking it over here means a killed worker delays a rescoring by the lease, not until beat's sweep.
    lapsed = Q(queued_at__lt=now - timedelta(seconds=settings.RESCORE_CLAIM_LEASE_SECONDS)) | Q(queued_at=None)
    claimed = (
        RescoreQueue.objects.filter(assessment_id=assessment_id)
        .filter(Q(queued=False) | lapsed)
        .update(queued=True, queued_at=now)
    )
    if not claimed and not force:
        return False
    if not claimed:
        RescoreQueue.objects.update_or_create(
            assessment_id=assessment_id, defaults={"queued": True, "queued_at": timezone.now()}
        )
    try:
        # A short countdown lets a burst of saves share one rescoring: saves made while this task
        # waits find the claim taken and enqueue nothing; the task then scores the latest version.
        rescore_assessment.apply_async((assessment_id,), countdown=settings.RESCORE_COALESCE_SECONDS or None)
    except Exception:  # noqa: BLE001 - any broker failure; the sweep will retry
        logger.warning("Could not enqueue rescoring of assessment %s; the sweep will retry", assessment_id)
        RescoreQueue.objects.filter(assessment_id=assessment_id).update(queued=False)
        return False
    return True


def rescore_unclaim(*, assessment_id: int) -> None:
    RescoreQueue.objects.filter(assessment_id=assessment_id).update(queued=False)


def snapshot_compute(*, assessment_id: int) -> ScoreSnapshot | None:
    """Score the assessment's current content version once; None when it is already scored.

    Two steps, so that saves never wait for the scoring: the results are computed from one consistent
    view of the database (a repeatable-read transaction on PostgreSQL; SQLite's transactions are
    serialisable), taking no lock; then, under the assessment's row lock (which writers take with their
    version bump), the snapshot of that version is stored and the techniques' side effects applied.
    Saves made meanwhile have already queued the next rescoring. Idempotent: the version is compared
    with the latest snapshot before any work, and again under the lock; the unique (assessment,
    version) constraint makes a racing second worker's insert a no-op.
    """
    rescore_unclaim(assessment_id=assessment_id)
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost and transaction.get_connection().vendor == "postgresql":
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None or _scored(assessment):
            return None
        started = time.perf_counter()
        results = {}
        for name, technique in TECHNIQUES.items():
            with SNAPSHOT_COMPUTE.labels(technique=name).time():
                results[name] = technique.compute(assessment)
        duration_ms = (time.perf_counter() - started) * 1000
    with transaction.atomic():
        if not Assessment.objects.select_for_update().filter(pk=assessment_id).exists() or _scored(assessment):
            return None
        previous = ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()
        alerts: list[dict] = []
        for name, technique in TECHNIQUES.items():
            previous_results = previous.results.get(name) if previous else None
            alerts.extend({**a, "technique": name} for a in technique.alerts(previous_results, results[name]))
        try:
            with transaction.atomic():
                snapshot = ScoreSnapshot.objects.create(
                    assessment=assessment,
                    version=assessment.content_version,
                    trigger=assessment.last_change,
                    trigger_evidence=evidence_keys_added(
                        assessment_id=assessment_id,
                        after_version=previous.version if previous else 0,
                        up_to_version=assessment.content_version,
                    ),
                    results=results,
                    duration_ms=duration_ms,
                )
        except IntegrityError:
            return None
        # updated_at is the time of the save that made this version (assessment_bump sets both).
        RESCORING_LATENCY.observe(max(0.0, (timezone.now() - assessment.updated_at).total_seconds()))
        before = previous.results if previous else None
        for name, technique in TECHNIQUES.items():
            raised = technique.apply(assessment, results[name], results, before)
            alerts.extend({**a, "technique": name} for a in raised)
        if alerts:
            snapshot.alerts = alerts
            snapshot.save(update_fields=["alerts"])
            alerts_record(assessment=assessment, snapshot=snapshot, alerts=alerts)
    return snapshot


def _scored(assessment: Assessment) -> bool:
    """A snapshot of this version (or a later one) exists."""
    return ScoreSnapshot.objects.filter(assessment_id=assessment.pk, version__gte=assessment.content_version).exists()


def snapshot_sweep() -> list[int]:
    """Enqueue a rescoring of every assessment whose latest snapshot is behind its content version, after
    moving on the version of those whose date-dependent results were last computed on an earlier day.

    A frozen assessment (approved, archived, resolved) is never moved on: its figures stay those it was
    frozen with, as its reviewers and its post-mortem saw them. Once reopened (or restored, un-resolved)
    the next sweep brings it up to date.
    """
    for assessment_id in assessments_outdated():
        # A new version, so that the rescoring's version check lets it run; the alerts that matured
        # with the date are raised by it like any other.
        with transaction.atomic():
            assessment_bump(assessment_id=assessment_id, change="daily re-evaluation of date-dependent results")
    stale_ids = assessments_stale()
    for assessment_id in stale_ids:
        rescore_request(assessment_id=assessment_id, force=True)
    return stale_ids
