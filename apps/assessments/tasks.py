from celery import shared_task
from django.db import DatabaseError

from .services.imports import upload_run
from .services.rescoring import snapshot_compute, snapshot_sweep


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
    return snapshot_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def load_upload(pending_id: int) -> None:
    # A large file outlives the global 60 s limit; the claim inside upload_run makes redelivery harmless.
    upload_run(pending_id=pending_id)
