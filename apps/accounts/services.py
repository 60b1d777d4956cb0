from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .middleware import SESSION_KEY
from .models import Membership, Role, Team
from .selectors import membership_get


def team_switch(*, request, team_id: int) -> Membership:
    membership = membership_get(user=request.user, team_id=team_id)
    request.session[SESSION_KEY] = membership.team_id
    return membership


@transaction.atomic
def membership_ensure(*, team: Team, username: str, role: str = Role.ANALYST, password: str | None = None):
    """Get or create a user and their membership of a team (used by fixtures and imports)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
    return user, membership


@transaction.atomic
def team_create(*, request, name: str) -> Team:
    """A site admin creates a team, becomes its team admin and starts working in it.

    The caller checks that the user is staff.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A team named “{name}” already exists."})
    team = Team.objects.create(name=name)
    Membership.objects.create(user=request.user, team=team, role=Role.TEAM_ADMIN)
    request.session[SESSION_KEY] = team.pk
    return team
