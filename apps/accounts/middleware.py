from django.utils.functional import SimpleLazyObject

from .selectors import memberships_for_user

SESSION_KEY = "current_team_id"


def _current_membership(request):
    memberships = list(request.memberships)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.team_id == wanted:
            return membership
    return memberships[0]


class CurrentTeamMiddleware:
    """Sets request.memberships (all the user's teams) and request.membership (the team the user is
    working in, None if no team); both are loaded once, on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = SimpleLazyObject(lambda: memberships_for_user(request.user))
        request.membership = SimpleLazyObject(lambda: _current_membership(request))
        return self.get_response(request)
