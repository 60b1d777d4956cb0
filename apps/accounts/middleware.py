from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

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


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session is gone: HX-Redirect to the login page, a full page load, rather
    than the login form swapped into whatever region the request targeted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.htmx or response.status_code != 302 or request.user.is_authenticated:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        # Come back to the page the user was on, not to the fragment URL htmx asked for.
        current = urlsplit(request.htmx.current_url or "")
        back = current.path + (f"?{current.query}" if current.query else "") if current.path else request.path
        return HttpResponseClientRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: back})}")


class SecondFactorMiddleware:
    """Reads the session's second-factor state (apps.accounts.second_factor): a user whose team requires a
    second factor and who has none sees only its set-up page (and log out) until one is set up; a session
    signed in without the code of the user's device is ended. No query but the session's own, except at
    the periodic recheck."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import second_factor

        state = second_factor.session_state(request)
        if state == second_factor.UNVERIFIED:
            logout(request)
            messages.error(request, "Sign in with your password and your authenticator's code.")
            return self._redirect(request, reverse("accounts:login"))
        if state == second_factor.SETUP and request.path not in _setup_paths():
            return self._redirect(request, reverse("accounts:two_factor"))
        return self.get_response(request)

    @staticmethod
    def _redirect(request, url: str):
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _setup_paths() -> set[str]:
    names = ("two_factor", "two_factor_begin", "two_factor_confirm", "logout")
    return {reverse(f"accounts:{name}") for name in names}
