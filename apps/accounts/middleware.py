from django.utils.functional import SimpleLazyObject

from .selectors import memberships_for_user

SESSION_KEY = "current_team_id"


def _current_membership(request):
    memberships = memberships_for_user(request.user)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.team_id == wanted:
            return membership
    return memberships[0]


class CurrentTeamMiddleware:
    """Sets request.membership: the membership of the team the user is working in (None if no team)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: _current_membership(request))
        return self.get_response(request)
