from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.core.models import TimeStampedModel


class Team(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")
    # Set by a team admin: its supervisors and team admins sign in with a second factor (TOTP).
    second_factor_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:team_members", args=[self.pk])


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    SUPERVISOR = "supervisor", "Supervisor"
    TEAM_ADMIN = "team_admin", "Team admin"


# Analysts and team admins do the analysis; supervisors review it.
EDITING_ROLES = frozenset({Role.ANALYST, Role.TEAM_ADMIN})
REVIEWING_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_ADMIN})
# The roles a team's second_factor_required applies to.
SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_ADMIN})


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANALYST)
    # Incremented by every role change: a team admin acting on what an older page showed is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    # Set (never saved) by assessment_for_user on an approved or archived assessment: the role is
    # unchanged, but nothing in that assessment may change, so every edit control hides with can_edit.
    read_only = False

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES and not self.read_only

    @property
    def is_team_admin(self) -> bool:
        return self.role == Role.TEAM_ADMIN

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWING_ROLES


class MembershipChange(models.Model):
    """The team's feed of membership changes: who added, re-roled or removed whom, when, from what role to what."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="membership_changes")
    # None: a load from the command line (or the demo data).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as it was, so the feed still names a member whose account was deleted.
    username = models.CharField(max_length=150)
    # "" before: added; "" after: removed.
    before = models.CharField(max_length=20, choices=Role.choices, blank=True)
    after = models.CharField(max_length=20, choices=Role.choices, blank=True)
    via = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.username} {self.before or '—'} → {self.after or '—'}"
