from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, MembershipChange, Role, Team


def memberships_for_user(user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("team"))


def membership_get(*, user: User, team_id: int) -> Membership:
    """The user's membership of a team; 404 for any team the user is not in."""
    membership = Membership.objects.filter(user=user, team_id=team_id).select_related("team").first()
    if membership is None:
        raise Http404("No such team.")
    return membership


def team_managed(*, user: User, team_id: int) -> Team:
    """The team whose members the user manages: 404 outside it (a site admin reaches every team), 403 for
    a member who is not its team admin."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    if user.is_staff:
        return team
    role = Membership.objects.filter(user=user, team=team).values_list("role", flat=True).first()
    if role is None:
        raise Http404("No such team.")
    if role != Role.TEAM_ADMIN:
        raise PermissionDenied("Only a team admin of this team manages its members.")
    return team


FEED_LENGTH = 50


def team_members_get(*, team: Team) -> dict:
    """The members page's data: every member with their account, and the latest membership changes."""
    return {
        "members": list(team.memberships.select_related("user").order_by("user__username")),
        "changes": list(MembershipChange.objects.filter(team=team).select_related("actor")[:FEED_LENGTH]),
    }
