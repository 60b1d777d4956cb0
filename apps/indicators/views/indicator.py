from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.assessments.access import assessment_for_user
from apps.assessments.models import Evidence
from apps.core.htmx import control_submit
from apps.core.types import HtmxRequest
from apps.core.versions import VersionConflict, conflict_show

from .. import services
from ..display import indicator_detail, validator_grid
from ..forms import IndicatorForm, ObservationForm, ReviewForm, ValidationForm
from ..models import Indicator, Likelihood, Observation
from ..selectors import board_get, status_labels_get
from .board import panel_context

TEMPLATE = "indicators/detail.html"


def _indicator(assessment, indicator_id: int) -> Indicator:
    return get_object_or_404(Indicator, pk=indicator_id, assessment=assessment)


def _evidence(assessment) -> list[Evidence]:
    return list(Evidence.objects.filter(assessment=assessment).only("pk", "key", "summary").order_by("order", "id"))


def _context(request, assessment, indicator_id: int, **extra) -> dict:
    board = board_get(assessment=assessment)
    indicator = next((i for i in board.indicators if i.pk == indicator_id), None)
    if indicator is None:
        raise Http404("No such indicator.")
    context = {
        "assessment": assessment,
        "membership": assessment.membership,
        "indicator": indicator,
        "labels": board.labels,
        "hypotheses": board.hypotheses,
        "grid": validator_grid(board, indicator, request.user),
        "likelihoods": [("", "—"), *Likelihood.choices],
        **indicator_detail(board, indicator),
        **panel_context(assessment),
    }
    if assessment.membership.can_edit and "observation_form" not in extra:
        context["observation_form"] = ObservationForm(evidence=_evidence(assessment), labels=board.labels)
    context.update(extra)
    return context


def _response(request, assessment, indicator_id: int, main: str, *others: str, **extra) -> HttpResponse:
    """An htmx edit's answer: the region it targeted, and the other regions it changed out of band."""
    if not request.htmx:
        return redirect("indicators:detail", pk=assessment.pk, indicator_id=indicator_id)
    assessment.refresh_from_db()
    context = _context(request, assessment, indicator_id, **extra)
    html = render_to_string(f"{TEMPLATE}#{main}", context, request=request)
    for name in others:
        html += render_to_string(f"{TEMPLATE}#{name}", {**context, "oob": True}, request=request)
    return HttpResponse(html)


@require_http_methods(["GET"])
@login_required
def detail(request: HtmxRequest, pk: int, indicator_id: int):
    assessment = assessment_for_user(request.user, pk)
    return render(request, TEMPLATE, _context(request, assessment, indicator_id))


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HtmxRequest, pk: int, indicator_id: int):
    """The indicator's fields region as a form (GET), saved (POST), or back to read-only (GET ?cancel=1)."""
    assessment = assessment_for_user(request.user, pk, write=True)
    indicator = _indicator(assessment, indicator_id)
    if request.GET.get("cancel"):
        return _response(request, assessment, indicator.pk, "fields")
    form = IndicatorForm(request.POST or None, instance=indicator)
    current = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.indicator_update(
                indicator=indicator, user=request.user, expected_version=data.pop("version"), **data
            )
        except VersionConflict as exc:
            current = conflict_show(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _response(request, assessment, indicator.pk, "fields", "summary", "panel")
    context = {
        "assessment": assessment,
        "membership": assessment.membership,
        "indicator": indicator,
        "form": form,
        "current": current,
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#fields", context)
    return render(request, TEMPLATE, _context(request, assessment, indicator.pk, form=form, current=current))


@require_POST
@login_required
def delete(request: HtmxRequest, pk: int, indicator_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    services.indicator_delete(indicator=_indicator(assessment, indicator_id), user=request.user)
    url = reverse("indicators:board", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required
def validation_set(request: HtmxRequest, pk: int, indicator_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    indicator = _indicator(assessment, indicator_id)
    refusal = control_submit(
        request,
        ValidationForm(request.POST),
        lambda data: services.validation_set(
            indicator=indicator,
            analyst=request.user,
            hypothesis_id=data["hypothesis"],
            likelihood=data["likelihood"],
        ),
    )
    if refusal:
        return refusal
    return _response(request, assessment, indicator.pk, "validator", "summary", "panel")


@require_POST
@login_required
def observation_add(request: HtmxRequest, pk: int, indicator_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    indicator = _indicator(assessment, indicator_id)
    form = ObservationForm(
        request.POST, evidence=_evidence(assessment), labels=status_labels_get(assessment=assessment)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.observation_add(
                indicator=indicator,
                user=request.user,
                status=data["status"],
                on=data["date"],
                source=data["source"],
                note=data["note"],
                evidence_id=data["evidence"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        if request.htmx:
            context = _context(request, assessment, indicator.pk, observation_form=form)
            return render(request, f"{TEMPLATE}#observation-form", context)
        return render(request, TEMPLATE, _context(request, assessment, indicator.pk, observation_form=form))
    return _response(request, assessment, indicator.pk, "observation-form", "summary", "observations", "panel")


@require_POST
@login_required
def observation_delete(request: HtmxRequest, pk: int, indicator_id: int, observation_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    indicator = _indicator(assessment, indicator_id)
    observation = get_object_or_404(Observation, pk=observation_id, indicator=indicator)
    services.observation_delete(observation=observation, user=request.user)
    return _response(request, assessment, indicator.pk, "observations", "summary", "panel")


@require_POST
@login_required
def review(request: HtmxRequest, pk: int, indicator_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    indicator = _indicator(assessment, indicator_id)
    refusal = control_submit(
        request,
        ReviewForm(request.POST),
        lambda data: services.indicator_review(indicator=indicator, user=request.user, on=data["reviewed_on"]),
    )
    if refusal:
        return refusal
    return _response(request, assessment, indicator.pk, "summary", "panel")
