from django.db.models import QuerySet

from .models import Activity, Assessment, Notification, ScoreSnapshot


def assessments_for_team(*, team_id: int) -> QuerySet[Assessment]:
    return Assessment.objects.filter(team_id=team_id).select_related("created_by")


def activity_feed(*, assessment: Assessment, limit: int = 50) -> list[Activity]:
    return list(assessment.activities.select_related("actor")[:limit])


def snapshot_latest(*, assessment_id: int) -> ScoreSnapshot | None:
    return ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()


def notifications_for_user(*, user, limit: int = 100) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user, activity__assessment__team__memberships__user=user)
        .select_related("activity__assessment")
        .distinct()[:limit]
    )
