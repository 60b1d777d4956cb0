from django.conf import settings
from django.db import models

from apps.core.models import TimeStampedModel


class Team(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    SUPERVISOR = "supervisor", "Supervisor"
    TEAM_ADMIN = "team_admin", "Team admin"


# Analysts and team admins do the analysis; supervisors review it.
EDITING_ROLES = frozenset({Role.ANALYST, Role.TEAM_ADMIN})
REVIEWING_ROLES = frozenset({Role.SUPERVISOR, Role.TEAM_ADMIN})


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANALYST)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWING_ROLES
