from django.http import Http404

from .models import Membership


def memberships_for_user(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("team"))


def membership_get(*, user, team_id: int) -> Membership:
    """The user's membership of a team; 404 for any team the user is not in."""
    membership = Membership.objects.filter(user=user, team_id=team_id).select_related("team").first()
    if membership is None:
        raise Http404("No such team.")
    return membership
