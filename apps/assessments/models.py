import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from apps.accounts.models import Team
from apps.core.models import TimeStampedModel

from .rescoring import technique_front


def default_likelihoods() -> dict[str, float]:
    """No overrides: ACH's scoring (apps/ach/scoring.py DEFAULT_LIKELIHOODS) fills every rating's P(E|H)."""
    return {}


class Assessment(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=200)
    question = models.TextField(help_text="The key question the assessment answers.")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    likelihoods = models.JSONField(default=default_likelihoods, help_text="P(E|H) for each rating.")
    # Bumped in the same transaction as every change that affects a score; snapshots record the
    # version they scored, so a rescoring is due whenever the latest snapshot is behind.
    content_version = models.PositiveIntegerField(default=1)
    last_change = models.CharField(max_length=200, blank=True)
    hypothesis_counter = models.PositiveIntegerField(default=0)
    evidence_counter = models.PositiveIntegerField(default=0)
    # Set when a team admin archives it: gone from lists, read-only, restorable.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(technique_front().nav[1], args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED or self.archived_at is not None


class Hypothesis(TimeStampedModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="hypotheses")
    key = models.CharField(max_length=20)
    statement = models.TextField()
    order = models.PositiveIntegerField(default=0)
    # None on every hypothesis of an assessment means uniform priors.
    prior = models.FloatField(null=True, blank=True)
    # Bumped on every edit; an edit form carries the version it showed, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_hypothesis_key"),
            models.CheckConstraint(
                condition=models.Q(prior__isnull=True) | models.Q(prior__gte=0, prior__lte=1),
                name="hypothesis_prior_is_probability",
            ),
        ]
        verbose_name_plural = "hypotheses"

    def __str__(self) -> str:
        return f"{self.key}: {self.statement[:60]}"


def priors_validate(priors: list[float | None]) -> None:
    """Either no prior is set (uniform) or every prior is set and they sum to 1."""
    if all(p is None for p in priors):
        return
    if any(p is None for p in priors):
        raise ValidationError("Set a prior on every hypothesis, or on none (uniform).")
    if any(p < 0 or p > 1 for p in priors):
        raise ValidationError("Each prior must be between 0 and 1.")
    if not math.isclose(sum(priors), 1.0, abs_tol=1e-6):
        raise ValidationError(f"Priors must sum to 1 (they sum to {sum(priors):.4f}).")


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Evidence(models.Model):
    class Type(models.TextChoices):
        REPORT = "report", "Report"
        FACT = "fact", "Fact"
        ABSENCE = "absence_of_evidence", "Absence of evidence"
        ASSUMPTION = "assumption", "Assumption"
        EXPERT_JUDGMENT = "expert_judgment", "Expert judgment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(max_length=20)
    summary = models.TextField()
    source = models.CharField(max_length=300, blank=True)
    citation = models.CharField(max_length=300, blank=True, help_text="Where in the source.")
    date = models.DateField(null=True, blank=True, help_text="Date of the event.")
    type = models.CharField(max_length=30, choices=Type.choices, default=Type.REPORT)
    credibility = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    relevance = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    order = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    added_in_version = models.PositiveIntegerField(default=1)
    # Bumped on every edit; an edit form carries the version it showed, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="unique_evidence_key")]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.key}: {self.summary[:60]}"


class Activity(models.Model):
    """The assessment's feed: changes, rescoring alerts, warnings and flags."""

    class Kind(models.TextChoices):
        CHANGE = "change", "Change"
        ALERT = "alert", "Alert"
        WARNING = "warning", "Warning"
        FLAG = "flag", "Flag"
        REVIEW = "review", "Review"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.message[:80]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "activity"], name="one_notification_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.activity_id}"


class RescoreQueue(models.Model):
    """One row per assessment: claimed with a conditional UPDATE so a burst of saves enqueues one task."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="rescore_queue")
    queued = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.assessment_id}: {'queued' if self.queued else 'idle'}"


class ScoreSnapshot(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=200, blank=True)
    # Evidence keys added since the previous snapshot: what moved the picture.
    trigger_evidence = models.JSONField(default=list, blank=True)
    results = models.JSONField(default=dict)
    alerts = models.JSONField(default=list, blank=True)
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["-version"]
        constraints = [
            # Two workers racing on one version: the second insert fails and it does nothing.
            models.UniqueConstraint(fields=["assessment", "version"], name="one_snapshot_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} v{self.version}"


class PendingImport(models.Model):
    """Rows an upload previewed, kept on the server until confirmed once (or left to expire)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="pending_imports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=50)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed with a conditional UPDATE, so a second confirm (a double click, a replay) imports nothing.
    consumed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.via} by {self.user_id}"
