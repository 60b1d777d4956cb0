from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.core.models import TimeStampedModel


class Thread(TimeStampedModel):
    """A discussion pinned to one place of an assessment; resolved and reopened as a whole."""

    class Kind(models.TextChoices):
        CELL = "cell", "Cell"
        EVIDENCE = "evidence", "Evidence"
        HYPOTHESIS = "hypothesis", "Hypothesis"
        ASSUMPTION = "assumption", "Assumption"
        INDICATOR = "indicator", "Indicator"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comment_threads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Assumptions and indicators live in technique apps, which sit above this one: a generic key
    # keeps the imports pointing down (the techniques register their models in COMMENTABLE).
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_id = models.PositiveIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Not a column: the review board sets it on the threads it lists (changed since the supervisor's last visit).
    changed: bool = False
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["assessment", "kind"])]
        constraints = [
            models.CheckConstraint(
                name="comment_thread_target_matches_kind",
                condition=(
                    models.Q(kind="cell", evidence__isnull=False, hypothesis__isnull=False, target_id__isnull=True)
                    | models.Q(kind="evidence", evidence__isnull=False, hypothesis__isnull=True, target_id__isnull=True)
                    | models.Q(
                        kind="hypothesis", evidence__isnull=True, hypothesis__isnull=False, target_id__isnull=True
                    )
                    | models.Q(
                        kind__in=["assumption", "indicator"],
                        evidence__isnull=True,
                        hypothesis__isnull=True,
                        target_id__isnull=False,
                        target_type__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.place}"

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def place(self) -> str:
        if self.kind == self.Kind.CELL:
            return f"{self.evidence.key} × {self.hypothesis.key}"
        if self.kind == self.Kind.EVIDENCE:
            return self.evidence.key
        if self.kind == self.Kind.HYPOTHESIS:
            return self.hypothesis.key
        target = self.target
        return getattr(target, "key", "?") if target is not None else "(deleted)"


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
