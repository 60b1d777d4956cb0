import datetime as dt

from django.contrib.auth.models import User
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from .models import Activity, Assessment, Evidence, Notification, ScoreSnapshot
from .rescoring import TECHNIQUES


def assessments_for_team(*, team_id: int) -> QuerySet[Assessment]:
    return Assessment.objects.filter(team_id=team_id).select_related("created_by")


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


def assessments_outdated(*, today: dt.date | None = None) -> list[int]:
    """Assessments whose results depend on the date and whose latest snapshot was computed on an earlier
    UTC day (or never)."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    dated = {pk for technique in TECHNIQUES.values() for pk in technique.dated()}
    latest = Assessment.objects.filter(pk__in=dated).annotate(scored_at=Max("snapshots__created_at"))
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
