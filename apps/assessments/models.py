import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from apps.accounts.models import Team
from apps.core.models import BoundedTextField, SingleLineCharField, TimeStampedModel

from .grading import INFORMATION_GRADES, SOURCE_GRADES
from .techniques import technique_first_tab


def default_likelihoods() -> dict[str, float]:
    """No overrides: ACH's scoring (apps/ach/scoring.py DEFAULT_LIKELIHOODS) fills every rating's P(E|H)."""
    return {}


class Marking(models.Model):
    """A classification or handling caveat from the list the site admin maintains."""

    name = SingleLineCharField(max_length=100, unique=True, help_text="As printed, e.g. “OFFICIAL-SENSITIVE”.")
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    title = SingleLineCharField(max_length=200)
    # The file's stable "id": loading a file with the same slug into the team updates this assessment.
    slug = models.SlugField(max_length=100, blank=True, default="")
    question = BoundedTextField(max_length=2000, help_text="The key question the assessment answers.")
    description = BoundedTextField(max_length=10000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    marking = models.ForeignKey(
        Marking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="Shown on every page and export of the assessment.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    likelihoods = models.JSONField(default=default_likelihoods, help_text="P(E|H) for each rating.")
    # Credibility and relevance factors of r(e); empty keeps the defaults of apps.ach.scoring, which validates.
    reliability = models.JSONField(default=dict, blank=True, help_text="Credibility and relevance factors.")
    # Bumped in the same transaction as every change that affects a score; snapshots record the
    # version they scored, so a rescoring is due whenever the latest snapshot is behind.
    content_version = models.PositiveIntegerField(default=1)
    last_change = models.CharField(max_length=200, blank=True)
    # The version stamp changes on every save; history keeps what an analyst changed.
    history = HistoricalRecords(excluded_fields=["content_version", "last_change", "updated_at"])
    # Set when a team admin archives it: gone from lists, read-only, restorable.
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set when a supervisor records what proved true (ACH's Resolution): read-only until un-resolved, so the
    # post-mortem scores what stood at the resolution.
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The date the assessment speaks as of (indicator status, staleness, the Grabo rule); none means today.
    as_of = models.DateField(
        null=True, blank=True, help_text="Judge indicators as of this date; leave blank for today."
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "slug"], condition=~models.Q(slug=""), name="unique_assessment_slug_per_team"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(technique_first_tab(), args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED or self.archived_at is not None or self.resolved_at is not None

    @property
    def judged_on(self) -> "datetime.date":
        """The day indicators are judged as of: the as-of date, or today."""
        return self.as_of or timezone.localdate()


class KeyCounter(models.Model):
    """The last number handed out for one kind of key (its prefix: H, E, S, A, IND) in one assessment
    (apps.assessments.keys); it only goes up, so a deleted item's key is never handed out again."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=10)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "prefix"], name="key_counter_per_prefix")]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.prefix}{self.last}"


class Hypothesis(TimeStampedModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="hypotheses")
    key = models.CharField(max_length=20)
    statement = BoundedTextField(max_length=2000)
    order = models.PositiveIntegerField(default=0)
    # None on every hypothesis of an assessment means uniform priors.
    prior = models.FloatField(null=True, blank=True)
    # Incremented by every update: a client editing with an old version is answered 409.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

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


class Source(TimeStampedModel):
    """An entry of the assessment's source register: where evidence items come from, graded A–F."""

    class Kind(models.TextChoices):
        HUMAN = "human", "Human"
        DOCUMENT = "document", "Document"
        INTERCEPT = "intercept", "Intercept"
        IMAGERY = "imagery", "Imagery"
        OPEN_SOURCE = "open_source", "Open source"
        ANALYSIS = "analysis", "Analysts' own judgment"
        OTHER = "other", "Other"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sources")
    key = models.CharField(max_length=20)
    name = SingleLineCharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    access = BoundedTextField(max_length=2000, blank=True, help_text="How the source had access to what it reports.")
    provenance = BoundedTextField(max_length=2000, blank=True, help_text="How its reporting reached us.")
    # Blank: not graded yet, so its items keep the low / medium / high credibility rule.
    grade = models.CharField(
        max_length=1, choices=[(g, f"{g} – {label}") for g, label in SOURCE_GRADES.items()], blank=True
    )
    grade_reason = SingleLineCharField(max_length=300, blank=True, help_text="Why this grade, in one line.")
    # Set while the source is discredited: its items stay listed but no score counts them.
    retracted_on = models.DateField(null=True, blank=True)
    retraction_reason = SingleLineCharField(max_length=300, blank=True)
    # Incremented by every update: a client editing with an old version is answered 409.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_source_key"),
            models.CheckConstraint(condition=models.Q(grade__in=["", *SOURCE_GRADES]), name="source_grade_known"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.name}"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_on is not None


class Evidence(models.Model):
    class Type(models.TextChoices):
        REPORT = "report", "Report"
        FACT = "fact", "Fact"
        ABSENCE = "absence_of_evidence", "Absence of evidence"
        ASSUMPTION = "assumption", "Assumption"
        EXPERT_JUDGMENT = "expert_judgment", "Expert judgment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    key = models.CharField(max_length=20)
    summary = BoundedTextField(max_length=5000)
    source = SingleLineCharField(max_length=300, blank=True)
    citation = SingleLineCharField(max_length=300, blank=True, help_text="Where in the source.")
    date = models.DateField(null=True, blank=True, help_text="Date of the event.")
    type = models.CharField(max_length=30, choices=Type.choices, default=Type.REPORT)
    credibility = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    relevance = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    # The name of the item's source in the register (kept equal to it by the services); blank: none.
    origin = SingleLineCharField(
        max_length=200, blank=True, help_text="Where the item ultimately comes from; blank means independent."
    )
    # Items of one source count together as one (dependence); its grade and this one weigh the item.
    source_entry = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="items", verbose_name="source"
    )
    information = models.PositiveSmallIntegerField(
        choices=[(n, f"{n} – {label}") for n, label in INFORMATION_GRADES.items()],
        null=True,
        blank=True,
        verbose_name="information credibility",
        help_text="1 confirmed … 5 improbable, 6 cannot be judged.",
    )
    order = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    added_in_version = models.PositiveIntegerField(default=1)
    # Incremented by every update: a client editing with an old version is answered 409.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

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
        # One per snapshot with several alerts: what members are notified of (the alerts stay in the feed).
        DIGEST = "digest", "Alerts"

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


class Follow(models.Model):
    """A member's choice for one assessment: follow (also notified of everyday changes) or mute (nothing)."""

    class State(models.TextChoices):
        FOLLOW = "follow", "Following"
        MUTE = "mute", "Muted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="follows")
    state = models.CharField(max_length=10, choices=State.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "assessment"], name="one_follow_per_assessment")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.assessment_id}"


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
    """A previewed upload kept on the server until confirmed once (or left to expire); a load run as a
    task records its progress here for the page to poll."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", "Evidence rows"
        ASSESSMENT = "assessment", "Assessment file"
        TEAMS = "teams", "Teams file"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EVIDENCE)
    # A teams file belongs to no team; an assessment file has no assessment until it is loaded.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="pending_imports", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=50)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed with a conditional UPDATE, so a second confirm (a double click, a replay) imports nothing.
    consumed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.assessment_id or self.team_id}: {self.via} by {self.user_id}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class AlertDigest(models.Model):
    """Alerts a member hears of together rather than one by one (ACH's linchpins and disagreements): held from
    the first one she may see until due_at, NOTIFICATION_DIGEST_MINUTES later, then told as one notification;
    so at most one such notification per assessment per member in each window."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="alert_digests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_digests")
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    alerts = models.ManyToManyField(Activity, related_name="+")
    # Set by the conditional UPDATE that claims the digest for sending: a second sender finds it taken.
    sent_at = models.DateTimeField(null=True, blank=True)
    # What she was told: a digest activity, or the alert itself when it was the only one.
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            # New alerts join the member's open digest (held under the assessment's row lock).
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=models.Q(sent_at__isnull=True),
                name="one_open_digest_per_member",
            )
        ]
        indexes = [models.Index(fields=["due_at"], condition=models.Q(sent_at__isnull=True), name="digest_due")]

    def __str__(self) -> str:
        return f"{self.assessment_id} for {self.user_id}: due {self.due_at:%H:%M}{' (sent)' if self.sent_at else ''}"


class DuplicateMark(models.Model):
    """A member's note that an evidence item (or a hypothesis) says what another one does: `evidence` is a
    duplicate of `evidence_of`. A team admin merges the pair (services.evidence_merge keeps `evidence_of`)."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", "Evidence"
        HYPOTHESIS = "hypothesis", "Hypothesis"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="duplicate_marks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    evidence_of = models.ForeignKey(Evidence, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    hypothesis = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    hypothesis_of = models.ForeignKey(Hypothesis, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    note = SingleLineCharField(max_length=300, blank=True, help_text="Why they are the same, in one line.")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["marked_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="duplicate_mark_pair_matches_kind",
                condition=(
                    models.Q(
                        kind="evidence",
                        evidence__isnull=False,
                        evidence_of__isnull=False,
                        hypothesis__isnull=True,
                        hypothesis_of__isnull=True,
                    )
                    & ~models.Q(evidence=models.F("evidence_of"))
                )
                | (
                    models.Q(
                        kind="hypothesis",
                        evidence__isnull=True,
                        evidence_of__isnull=True,
                        hypothesis__isnull=False,
                        hypothesis_of__isnull=False,
                    )
                    & ~models.Q(hypothesis=models.F("hypothesis_of"))
                ),
            ),
            # An item is a duplicate of one other at most (marking it again moves the mark).
            models.UniqueConstraint(
                fields=["evidence"], condition=models.Q(evidence__isnull=False), name="one_mark_per_evidence"
            ),
            models.UniqueConstraint(
                fields=["hypothesis"], condition=models.Q(hypothesis__isnull=False), name="one_mark_per_hypothesis"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.key} duplicates {self.of.key}"

    @property
    def item(self) -> Evidence | Hypothesis:
        return self.evidence if self.kind == self.Kind.EVIDENCE else self.hypothesis  # type: ignore[return-value]

    @property
    def of(self) -> Evidence | Hypothesis:
        return self.evidence_of if self.kind == self.Kind.EVIDENCE else self.hypothesis_of  # type: ignore[return-value]
