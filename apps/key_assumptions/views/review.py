"""Collection requirements' status and the supervisor's completion of a review round."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from apps.assessments.access import assessment_for_user
from apps.core.htmx import form_error_add
from apps.core.types import HtmxRequest

from .. import services
from ..forms import CompleteForm
from ..models import CollectionRequirement
from .check import check_context, check_response


@require_POST
@login_required
def requirement_status(request: HtmxRequest, pk: int, requirement_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    requirement = get_object_or_404(
        CollectionRequirement.objects.select_related("assumption"), pk=requirement_id, assessment=assessment
    )
    try:
        services.requirement_status_set(
            requirement=requirement, user=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        return check_response(request, assessment, "requirements", requirement_errors={requirement.pk: exc.messages})
    return check_response(request, assessment, "requirements")


@require_POST
@login_required
def check_complete(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, review=True)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            check_round = services.check_complete(
                assessment=assessment, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form_error_add(form, exc)
    if not form.is_valid():
        template = "key_assumptions/check.html#complete-form" if request.htmx else "key_assumptions/check.html"
        return render(request, template, check_context(request, assessment, complete_form=form))
    return check_response(
        request, assessment, "rounds", toast=f"Key assumptions check complete for round {check_round.number}."
    )
