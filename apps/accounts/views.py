import hashlib
import time
from base64 import b32encode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.htmx import form_errors, form_submit
from apps.core.types import HtmxRequest

from . import second_factor, services
from .forms import MemberAddForm, MemberRemoveForm, MemberRoleForm, TeamForm
from .models import Role
from .oidc import oidc_enabled
from .profile import PROFILE_SECTIONS
from .selectors import team_managed, team_members_get
from .services import team_create as team_create_service
from .services import team_switch


@require_POST
@login_required
def switch_team(request: HtmxRequest, team_id: int):
    membership = team_switch(request=request, team_id=team_id)
    messages.success(request, f"Now working in {membership.team}.")
    return redirect("assessments:list")


@require_POST
@login_required
def team_create(request: HtmxRequest):
    if not request.user.is_staff:
        raise PermissionDenied("Only site admins create teams.")
    form = TeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the team a name (at most 120 characters).")
        return redirect("assessments:list")
    try:
        team = team_create_service(request=request, name=form.cleaned_data["name"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:list")
    messages.success(request, f"Created {team.name}; you are its team admin.")
    return redirect("assessments:list")


@require_http_methods(["GET"])
@login_required
def profile(request: HtmxRequest):
    memberships = request.user.memberships.select_related("team")
    sections = [section(request, request.user) for section in PROFILE_SECTIONS]
    return render(request, "accounts/profile.html", {"memberships": memberships, "sections": sections})


RESET_EMAIL_INTERVAL = 300  # seconds


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mailed link starts at SITE_URL (the address users know), else at the address of this request."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # One message per address every RESET_EMAIL_INTERVAL: the form cannot be used to flood a mailbox.
        # The answer is the same either way, so it tells nothing about which addresses have accounts.
        address = form.cleaned_data["email"].strip().lower()
        key = "password-reset:" + hashlib.sha256(address.encode()).hexdigest()
        if not cache.add(key, 1, timeout=RESET_EMAIL_INTERVAL):
            return redirect(self.get_success_url())
        site_url = getattr(settings, "SITE_URL", "") or self.request.build_absolute_uri("/")
        self.extra_email_context = {"site_url": site_url.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeout_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400), **kwargs)


class LoginView(auth_views.LoginView):
    """The password (checked through axes); a user with a second factor is then asked for a code before
    being signed in, so nothing, not even axes' reset of the username's failures, happens on the password
    alone."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs):
        oidc_name = settings.OIDC_PROVIDER_NAME if oidc_enabled() else None
        return super().get_context_data(oidc_name=oidc_name, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not user_has_device(user):
            return super().form_valid(form)
        second_factor.pending_start(self.request, user, next_url=self.get_success_url())
        return redirect("accounts:login_verify")


def _pending_user(request):
    pending = request.session.get(second_factor.SESSION_PENDING)
    if not pending or time.time() - pending["at"] > second_factor.PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def login_verify(request: HtmxRequest):
    """Second step of signing in: a code from the authenticator app, or one of the recovery codes.

    A wrong code is a failed login for axes (the same count as wrong passwords); a locked account or
    address gets the lockout page here too, and must start again from the password."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(second_factor.SESSION_PENDING, None)
        messages.error(request, "Sign in again: the code was not given within five minutes.")
        return redirect("accounts:login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(second_factor.SESSION_PENDING, None)
        return get_lockout_response(request, credentials=credentials)
    error = None
    if request.method == "POST":
        device = match_token(user, services.token_clean(request.POST.get("token", "")))
        if device is not None:
            request.session.pop(second_factor.SESSION_PENDING, None)
            user.backend = pending["backend"]
            # django-otp's user_logged_in receiver records the device in the session.
            user.otp_device = device
            auth_login(request, user)
            if device.persistent_id.startswith("otp_static"):
                left = device.token_set.count()
                messages.warning(request, f"You used a recovery code; {left} left. Make new ones on your profile.")
            return redirect(pending["next"])
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(second_factor.SESSION_PENDING, None)
            return get_lockout_response(request, credentials=credentials)
        error = "That code is not right: give the current code of your authenticator app, or a recovery code."
    return render(request, "accounts/login_verify.html", {"error": error})


@require_http_methods(["GET"])
@login_required
def two_factor(request: HtmxRequest):
    user = request.user
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    context = {
        "device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "pending": pending,
        # The key as authenticator apps take it when typed in (the link carries the same).
        "pending_secret": b32encode(pending.bin_key).decode() if pending else "",
        "codes_left": StaticToken.objects.filter(device__user=user).count(),
        "required": second_factor.second_factor_required(user),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
@login_required
def two_factor_begin(request: HtmxRequest):
    services.totp_device_begin(user=request.user)
    return redirect("accounts:two_factor")


@require_POST
@login_required
def two_factor_confirm(request: HtmxRequest):
    try:
        device_id = int(request.POST.get("device", ""))
    except ValueError:
        device_id = 0
    try:
        device, codes = services.totp_device_confirm(
            user=request.user, device_id=device_id, token=request.POST.get("token", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:two_factor")
    # This session now counts as signed in with the new device.
    otp_login(request, device)
    second_factor.session_state_set(request, second_factor.OK)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": True})


@require_POST
@login_required
def recovery_codes(request: HtmxRequest):
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        messages.error(request, "Set up an authenticator app first.")
        return redirect("accounts:two_factor")
    codes = services.recovery_codes_replace(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})


@require_POST
@login_required
def team_second_factor(request: HtmxRequest, team_id: int):
    required = request.POST.get("required") == "on"
    team = services.team_second_factor_set(user=request.user, team_id=team_id, required=required)
    if required:
        messages.success(request, f"{team.name}: supervisors and team admins now sign in with a second factor.")
    else:
        messages.success(request, f"{team.name}: a second factor is no longer required.")
    return redirect("accounts:profile")


def _members_page(request: HtmxRequest, team, *, add_form=None, error: str = ""):
    context = {
        "team": team,
        "add_form": add_form or MemberAddForm(),
        "error": error,
        "roles": Role.choices,
        **team_members_get(team=team),
    }
    template = "accounts/team_members.html#members" if request.htmx else "accounts/team_members.html"
    return render(request, template, context)


def _members_answer(request: HtmxRequest, team, done: str):
    """After a change: the region again; or the profile when the actor has just given up managing the team."""
    if not request.user.is_staff and not team.memberships.filter(user=request.user, role=Role.TEAM_ADMIN).exists():
        messages.success(request, done)
        return HttpResponseClientRedirect(reverse("accounts:profile")) if request.htmx else redirect("accounts:profile")
    if request.htmx:
        return _members_page(request, team)
    messages.success(request, done)
    return redirect("accounts:team_members", team.pk)


def _members_refusal(request: HtmxRequest, team, error: str, *, add_form=None):
    if request.htmx:
        # Answered like any htmx form with errors: the region again, the refusal in it (htmx swaps a 200 only).
        return _members_page(request, team, add_form=add_form, error=error if add_form is None else "")
    messages.error(request, error)
    return redirect("accounts:team_members", team.pk)


@require_http_methods(["GET"])
@login_required
def team_members(request: HtmxRequest, team_id: int):
    return _members_page(request, team_managed(user=request.user, team_id=team_id))


@require_POST
@login_required
def team_member_add(request: HtmxRequest, team_id: int):
    team = team_managed(user=request.user, team_id=team_id)
    form = MemberAddForm(request.POST)
    if not form_submit(form, lambda data: services.membership_add(actor=request.user, team=team, **data)):
        return _members_refusal(request, team, " ".join(form_errors(form)), add_form=form)
    return _members_answer(request, team, f"Added {form.cleaned_data['username'].strip()} to {team.name}.")


@require_POST
@login_required
def team_member_role(request: HtmxRequest, team_id: int, membership_id: int):
    team = team_managed(user=request.user, team_id=team_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _members_refusal(request, team, " ".join(form_errors(form)))
    try:
        membership = services.membership_role_set(
            actor=request.user,
            team=team,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        return _members_refusal(request, team, " ".join(exc.messages))
    return _members_answer(
        request, team, f"{membership.user.get_username()} is now {membership.get_role_display().lower()}."
    )


@require_POST
@login_required
def team_member_remove(request: HtmxRequest, team_id: int, membership_id: int):
    team = team_managed(user=request.user, team_id=team_id)
    form = MemberRemoveForm(request.POST)
    if not form.is_valid():
        return _members_refusal(request, team, " ".join(form_errors(form)))
    try:
        services.membership_remove(
            actor=request.user, team=team, membership_id=membership_id, version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        return _members_refusal(request, team, " ".join(exc.messages))
    return _members_answer(request, team, f"Removed a member from {team.name}.")
