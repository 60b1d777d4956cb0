from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.core.types import HtmxRequest

from .services import team_switch


@require_POST
@login_required
def switch_team(request: HtmxRequest, team_id: int):
    membership = team_switch(request=request, team_id=team_id)
    messages.success(request, f"Now working in {membership.team}.")
    return redirect("assessments:list")
