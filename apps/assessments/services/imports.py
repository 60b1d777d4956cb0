"""Preview, then confirm: an upload's rows wait on the server and are imported at most once."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Assessment, Evidence, PendingImport
from .evidence import evidence_add

PENDING_IMPORT_TTL = timedelta(hours=1)


def pending_import_create(*, assessment: Assessment, user: User, rows: list[dict[str, Any]], via: str) -> PendingImport:
    return PendingImport.objects.create(team=assessment.team, assessment=assessment, user=user, via=via, payload=rows)


@transaction.atomic
def pending_import_confirm(*, pending: PendingImport, assessment: Assessment, user: User) -> list[Evidence]:
    """Import the previewed rows once; a second confirm, or one older than an hour, is refused."""
    claimed = PendingImport.objects.filter(
        pk=pending.pk,
        user=user,
        assessment=assessment,
        consumed_at__isnull=True,
        created_at__gte=timezone.now() - PENDING_IMPORT_TTL,
    ).update(consumed_at=timezone.now())
    if not claimed:
        pending.refresh_from_db()
        if pending.consumed_at is not None:
            raise ValidationError("This import was already confirmed: its rows are in the assessment.")
        raise ValidationError("The preview expired; upload the file again.")
    return evidence_add(assessment=assessment, user=user, items=pending.payload, via=pending.via)


def pending_imports_purge() -> int:
    """Delete previews and finished loads older than the confirmation window (each may hold a 10 MB file);
    a load that is queued or running is left to finish."""
    deleted, _ = (
        PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_IMPORT_TTL)
        .exclude(status__in=[PendingImport.Status.QUEUED, PendingImport.Status.RUNNING])
        .delete()
    )
    return deleted
