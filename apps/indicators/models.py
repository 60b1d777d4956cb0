from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.core.models import BoundedTextField, TimeStampedModel

from . import validator


class Status(models.TextChoices):
    NO_INFORMATION = "no_information", "No information"
    NOT_OBSERVED = "not_observed", "Not observed"
    EMERGING = "emerging", "Emerging"
    PARTIALLY_PRESENT = "partially_present", "Partially present"
    FULLY_PRESENT = "fully_present", "Fully present"


# A warning threshold is a status at which the indicator counts as present.
THRESHOLD_CHOICES = [(value, label) for value, label in Status.choices if value in validator.THRESHOLDS]


class Likelihood(models.TextChoices):
    HIGHLY_LIKELY = "highly_likely", "Highly likely"
    LIKELY = "likely", "Likely"
    COULD = "could", "Could"
    UNLIKELY = "unlikely", "Unlikely"
    HIGHLY_UNLIKELY = "highly_unlikely", "Highly unlikely"


class IndicatorSettings(models.Model):
    """Per assessment: the team's names for the status steps."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="indicator_settings")
    # Only the renamed steps; the defaults fill the rest.
    status_labels = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "indicator settings"

    def __str__(self) -> str:
        return f"Indicator settings of {self.assessment_id}"

    def labels(self) -> dict[str, str]:
        return {**validator.DEFAULT_STATUS_LABELS, **(self.status_labels or {})}


class Indicator(TimeStampedModel):
    class Category(models.TextChoices):
        CAPABILITY = "capability", "Capability"
        INTENT = "intent", "Intent"
        ACTIVITY = "activity", "Activity"
        ENVIRONMENT = "environment", "Environment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(max_length=20)
    statement = BoundedTextField(max_length=2000, help_text="The observable event or condition.")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.ACTIVITY)
    collection = BoundedTextField(
        max_length=2000, blank=True, help_text="How it would be observed: the collection source."
    )
    citation = models.CharField(max_length=300, blank=True, help_text="Where the argument for it is made.")
    review_cadence_days = models.PositiveIntegerField(
        default=validator.DEFAULT_CADENCE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Days between reviews (re-validation).",
    )
    threshold = models.CharField(
        max_length=20,
        choices=THRESHOLD_CHOICES,
        default=Status.PARTIALLY_PRESENT,
        help_text="The status at which the team is warned.",
    )
    # None: never reviewed, so due now.
    reviewed_on = models.DateField(null=True, blank=True)
    # Bumped on every edit; an edit form carries the version it showed, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_indicator_key"),
            models.CheckConstraint(
                condition=models.Q(threshold__in=validator.THRESHOLDS), name="indicator_threshold_is_present_step"
            ),
            models.CheckConstraint(
                condition=models.Q(review_cadence_days__gte=1), name="indicator_review_cadence_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.statement[:60]}"


class Validation(models.Model):
    """One analyst's expected likelihood of one indicator if one hypothesis were true."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="validations")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, related_name="indicator_validations")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="indicator_validations"
    )
    likelihood = models.CharField(max_length=20, choices=Likelihood.choices)
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["analyst", "indicator", "hypothesis"], name="one_validation_per_cell"),
            models.CheckConstraint(
                condition=models.Q(likelihood__in=list(validator.LIKELIHOODS)), name="validation_likelihood_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.analyst_id}: {self.indicator_id}×{self.hypothesis_id} = {self.likelihood}"


class Observation(models.Model):
    """A dated, sourced reading of an indicator's status; the latest sets the current status."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices)
    source = models.CharField(max_length=300)
    note = BoundedTextField(max_length=5000, blank=True)
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_observations",
    )
    evidence = models.ForeignKey(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicator_observations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=validator.STATUSES), name="observation_status_known")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.date}: {self.status}"
