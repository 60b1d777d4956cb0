from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Team

from ..models import Activity, Assessment, RescoreQueue
from .activity import activity_record
from .rescoring import assessment_bump


@transaction.atomic
def assessment_create(*, team: Team, user: User | None, title: str, question: str, description: str = "") -> Assessment:
    assessment = Assessment.objects.create(
        team=team, title=title, question=question, description=description, created_by=user
    )
    RescoreQueue.objects.create(assessment=assessment)
    activity_record(assessment=assessment, kind=Activity.Kind.CHANGE, message="Assessment created", actor=user)
    assessment_bump(assessment_id=assessment.pk, change="created")
    return assessment


@transaction.atomic
def assessment_archive(*, assessment: Assessment, user: User | None) -> Assessment:
    """Hide the assessment from lists and freeze it; nothing is deleted, a team admin can restore it."""
    updated = Assessment.objects.filter(pk=assessment.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if updated:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{user.get_username() if user else 'Someone'} archived the assessment.",
            actor=user,
            data={"action": "archive"},
        )
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def assessment_restore(*, assessment: Assessment, user: User | None) -> Assessment:
    updated = Assessment.objects.filter(pk=assessment.pk, archived_at__isnull=False).update(archived_at=None)
    if updated:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{user.get_username() if user else 'Someone'} restored the assessment from the archive.",
            actor=user,
            data={"action": "restore"},
        )
    assessment.refresh_from_db()
    return assessment
