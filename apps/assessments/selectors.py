import datetime as dt
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from apps.accounts.models import Role, Team

from .access import writable
from .models import (
    Activity,
    Assessment,
    DuplicateMark,
    Evidence,
    Follow,
    Hypothesis,
    Notification,
    RescoreQueue,
    ScoreSnapshot,
    Source,
)
from .techniques import TECHNIQUES


def upload_teams(*, user: User) -> QuerySet[Team]:
    """The teams a user may load an assessment file into: any for site admins, else the teams they admin."""
    if user.is_staff:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__role=Role.TEAM_ADMIN)


def assessments_for_team(*, team_id: int, archived: bool = False) -> QuerySet[Assessment]:
    return Assessment.objects.filter(team_id=team_id, archived_at__isnull=not archived).select_related("created_by")


def review_return_latest(*, assessment: Assessment) -> Activity | None:
    """The supervisor's comment that sent a returned assessment back, for the page header."""
    if assessment.status != Assessment.Status.RETURNED:
        return None
    return (
        assessment.activities.filter(kind=Activity.Kind.REVIEW, data__action="return")
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def activity_feed(*, assessment: Assessment, limit: int = 50) -> list[Activity]:
    # Digests repeat alerts already in the feed; they exist for notifications.
    return list(assessment.activities.exclude(kind=Activity.Kind.DIGEST).select_related("actor")[:limit])


def snapshot_latest(*, assessment_id: int) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()


def snapshot_latest_version(*, assessment_id: int) -> int | None:
    """The latest snapshot's version without its results (a poll that finds nothing new needs no more)."""
    versions = ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version")
    return versions.values_list("version", flat=True).first()


def items_signature(*, assessment_id: int) -> str:
    """What changes whenever a hypothesis or an evidence item is added, edited, moved or deleted, or a source
    added, edited (graded), retracted, restored or deleted (the rows show their source's grade and strike a
    retracted one's items through): an open page compares it with the one it shows (one query of three small
    aggregates)."""
    with connection.cursor() as cursor:
        cursor.execute(_ITEMS_SIGNATURE_SQL, [assessment_id, assessment_id, assessment_id])
        row = cursor.fetchone()
    return "-".join(row)


def _items_summary_sql(model: type[models.Model]) -> str:
    return (
        "(SELECT COUNT(*) || '.' || COALESCE(SUM(version), 0) || '.' || COALESCE(MAX(id), 0) || '.' || "
        f'COALESCE(SUM("order" * id), 0) FROM {model._meta.db_table} WHERE assessment_id = %s)'
    )


# Written out once: every matrix page and every panel poll runs it, and the ORM's compilation of the same
# aggregates cost more CPU than the query itself (bench/bench_matrix_page.py).
_ITEMS_SIGNATURE_SQL = (
    f"SELECT {_items_summary_sql(Hypothesis)}, {_items_summary_sql(Evidence)}, "
    "(SELECT COUNT(*) || '.' || COALESCE(SUM(version), 0) || '.' || COALESCE(MAX(id), 0) "
    f"FROM {Source._meta.db_table} WHERE assessment_id = %s)"
)


def _notifications_visible(user: User) -> QuerySet[Notification]:
    # Only assessments of teams the user is still in.
    return Notification.objects.filter(
        user=user, activity__assessment__team__in=Team.objects.filter(memberships__user=user)
    )


def notifications_for_user(*, user: User, limit: int = 100) -> list[Notification]:
    return list(_notifications_visible(user).select_related("activity__assessment")[:limit])


def notifications_unread_count(*, user: User) -> int:
    return _notifications_visible(user).filter(read_at__isnull=True).count()


def notification_for_user(*, user: User, pk: int) -> Notification:
    """The user's own notification; 404 for anyone else's or one from a team the user has left."""
    notification = _notifications_visible(user).filter(pk=pk).select_related("activity").first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def follow_state(*, user: User, assessment: Assessment) -> str:
    """ "follow", "mute" or "" (the team default)."""
    return Follow.objects.filter(user=user, assessment=assessment).values_list("state", flat=True).first() or ""


# History (django-simple-history): every tracked model that belongs to an assessment, found from the
# library's registry so technique apps need not be imported here.

HISTORY_IGNORED_FIELDS = frozenset(
    {
        "created_at",
        "updated_at",
        "rated_at",
        "added_at",
        "id",
        "assessment",
        "version",
        "content_version",
        "scored_version",
    }
)


@dataclass(frozen=True)
class HistoryChange:
    at: datetime
    user: Any
    model: str  # verbose name, e.g. "evidence"
    object_id: int
    label: str  # the item's key where it has one ("E7"), else its text
    action: str  # "added" | "edited" | "deleted"
    diffs: tuple[tuple[str, Any, Any], ...]  # (field, before, after); for "added", before is None


def _assessment_path(model: type[models.Model]) -> str | None:
    names = {f.name for f in model._meta.concrete_fields}
    if "assessment" in names:
        return "assessment_id"
    if model is Assessment:
        return "id"
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None:
            related_names = {rf.name for rf in f.related_model._meta.concrete_fields}
            if "assessment" in related_names:
                return f"{f.name}__assessment_id"
    return None


def history_tracked() -> list[tuple[type[models.Model], str]]:
    """(model, lookup to the assessment id) for every history-tracked model of an assessment."""
    from simple_history.models import registered_models

    tracked = []
    for model in registered_models.values():
        path = _assessment_path(model)
        if path is not None:
            tracked.append((model, path))
    return tracked


def _label(record: Any) -> str:
    key = getattr(record, "key", "")
    if key:
        return key
    if {"evidence_id", "hypothesis_id", "analyst_id"} <= set(vars(record)):
        return f"cell {record.evidence_id}×{record.hypothesis_id} of user {record.analyst_id}"
    return str(record.instance)[:60]


def _tracked_field_names(history_model: Any) -> list[str]:
    return [f.attname for f in history_model.tracked_fields if f.name not in HISTORY_IGNORED_FIELDS]


def assessment_history(
    *, assessment: Assessment, since: datetime | None = None, until: datetime | None = None
) -> list[HistoryChange]:
    """Every recorded change to the assessment and its items, oldest first, each with its field diffs."""
    changes: list[HistoryChange] = []
    for model, path in history_tracked():
        history_model = get_history_model_for_model(model)
        fields = _tracked_field_names(history_model)
        records = history_model.objects.filter(**{path: assessment.pk}).select_related("history_user")
        if until is not None:
            records = records.filter(history_date__lte=until)
        previous: dict[int, Any] = {}
        for record in records.order_by("history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            if since is not None and record.history_date <= since:
                continue
            if record.history_type == "+":
                action, diffs = "added", tuple((f, None, getattr(record, f)) for f in fields)
            elif record.history_type == "-":
                action, diffs = "deleted", ()
            else:
                action = "edited"
                diffs = tuple(
                    (f, getattr(before, f), getattr(record, f))
                    for f in fields
                    if before is None or getattr(before, f) != getattr(record, f)
                )
                if not diffs:
                    continue
            changes.append(
                HistoryChange(
                    at=record.history_date,
                    user=record.history_user,
                    model=str(model._meta.verbose_name),
                    object_id=record.id,
                    label=_label(record),
                    action=action,
                    diffs=diffs,
                )
            )
    changes.sort(key=lambda c: c.at)
    return changes


def snapshot_for_version(*, assessment: Assessment, version: int) -> ScoreSnapshot:
    """The snapshot that scored `version` (or the latest one before it); DoesNotExist when none."""
    snapshot = assessment.snapshots.filter(version__lte=version).order_by("-version").first()
    if snapshot is None:
        raise ScoreSnapshot.DoesNotExist(f"No snapshot at or before version {version}.")
    return snapshot


def assessments_stale() -> list[int]:
    """Assessments whose latest snapshot (if any) is behind their content version."""
    return list(
        Assessment.objects.annotate(scored=Max("snapshots__version"))
        .filter(Q(scored__isnull=True) | Q(scored__lt=F("content_version")))
        .values_list("pk", flat=True)
    )


def assessments_outdated(*, today: dt.date | None = None) -> list[int]:
    """Assessments open to changes whose results depend on the date and whose latest snapshot was computed
    on an earlier UTC day (or never)."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    dated = {pk for technique in TECHNIQUES.values() for pk in technique.dated()}
    latest = Assessment.objects.filter(writable(), pk__in=dated).annotate(scored_at=Max("snapshots__created_at"))
    return sorted(
        pk
        for pk, scored_at in latest.values_list("pk", "scored_at")
        if scored_at is None or scored_at.astimezone(dt.UTC).date() < today
    )


def evidence_keys_added(*, assessment_id: int, after_version: int, up_to_version: int) -> list[str]:
    return list(
        Evidence.objects.filter(
            assessment_id=assessment_id, added_in_version__gt=after_version, added_in_version__lte=up_to_version
        ).values_list("key", flat=True)
    )


# A healthy worker scores a change within seconds of its request; past this, the panel says scoring is delayed.
RESCORE_GRACE = timedelta(seconds=10)


def rescoring_delayed(*, assessment: Assessment, pending: bool) -> bool:
    """Whether a pending rescoring is overdue: more than the grace period since it was requested. A held
    claim is the request (its task has not run: no worker); without one, the save that left the version
    unscored is (the enqueue failed and waits for the sweep, or the task is computing). The saved input
    is safe either way; only its scoring waits. Reads the queue that assessment_for_user brings along."""
    if not pending:
        return False
    requested_at = assessment.updated_at
    try:
        queue = assessment.rescore_queue
    except RescoreQueue.DoesNotExist:
        queue = None
    if queue is not None and queue.queued and queue.queued_at is not None:
        requested_at = queue.queued_at
    return timezone.now() - requested_at > RESCORE_GRACE


def duplicate_marks(*, assessment_id: int) -> list[DuplicateMark]:
    """The assessment's marked duplicates with both items and who marked them: one query when there are none
    (every matrix page asks), a few more when there are (a select_related of five tables cost ~1 ms of CPU to
    compile, even for no rows)."""
    return list(
        DuplicateMark.objects.filter(assessment_id=assessment_id).prefetch_related(
            "evidence", "evidence_of", "hypothesis", "hypothesis_of", "marked_by"
        )
    )
