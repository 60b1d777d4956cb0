"""Preview, then confirm: an upload's rows wait on the server and are imported at most once."""

from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.exchange import FORMAT as TEAMS_FORMAT
from apps.accounts.exchange import TeamsFileError, teams_load
from apps.accounts.models import Team

from ..models import Assessment, Evidence, PendingImport
from ..selectors import upload_teams
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


# The admin upload page: an assessment or teams file, previewed, then loaded once; large ones by a task.

UPLOAD_TASK = "apps.assessments.tasks.load_upload"
UPLOAD_KINDS = (PendingImport.Kind.ASSESSMENT, PendingImport.Kind.TEAMS)
UPLOAD_SECTIONS = ("hypotheses", "evidence", "ratings", "assumptions", "indicators")


def upload_items(*, data: dict[str, Any]) -> int:
    """How many items a file holds: what the task threshold and the progress bar count."""
    if data.get("format") == TEAMS_FORMAT:
        return sum(1 + len(team.get("members") or []) for team in data.get("teams") or [])
    return sum(len(data.get(section) or []) for section in UPLOAD_SECTIONS)


def upload_pending_create(*, user: User, kind: str, team: Team | None, payload: dict[str, Any]) -> PendingImport:
    return PendingImport.objects.create(
        kind=kind, team=team, user=user, via="upload", payload=payload, total=upload_items(data=payload["data"])
    )


def _upload_permit(pending: PendingImport) -> None:
    """Checked again on confirmation and in the task: a role can be taken away after the preview."""
    user = pending.user
    if pending.kind == PendingImport.Kind.TEAMS:
        if not user.is_staff:
            raise PermissionDenied("Only site admins load teams files.")
    elif pending.team_id is None or not upload_teams(user=user).filter(pk=pending.team_id).exists():
        raise PermissionDenied("You cannot load assessments into that team.")


def _upload_load(pending: PendingImport) -> tuple[str, Assessment | None]:
    from ..exchange import assessment_load  # exchange.py imports services: imported here, not at the top

    payload = pending.payload
    if pending.kind == PendingImport.Kind.TEAMS:
        summary = teams_load(data=payload["data"], actor=pending.user)
        return "Teams loaded: " + "; ".join(summary.lines()) + ".", None
    result = assessment_load(  # one transaction: a bad file writes nothing
        data=payload["data"],
        team=pending.team,
        user=pending.user,
        create_analysts=payload.get("create_analysts", False),
        allow_duplicate=payload.get("allow_duplicate", False),
    )
    return f"“{result.assessment.title}”: {result.action}.", result.assessment


def _upload_finish(pending: PendingImport, *, summary: str, assessment: Assessment | None) -> None:
    PendingImport.objects.filter(pk=pending.pk).update(
        status=PendingImport.Status.DONE, done=pending.total, summary=summary[:500], assessment=assessment
    )
    pending.refresh_from_db()


@transaction.atomic
def upload_confirm(*, pending: PendingImport, user: User) -> PendingImport:
    """Load a previewed file once, by its uploader: here if small, else by a task the page then polls.

    A second confirm is refused. A small load that fails rolls back with its claim, so the same
    preview can be confirmed again after the cause (a role, a clashing edit) is fixed.
    """
    claimed = PendingImport.objects.filter(
        pk=pending.pk,
        user=user,
        kind__in=UPLOAD_KINDS,
        consumed_at__isnull=True,
        created_at__gte=timezone.now() - PENDING_IMPORT_TTL,
    ).update(consumed_at=timezone.now(), status=PendingImport.Status.QUEUED)
    if not claimed:
        pending.refresh_from_db()
        if pending.user_id != user.pk:
            raise PermissionDenied("Only the person who uploaded a file confirms it.")
        if pending.consumed_at is not None:
            raise ValidationError(
                "This file was already confirmed: it is loaded, or loading. Upload it again to reload."
            )
        raise ValidationError("The preview expired; upload the file again.")
    pending.refresh_from_db()
    _upload_permit(pending)
    if pending.total >= settings.UPLOAD_TASK_THRESHOLD:
        # Looked up by name: tasks.py imports this module, never the other way round.
        load_upload = current_app.tasks[UPLOAD_TASK]
        transaction.on_commit(lambda: load_upload.delay(pending.pk))
        return pending
    summary, assessment = _upload_load(pending)
    _upload_finish(pending, summary=summary, assessment=assessment)
    return pending


def upload_run(*, pending_id: int) -> None:
    """The task's work: claim a queued load, run it in one transaction, record the outcome on the row."""
    claimed = PendingImport.objects.filter(pk=pending_id, status=PendingImport.Status.QUEUED).update(
        status=PendingImport.Status.RUNNING
    )
    if not claimed:
        return
    from ..exchange import AssessmentFileError

    pending = PendingImport.objects.select_related("user", "team").get(pk=pending_id)
    try:
        with transaction.atomic():
            _upload_permit(pending)
            summary, assessment = _upload_load(pending)
    except AssessmentFileError as exc:
        errors = exc.shown()
    except (TeamsFileError, PermissionDenied, ValidationError) as exc:
        errors = exc.errors[:100] if isinstance(exc, TeamsFileError) else [str(exc)]
    else:
        _upload_finish(pending, summary=summary, assessment=assessment)
        return
    PendingImport.objects.filter(pk=pending_id).update(status=PendingImport.Status.FAILED, errors=errors)


def pending_imports_purge() -> int:
    """Delete previews and finished loads older than the confirmation window (each may hold a 10 MB file);
    a load that is queued or running is left to finish."""
    deleted, _ = (
        PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_IMPORT_TTL)
        .exclude(status__in=[PendingImport.Status.QUEUED, PendingImport.Status.RUNNING])
        .delete()
    )
    return deleted
