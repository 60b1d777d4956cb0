from django.contrib.auth.models import User
from django.utils import timezone

from apps.assessments.models import Assessment

from .models import ReviewMark


def review_mark_set(*, assessment: Assessment, user: User) -> None:
    """Record that the user has now seen the assessment as it stands: one UPDATE, an INSERT the first time."""
    values = {"seen_at": timezone.now(), "seen_version": assessment.content_version}
    if not ReviewMark.objects.filter(assessment=assessment, user=user).update(**values):
        ReviewMark.objects.create(assessment=assessment, user=user, **values)
