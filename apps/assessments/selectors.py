from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from .models import Activity, Assessment, Evidence, Notification, RescoreQueue, ScoreSnapshot


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
    return list(assessment.activities.select_related("actor")[:limit])


def snapshot_latest(*, assessment_id: int) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()


def notifications_for_user(*, user: User, limit: int = 100) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user, activity__assessment__team__memberships__user=user)
        .select_related("activity__assessment")
        .distinct()[:limit]
    )


def assessments_stale() -> list[int]:
    """Assessments whose latest snapshot (if any) is behind their content version."""
    return list(
        Assessment.objects.annotate(scored=Max("snapshots__version"))
        .filter(Q(scored__isnull=True) | Q(scored__lt=F("content_version")))
        .values_list("pk", flat=True)
    )


def evidence_keys_added(*, assessment_id: int, after_version: int, up_to_version: int) -> list[str]:
    return list(
        Evidence.objects.filter(
            assessment_id=assessment_id, added_in_version__gt=after_version, added_in_version__lte=up_to_version
        ).values_list("key", flat=True)
    )


# A healthy worker scores a change within seconds; past these, the panel says scoring is delayed.
RESCORE_GRACE = timedelta(seconds=10)
RESCORE_STUCK = timedelta(seconds=60)


def rescoring_delayed(*, assessment: Assessment, pending: bool) -> bool:
    """Whether a pending rescoring is late: the enqueue failed (broker down, left to the sweep) or the
    queued task has not run (no worker). The saved input is safe either way; only its scoring waits."""
    if not pending or timezone.now() - assessment.updated_at < RESCORE_GRACE:
        return False
    try:
        queue = assessment.rescore_queue
    except RescoreQueue.DoesNotExist:
        return True
    if not queue.queued:
        return True
    return queue.queued_at is None or timezone.now() - queue.queued_at > RESCORE_STUCK
