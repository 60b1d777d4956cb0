"""Writes through the JSON file format: forking an assessment, and the upload page's load (an assessment or
teams file, previewed, then loaded once; large ones by a task).

They call ``exchange.py``, which calls the other services, so this module sits above both and
``services/__init__`` does not import it: callers name it, ``services.files.<name>``.
"""

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

from ..exchange import AssessmentFileError, assessment_export, assessment_import, assessment_load
from ..models import Activity, Assessment, PendingImport
from ..selectors import upload_teams
from ..visibility import view_for
from .activity import activity_record
from .imports import PENDING_IMPORT_TTL


@transaction.atomic
def assessment_fork(*, assessment: Assessment, user: User, with_ratings: bool, title: str = "") -> Assessment:
    """Copy the assessment into its team as a new draft, through the JSON format so every technique's
    section comes along; without ratings, analysts' own judgments (ACH ratings, assumption judgments,
    indicator validations) are left behind. Both feeds record the fork."""
    # The copy holds only what the forking member may see (apps.assessments.visibility): an analyst's fork
    # leaves out teammates' ratings of rows she has not rated and judgments of assumptions she has not judged.
    data = assessment_export(assessment=assessment, view=view_for(assessment=assessment, user=user))
    data.pop("id", None)
    data["title"] = (title or f"Copy of {assessment.title}")[:200]
    if not with_ratings:
        data["ratings"] = []
        for item in data.get("assumptions", []):
            item["judgments"] = []
        for item in data.get("indicators", []):
            item["validations"] = []
    # A copy: each judgment stays its author's, whoever forks.
    fork = assessment_import(data=data, team=assessment.team, user=user, keep_authors=True)
    version = Assessment.objects.values_list("content_version", flat=True).get(pk=assessment.pk)
    how = "with" if with_ratings else "without"
    activity_record(
        assessment=fork,
        kind=Activity.Kind.CHANGE,
        message=f"Forked from “{assessment.title}” (#{assessment.pk}, version {version}) {how} ratings",
        actor=user,
        data={"forked_from": assessment.pk, "version": version, "with_ratings": with_ratings},
    )
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Forked into “{fork.title}” (#{fork.pk}) {how} ratings",
        actor=user,
        data={"fork": fork.pk, "version": version, "with_ratings": with_ratings},
    )
    return fork


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
    payload = pending.payload
    if pending.kind == PendingImport.Kind.TEAMS:
        summary = teams_load(data=payload["data"], actor=pending.user)
        return "Teams loaded: " + "; ".join(summary.lines()) + ".", None
    assert pending.team is not None  # an assessment upload names its team (upload_pending_create)
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
