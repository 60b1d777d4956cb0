from django.contrib.auth.models import User
from django.db import transaction

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
