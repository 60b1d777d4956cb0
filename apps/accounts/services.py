from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .middleware import SESSION_KEY
from .models import Membership, MembershipChange, Role, Team
from .selectors import membership_get


def _signed_in(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def team_switch(*, request: HttpRequest, team_id: int) -> Membership:
    membership = membership_get(user=_signed_in(request), team_id=team_id)
    request.session[SESSION_KEY] = membership.team_id
    return membership


@transaction.atomic
def membership_ensure(
    *, team: Team, username: str, role: str = Role.ANALYST, password: str | None = None
) -> tuple[User, Membership]:
    """Get or create a user and their membership of a team (used by fixtures and benchmarks)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership = Membership.objects.filter(user=user, team=team).first()
    if membership is None:
        membership = _membership_create(team=team, user=user, role=role, actor=None, via="demo data")
    return user, membership


@transaction.atomic
def team_create(*, request: HttpRequest, name: str) -> Team:
    """A site admin creates a team, becomes its team admin and starts working in it.

    The caller checks that the user is staff.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A team named “{name}” already exists."})
    team = Team.objects.create(name=name)
    Membership.objects.create(user=_signed_in(request), team=team, role=Role.TEAM_ADMIN)
    request.session[SESSION_KEY] = team.pk
    return team


# An account's fields the teams file exchanges.
ACCOUNT_FIELDS = ("email", "first_name", "last_name")


def _site_admin_check(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only site admins create teams and accounts or change account details.")


@transaction.atomic
def team_ensure(*, actor: User | None, name: str) -> tuple[Team, bool]:
    """The team of that name, created when there is none (by a site admin, or the command line: actor None);
    True when created."""
    team = Team.objects.filter(name=name).first()
    if team is not None:
        return team, False
    _site_admin_check(actor)
    return Team.objects.create(name=name), True


@transaction.atomic
def account_ensure(*, actor: User | None, username: str, details: dict[str, str]) -> tuple[Any, str]:
    """The account of that name with these details (ACCOUNT_FIELDS): created with no usable password when
    there is none, else updated; returns it and "created", "updated" or "unchanged"."""
    unknown = set(details) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"not an account field: {', '.join(sorted(unknown))}")
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        _site_admin_check(actor)
        user = user_model(username=username, **details)
        user.set_unusable_password()
        user.save()
        return user, "created"
    changed = [name for name, value in details.items() if getattr(user, name) != value]
    if not changed:
        return user, "unchanged"
    _site_admin_check(actor)
    for name in changed:
        setattr(user, name, details[name])
    user.save(update_fields=changed)
    return user, "updated"


def username_errors(username: str) -> list[str]:
    """Django's own rules for a new username (its validator and the field's length)."""
    field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    assert isinstance(field, Field)  # the username is a plain column
    try:
        field.run_validators(username)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def may_create_accounts(*, user: User, team: Team) -> bool:
    """Only a team admin of the team or a site admin creates accounts (user None: the command line)."""
    if user is None or user.is_staff:
        return True
    return Membership.objects.filter(user=user, team=team, role=Role.TEAM_ADMIN).exists()


@transaction.atomic
def analyst_create(*, team: Team, username: str, actor: User | None = None, via: str = "assessment file") -> User:
    """A new account with no usable password, an analyst of the team; never an existing account."""
    if errors := username_errors(username):
        raise ValidationError({"username": errors})
    user = get_user_model().objects.create_user(username=username)
    _membership_create(team=team, user=user, role=Role.ANALYST, actor=actor, via=via)
    return user


# Team membership: every door (the team's members page, the teams file, the assessment file's new analysts,
# the Django admin, the demo data) writes through these, and each change lands in the team's feed.


def team_admin_check(*, actor: User | None, team: Team) -> None:
    """Only the team's team admins and site admins change its members (actor None: the command line)."""
    if actor is None or actor.is_staff:
        return
    if not Membership.objects.filter(user=actor, team=team, role=Role.TEAM_ADMIN).exists():
        raise PermissionDenied("Only a team admin of this team (or a site admin) changes its members.")


def _role_clean(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”: choose analyst, supervisor or team admin."})
    return role


def _team_lock(team: Team) -> Team:
    # Every membership change of a team takes its row lock first: two admins demoting each other at once
    # cannot both pass the last-team-admin check.
    return Team.objects.select_for_update().get(pk=team.pk)


def _membership_create(*, team: Team, user: User, role: str, actor: User | None, via: str) -> Membership:
    membership = Membership.objects.create(user=user, team=team, role=role)
    MembershipChange.objects.create(
        team=team, actor=actor, member=user, username=user.get_username(), after=role, via=via
    )
    return membership


def _last_team_admin(membership: Membership) -> bool:
    return (
        membership.role == Role.TEAM_ADMIN
        and not Membership.objects.filter(team_id=membership.team_id, role=Role.TEAM_ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def _membership_for_change(*, team: Team, membership_id: int, version: int | None) -> Membership:
    """The membership as the actor last saw it; refused when it has gone or changed since."""
    membership = Membership.objects.filter(pk=membership_id, team=team).select_related("user").first()
    if membership is None:
        raise ValidationError("That member has been removed from the team meanwhile: nothing was changed.")
    if version is not None and membership.version != version:
        raise ValidationError(
            f"{membership.user.get_username()}'s role was changed meanwhile (now "
            f"{membership.get_role_display()}): nothing was changed; check and try again."
        )
    return membership


@transaction.atomic
def membership_add(*, actor: User | None, team: Team, username: str, role: str, via: str = "team page") -> Membership:
    """Add an existing account to the team in a role (new accounts come from a file or the site admin)."""
    team_admin_check(actor=actor, team=team)
    team = _team_lock(team)
    role = _role_clean(role)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "Give the username of the account to add."})
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise ValidationError(
            {"username": f"There is no active account named “{username}”: a site admin creates accounts."}
        )
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is not None:
        raise ValidationError(
            {"username": f"{username} is already a member of {team.name} ({existing.get_role_display()})."}
        )
    return _membership_create(team=team, user=user, role=role, actor=actor, via=via)


@transaction.atomic
def membership_role_set(
    *, actor: User | None, team: Team, membership_id: int, role: str, version: int | None, via: str = "team page"
) -> Membership:
    """Change a member's role; the team keeps at least one team admin. version None: whatever it is now."""
    team_admin_check(actor=actor, team=team)
    team = _team_lock(team)
    role = _role_clean(role)
    membership = _membership_for_change(team=team, membership_id=membership_id, version=version)
    if membership.role == role:
        return membership
    if _last_team_admin(membership):
        raise ValidationError(
            {
                "role": f"{membership.user.get_username()} is {team.name}'s last team admin: make another member "
                "team admin first."
            }
        )
    before = membership.role
    membership.role = role
    membership.version += 1
    membership.save(update_fields=["role", "version", "updated_at"])
    MembershipChange.objects.create(
        team=team,
        actor=actor,
        member=membership.user,
        username=membership.user.get_username(),
        before=before,
        after=role,
        via=via,
    )
    return membership


@transaction.atomic
def membership_remove(
    *, actor: User | None, team: Team, membership_id: int, version: int | None, via: str = "team page"
) -> None:
    """Take a member off the team (their ratings and comments stay); never the last team admin."""
    team_admin_check(actor=actor, team=team)
    team = _team_lock(team)
    membership = _membership_for_change(team=team, membership_id=membership_id, version=version)
    if _last_team_admin(membership):
        raise ValidationError(
            f"{membership.user.get_username()} is {team.name}'s last team admin: make another member team admin first."
        )
    MembershipChange.objects.create(
        team=team,
        actor=actor,
        member=membership.user,
        username=membership.user.get_username(),
        before=membership.role,
        via=via,
    )
    membership.delete()


RECOVERY_CODES = 10


@transaction.atomic
def totp_device_begin(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
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
def recovery_codes_replace(*, user: User) -> list[str]:
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
def team_second_factor_set(*, user: User, team_id: int, required: bool) -> Team:
    """A team admin requires (or no longer requires) a second factor of the team's supervisors and admins."""
    membership = membership_get(user=user, team_id=team_id)
    if not membership.is_team_admin:
        raise PermissionDenied("Only a team admin of this team changes its sign-in rules.")
    team = Team.objects.select_for_update().get(pk=membership.team_id)
    team.second_factor_required = required
    team.save(update_fields=["second_factor_required", "updated_at"])
    return team
