from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.types import HtmxRequest

from .forms import TeamForm
from .profile import PROFILE_SECTIONS
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


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mailed link starts at SITE_URL (the address users know), else at the address of this request."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        site_url = getattr(settings, "SITE_URL", "") or self.request.build_absolute_uri("/")
        self.extra_email_context = {"site_url": site_url.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeout_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400), **kwargs)
