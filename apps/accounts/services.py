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


def username_errors(username: str) -> list[str]:
    """Django's own rules for a new username (its validator and the field's length)."""
    field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    try:
        field.run_validators(username)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def may_create_accounts(*, user, team: Team) -> bool:
    """Only a team admin of the team or a site admin creates accounts (user None: the command line)."""
    if user is None or user.is_staff:
        return True
    return Membership.objects.filter(user=user, team=team, role=Role.TEAM_ADMIN).exists()


@transaction.atomic
def analyst_create(*, team: Team, username: str):
    """A new account with no usable password, an analyst of the team; never an existing account."""
    if errors := username_errors(username):
        raise ValidationError({"username": errors})
    user = get_user_model().objects.create_user(username=username)
    Membership.objects.create(user=user, team=team, role=Role.ANALYST)
    return user
