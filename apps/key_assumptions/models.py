from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.core.models import BoundedTextField, TimeStampedModel


class Confidence(models.TextChoices):
    SOLID = "solid", "Solid"
    CAVEATS = "caveats", "Correct with caveats"
    UNSUPPORTED = "unsupported", "Unsupported"


class Impact(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Assumption(TimeStampedModel):
    """A premise the assessment's judgment rests on, as the team agreed to record it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CHALLENGED = "challenged", "Challenged"
        REVISED = "revised", "Revised"
        RETIRED = "retired", "Retired"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assumptions")
    key = models.CharField(max_length=20)
    statement = BoundedTextField(max_length=2000)
    rationale = BoundedTextField(max_length=5000, blank=True, help_text="Why we believe it.")
    citation = models.CharField(max_length=300, blank=True, help_text="The passage it paraphrases.")
    supports = models.ManyToManyField(Hypothesis, blank=True, related_name="assumptions")
    analytic_line = models.CharField(
        max_length=300, blank=True, help_text="The analytic line it supports, when that is not a hypothesis."
    )
    could_be_untrue = BoundedTextField(
        max_length=5000, blank=True, help_text="Under what circumstances could it be untrue?"
    )
    less_true_now = BoundedTextField(max_length=5000, blank=True, help_text="True in the past, but may be less so now?")
    confidence = models.CharField(max_length=20, choices=Confidence.choices)
    impact = models.CharField(max_length=10, choices=Impact.choices, help_text="On the judgment, if it proved wrong.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Bumped on every edit; an edit form carries the version it showed, so a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    # The content version of the last check: a challenging link made in a later version is news the
    # rescoring flags (see services.recheck_flags_apply).
    checked_version = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_recheck = models.BooleanField(default=False)
    recheck_reason = models.TextField(blank=True)
    recheck_evidence = models.JSONField(default=list, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    # `history` is taken by the assumption's own change log (Change.related_name).
    revisions = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_assumption_key"),
            models.CheckConstraint(
                condition=models.Q(confidence__in=Confidence.values), name="assumption_confidence_known"
            ),
            models.CheckConstraint(condition=models.Q(impact__in=Impact.values), name="assumption_impact_known"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.statement[:60]}"


class Judgment(models.Model):
    """One analyst's own confidence in and impact of one assumption: the check as a team exercise."""

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="judgments")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confidence = models.CharField(max_length=20, choices=Confidence.choices)
    impact = models.CharField(max_length=10, choices=Impact.choices)
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["analyst__username"]
        constraints = [
            models.UniqueConstraint(fields=["assumption", "analyst"], name="one_judgment_per_analyst"),
            models.CheckConstraint(
                condition=models.Q(confidence__in=Confidence.values), name="judgment_confidence_known"
            ),
            models.CheckConstraint(condition=models.Q(impact__in=Impact.values), name="judgment_impact_known"),
        ]

    def __str__(self) -> str:
        return f"{self.analyst_id} on {self.assumption_id}: {self.confidence}/{self.impact}"


class EvidenceLink(models.Model):
    class Relation(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CHALLENGES = "challenges", "Challenges"

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="assumption_links")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    note = models.CharField(max_length=500, blank=True, help_text="Why it supports or challenges the assumption.")
    # The content version in which the link was made (or its relation last changed).
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evidence__order", "evidence_id"]
        constraints = [
            models.UniqueConstraint(fields=["assumption", "evidence"], name="one_link_per_evidence"),
            models.CheckConstraint(
                condition=models.Q(relation__in=["supports", "challenges"]), name="evidence_link_relation_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} {self.relation} {self.assumption_id}"


class Change(models.Model):
    """One dated entry in an assumption's history: who changed what, and why."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        JUDGED = "judged", "Judgment recorded"
        LINKED = "linked", "Evidence linked"
        UNLINKED = "unlinked", "Evidence unlinked"
        FLAGGED = "flagged", "Flagged: needs re-check"
        RECHECKED = "rechecked", "Re-checked"
        REQUIREMENT = "requirement", "Collection requirement"
        MOVED = "moved", "Moved"

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    # No actor means the background rescoring (or an import with no user).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The username at the time, kept when the user is gone or unknown to this site (imports).
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")
    reason = BoundedTextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.assumption_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"


class CollectionRequirement(models.Model):
    """What we would need to learn, by when, to settle an unsupported or challenged assumption."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        DROPPED = "dropped", "Dropped"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="collection_requirements")
    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="collection_requirements")
    need = BoundedTextField(max_length=2000, help_text="What we would need to learn.")
    due = models.DateField(null=True, blank=True, help_text="By when.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.assumption_id}: {self.need[:60]}"


class CheckRound(models.Model):
    """A supervisor's mark that the team completed the Key Assumptions Check for one review round."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assumption_checks")
    number = models.PositiveIntegerField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_by_name = models.CharField(max_length=150, blank=True)
    completed_at = models.DateTimeField(default=timezone.now)
    note = BoundedTextField(max_length=5000, blank=True)
    # What the check looked like when it was completed: counts and keys.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="one_check_per_round")]

    def __str__(self) -> str:
        return f"{self.assessment_id} round {self.number}"
