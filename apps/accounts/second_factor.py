"""Second factor (TOTP from django-otp, recovery codes as its static tokens): the session's state.

A password alone does not sign in a user who has a device: the login page keeps the user pending in the
session and signs in only after a code (apps.accounts.views.login_verify). Each session records, at
sign-in and again every SECOND_FACTOR_RECHECK_SECONDS, whether its user must first set a device up (their
team requires one of its supervisors and team admins) or signed in without one though they have one
(a path that skipped the code): SecondFactorMiddleware reads that from the session, with no query.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device

from .models import SECOND_FACTOR_ROLES, Membership

SESSION_STATE = "second_factor"
SESSION_PENDING = "second_factor_pending"
# A password checked more than this long ago must be typed again before the code.
PENDING_SECONDS = 300

OK = "ok"
SETUP = "setup"
UNVERIFIED = "unverified"


def second_factor_required(user) -> bool:
    """The user is a supervisor or team admin of a team that requires a second factor."""
    return Membership.objects.filter(
        user=user, role__in=SECOND_FACTOR_ROLES, team__second_factor_required=True
    ).exists()


def second_factor_state(user, *, verified: bool) -> str:
    if user_has_device(user):
        return OK if verified else UNVERIFIED
    return SETUP if second_factor_required(user) else OK


def session_state_set(request, state: str) -> None:
    request.session[SESSION_STATE] = {"state": state, "checked": time.time()}


def session_state(request) -> str | None:
    """The recorded state, recomputed when older than SECOND_FACTOR_RECHECK_SECONDS (a team admin may have
    required a second factor since); None for a session without a signed-in user."""
    session = request.session
    if "_auth_user_id" not in session:
        return None
    recorded = session.get(SESSION_STATE)
    if recorded and time.time() - recorded["checked"] < settings.SECOND_FACTOR_RECHECK_SECONDS:
        return recorded["state"]
    # django-otp's login handler stores the device that signed this session in.
    verified = bool(session.get("otp_device_id"))
    state = second_factor_state(request.user, verified=verified)
    session_state_set(request, state)
    return state


def pending_start(request, user, *, next_url: str) -> None:
    """The password (or the provider) was right: the user signs in once a code is given, within
    PENDING_SECONDS. user.backend is the backend that authenticated them."""
    request.session.cycle_key()
    request.session[SESSION_PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(), "next": next_url}


@receiver(user_logged_in, dispatch_uid="accounts_second_factor_state")
def _record_state_at_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session_state_set(request, second_factor_state(user, verified=getattr(user, "otp_device", None) is not None))
