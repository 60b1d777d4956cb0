from django.conf import settings
from django.db import models

from apps.assessments.models import Assessment


class ReviewMark(models.Model):
    """When a supervisor last opened an assessment's review view: what changed since is highlighted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_marks")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_marks")
    seen_at = models.DateTimeField()
    seen_version = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "assessment"], name="one_review_mark_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.assessment_id} v{self.seen_version}"
