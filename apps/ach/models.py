from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.assessments.models import Assessment, Evidence, Hypothesis

from .scoring import RATING_CODES, RATING_LABELS


class Rating(models.Model):
    """One analyst's judgment of one evidence × hypothesis cell (no row = not rated yet)."""

    # The codes and labels of apps.ach.scoring, so a matrix loads straight into an array.
    # The stubs know only the class form of IntegerChoices; the functional one keeps the labels in one place.
    Value = models.IntegerChoices(  # type: ignore[call-overload]
        "Value", [(label, (code, label)) for code, label in enumerate(RATING_LABELS) if code]
    )

    # Denormalised from the evidence so a whole matrix loads with one indexed query.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="ratings")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="ratings")
    value = models.PositiveSmallIntegerField(choices=Value.choices)
    note = models.CharField(max_length=500, blank=True)
    rated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["analyst", "evidence", "hypothesis"], name="one_rating_per_cell"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=len(RATING_LABELS) - 1), name="rating_value_known"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "analyst"])]

    def __str__(self) -> str:
        return f"{self.analyst_id}: {self.evidence_id}×{self.hypothesis_id} = {self.get_value_display()}"


LABEL_TO_VALUE = {label: code for label, code in RATING_CODES.items() if code}
VALUE_TO_LABEL = dict(enumerate(RATING_LABELS))


class Statement(models.Model):
    """An analyst's own probabilities for the hypotheses at one time; every statement is kept (history)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="statements")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statements")
    stated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-stated_at", "-id"]
        indexes = [models.Index(fields=["assessment", "analyst", "stated_at"])]

    def __str__(self) -> str:
        return f"{self.analyst_id} on {self.assessment_id} at {self.stated_at:%Y-%m-%d %H:%M}"


class StatedProbability(models.Model):
    """One hypothesis's probability in a statement, in percent as entered (not normalised)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="probabilities")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="+")
    percent = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "hypothesis"], name="one_probability_per_hypothesis"),
            models.CheckConstraint(condition=models.Q(percent__gte=0, percent__lte=100), name="percent_in_range"),
        ]
        verbose_name_plural = "stated probabilities"

    def __str__(self) -> str:
        return f"{self.hypothesis_id}: {self.percent:g}%"


class Resolution(models.Model):
    """What proved true: a hypothesis, or none of them (outcome null), recorded by a supervisor."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="resolution")
    outcome = models.ForeignKey(Hypothesis, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_on = models.DateField()
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now_add=True)
    # The post-mortem as computed when resolving (postmortem.calibration_compute): what it scores
    # stays as it was, whatever the live matrix becomes.
    record = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.outcome_id or 'none of these'}"


class RatingConflict(models.Model):
    """A cell an analyst rated differently in two merged items: her kept rating stands, the duplicate's value
    waits here, listed to her alone on her matrix until she rates the cell again (services.rating_set)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rating_conflicts")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The kept cell.
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="+")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="+")
    # Her rating of the kept cell and of the duplicate's, when they were merged.
    kept_value = models.PositiveSmallIntegerField(choices=Rating.Value.choices)
    duplicate_value = models.PositiveSmallIntegerField(choices=Rating.Value.choices)
    duplicate_key = models.CharField(max_length=20, help_text="The merged item's key, e.g. E5.")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["merged_at", "id"]
        indexes = [models.Index(fields=["assessment", "analyst"])]

    def __str__(self) -> str:
        return f"{self.analyst_id}: {self.evidence_id}×{self.hypothesis_id} {self.kept_value} / {self.duplicate_value}"
