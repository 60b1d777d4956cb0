"""The profile page where a user creates, names and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.types import HtmxRequest

from ..forms import TokenForm
from ..models import ApiToken
from ..services import token_create, token_revoke


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HtmxRequest):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_in_days=form.cleaned_data["expires_in"],
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    # The secret is rendered in this one response and never again: only its digest is stored.
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret})


@require_POST
@login_required
def token_revoke_view(request: HtmxRequest, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(token=token, user=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens:list")
