import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError

from .services.digests import digests_send_due
from .services.files import upload_run
from .services.imports import pending_imports_purge
from .services.rescoring import snapshot_compute, snapshot_sweep

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def rescore_assessment(self, assessment_id: int) -> int | None:
    snapshot = snapshot_compute(assessment_id=assessment_id)
    return snapshot.version if snapshot else None


@shared_task(acks_late=True)
def sweep_stale_assessments() -> list[int]:
    pending_imports_purge()
    return snapshot_sweep()


@shared_task(acks_late=True)
def send_due_digests() -> list[int]:
    # Each digest is claimed before it is sent: two rounds (or two beats) overlapping send it once.
    return digests_send_due()


@worker_ready.connect
def rescore_stale_on_worker_start(**kwargs) -> None:
    # A worker killed during a task's countdown leaves a claim whose task may never run; one starting
    # re-enqueues whatever is stale now instead of waiting for the claim's lease or for beat.
    try:
        stale = snapshot_sweep()
    except DatabaseError:
        logger.warning("Could not look for stale assessments at worker start; beat's sweep will")
        return
    if stale:
        logger.info("Worker start: rescoring %d stale assessment(s)", len(stale))


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def load_upload(pending_id: int) -> None:
    # A large file outlives the global 60 s limit; the claim inside upload_run makes redelivery harmless.
    upload_run(pending_id=pending_id)
