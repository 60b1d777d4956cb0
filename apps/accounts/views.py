from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.types import HtmxRequest

from .profile import PROFILE_SECTIONS
from .services import team_switch


@require_POST
@login_required
def switch_team(request: HtmxRequest, team_id: int):
    membership = team_switch(request=request, team_id=team_id)
    messages.success(request, f"Now working in {membership.team}.")
    return redirect("assessments:list")


@require_http_methods(["GET"])
@login_required
def profile(request: HtmxRequest):
    memberships = request.user.memberships.select_related("team")
    sections = [section(request, request.user) for section in PROFILE_SECTIONS]
    return render(request, "accounts/profile.html", {"memberships": memberships, "sections": sections})
