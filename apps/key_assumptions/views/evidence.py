"""Evidence that supports or challenges an assumption: link an existing item, or add a new one."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from apps.assessments.access import assessment_for_user
from apps.core.htmx import form_error_add
from apps.core.types import HtmxRequest

from .. import services
from ..forms import ChallengeForm, LinkForm
from ..models import EvidenceLink
from .check import check_response, form_error_response


@require_POST
@login_required
def link_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = LinkForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            link = services.evidence_link_set(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_error_add(form, exc)
    if not form.is_valid():
        return form_error_response(request, assessment, "link-form", link_form=form)
    toast = f"{link.evidence.key} {link.relation} {link.assumption.key}."
    return check_response(request, assessment, "side-forms", toast=toast)


@require_POST
@login_required
def link_delete(request: HtmxRequest, pk: int, link_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    link = get_object_or_404(
        EvidenceLink.objects.select_related("evidence", "assumption"), pk=link_id, assumption__assessment=assessment
    )
    services.evidence_link_delete(link=link, user=request.user)
    return check_response(request, assessment, toast=f"{link.evidence.key} unlinked from {link.assumption.key}.")


@require_POST
@login_required
def challenge_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = ChallengeForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            evidence, link = services.evidence_add_challenging(
                assumption=form.cleaned_data["assumption"],
                user=request.user,
                note=form.cleaned_data["note"],
                relation=form.cleaned_data["relation"],
                **form.evidence_fields(),
            )
        except ValidationError as exc:
            form_error_add(form, exc)
    if not form.is_valid():
        return form_error_response(request, assessment, "challenge-form", challenge_form=form)
    toast = f"Evidence {evidence.key} added; it {link.relation} {link.assumption.key}."
    return check_response(request, assessment, "side-forms", toast=toast)
