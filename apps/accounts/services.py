from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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


RECOVERY_CODES = 10


@transaction.atomic
def totp_device_begin(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
    """A code from the new authenticator confirms it: it replaces any earlier one, with new recovery codes."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        raise ValidationError("Start the set-up again: this authenticator is no longer waiting for a code.")
    if not device.verify_token(token_clean(token)):
        raise ValidationError("That code is not the authenticator's current one: try the next code it shows.")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def token_clean(token: str) -> str:
    """Codes as people type them: spaces and dashes dropped, any case."""
    return "".join(token.split()).replace("-", "").lower()[:64]


@transaction.atomic
def team_second_factor_set(*, user, team_id: int, required: bool) -> Team:
    """A team admin requires (or no longer requires) a second factor of the team's supervisors and admins."""
    membership = membership_get(user=user, team_id=team_id)
    if not membership.is_team_admin:
        raise PermissionDenied("Only a team admin of this team changes its sign-in rules.")
    team = Team.objects.select_for_update().get(pk=membership.team_id)
    team.second_factor_required = required
    team.save(update_fields=["second_factor_required", "updated_at"])
    return team
