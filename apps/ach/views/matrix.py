from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.assessments import selectors as assessment_selectors
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.models import Evidence, Hypothesis
from apps.core.responses import error_response, form_messages
from apps.core.types import HtmxRequest

from .. import services
from ..display import SORTS, MatrixParams, matrix_display, scores_chart
from ..forms import CellForm, EvidenceForm, HypothesisForm, PriorsForm


def _params(request, assessment) -> MatrixParams:
    data = request.GET if request.method == "GET" else request.POST
    return MatrixParams.from_request(data, can_review=assessment.membership.can_review)


def _panel_context(assessment) -> dict:
    snapshot = assessment_selectors.snapshot_latest(assessment_id=assessment.pk)
    context = {"assessment": assessment, "snapshot": snapshot, "pending": True, "chart": None, "ranking": []}
    if snapshot is not None:
        results = snapshot.results.get("ach", {})
        keys = results.get("hypotheses", [])
        context["pending"] = snapshot.version < assessment.content_version
        context["chart"] = scores_chart(hypotheses_keys=keys, results=results)
        team = results.get("team", {})
        context["ranking"] = [{"key": key, **team[key]} for key in results.get("ranking", []) if key in team]
        context["results"] = results
    return context


def _matrix_context(request, assessment, **extra) -> dict:
    params = _params(request, assessment)
    display = matrix_display(assessment=assessment, user=request.user, membership=assessment.membership, params=params)
    return {
        "assessment": assessment,
        "membership": assessment.membership,
        "display": display,
        "params": params,
        "sorts": SORTS,
        "hypothesis_form": HypothesisForm(),
        "evidence_form": EvidenceForm(),
        **_panel_context(assessment),
        **extra,
    }


@require_http_methods(["GET"])
@login_required
def matrix(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    context = _matrix_context(request, assessment)
    template = "ach/matrix.html#matrix" if request.htmx and request.htmx.target == "matrix" else "ach/matrix.html"
    return render(request, template, context)


def _matrix_response(request, assessment, *partials: str, **extra) -> HttpResponse:
    """The matrix region (and any other named partials) for an htmx edit; other requests redirect."""
    if not request.htmx:
        return redirect("ach:matrix", pk=assessment.pk)
    context = _matrix_context(request, assessment, **extra)
    html = render_to_string("ach/matrix.html#matrix", context, request=request)
    for name in partials:
        html += render_to_string(f"ach/matrix.html#{name}", {**context, "oob": True}, request=request)
    # Forms target themselves (so validation errors land in place); success replaces the matrix.
    return HttpResponse(html, headers={"HX-Retarget": "#matrix", "HX-Reswap": "outerHTML"})


@require_POST
@login_required
def cell_set(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = CellForm(request.POST)
    if not form.is_valid():
        return error_response(request, ["Invalid cell.", *form_messages(form)])
    try:
        services.rating_set(
            assessment=assessment,
            analyst=request.user,
            evidence_id=form.cleaned_data["evidence"],
            hypothesis_id=form.cleaned_data["hypothesis"],
            label=form.cleaned_data["value"],
            note=form.cleaned_data["note"] or None,
        )
    except ValidationError as exc:
        return error_response(request, exc.messages)
    assessment.refresh_from_db()
    return _matrix_response(request, assessment, "panel")


@require_POST
@login_required
def hypothesis_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = HypothesisForm(request.POST)
    if not form.is_valid():
        return render(request, "ach/matrix.html#hypothesis-form", {"assessment": assessment, "hypothesis_form": form})
    assessment_services.hypothesis_create(
        assessment=assessment, user=request.user, statement=form.cleaned_data["statement"]
    )
    assessment.refresh_from_db()
    return _matrix_response(request, assessment, "hypothesis-form", "panel")


@require_http_methods(["GET", "POST"])
@login_required
def hypothesis_edit(request: HtmxRequest, pk: int, hypothesis_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    hypothesis = get_object_or_404(Hypothesis, pk=hypothesis_id, assessment=assessment)
    form = HypothesisForm(request.POST or None, instance=hypothesis)
    if request.method == "POST" and form.is_valid():
        assessment_services.hypothesis_update(
            hypothesis=hypothesis, user=request.user, statement=form.cleaned_data["statement"]
        )
        return _matrix_response(request, assessment, "panel")
    return render(
        request, "ach/matrix.html#hypothesis-edit", {"assessment": assessment, "form": form, "hypothesis": hypothesis}
    )


@require_POST
@login_required
def hypothesis_delete(request: HtmxRequest, pk: int, hypothesis_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    hypothesis = get_object_or_404(Hypothesis, pk=hypothesis_id, assessment=assessment)
    assessment_services.hypothesis_delete(hypothesis=hypothesis, user=request.user)
    return _matrix_response(request, assessment, "panel")


@require_POST
@login_required
def hypothesis_move(request: HtmxRequest, pk: int, hypothesis_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    ids = list(assessment.hypotheses.order_by("order", "id").values_list("pk", flat=True))
    _move(ids, hypothesis_id, request.POST.get("direction"))
    assessment_services.hypothesis_reorder(assessment=assessment, user=request.user, ordered_ids=ids)
    return _matrix_response(request, assessment)


def _move(ids: list[int], item_id: int, direction: str | None) -> None:
    if item_id not in ids:
        from django.http import Http404

        raise Http404
    index = ids.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]


@require_POST
@login_required
def priors_set(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    hypotheses = list(assessment.hypotheses.order_by("order", "id"))
    form = PriorsForm(request.POST, hypotheses=hypotheses)
    if form.is_valid():
        try:
            assessment_services.priors_set(assessment=assessment, user=request.user, priors=form.priors())
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        template = "ach/priors.html#priors-form" if request.htmx else "ach/priors.html"
        return render(request, template, {"assessment": assessment, "priors_form": form})
    messages.success(request, "Priors saved.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("ach:matrix", args=[assessment.pk]))
    return redirect("ach:matrix", pk=assessment.pk)


@require_http_methods(["GET"])
@login_required
def priors(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = PriorsForm(hypotheses=list(assessment.hypotheses.order_by("order", "id")))
    return render(request, "ach/priors.html", {"assessment": assessment, "priors_form": form})


@require_POST
@login_required
def evidence_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return render(request, "ach/matrix.html#evidence-form", {"assessment": assessment, "evidence_form": form})
    assessment_services.evidence_create(assessment=assessment, user=request.user, via="form", **form.cleaned_data)
    assessment.refresh_from_db()
    return _matrix_response(request, assessment, "evidence-form", "panel")


@require_http_methods(["GET", "POST"])
@login_required
def evidence_edit(request: HtmxRequest, pk: int, evidence_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment=assessment)
    form = EvidenceForm(request.POST or None, instance=evidence)
    if request.method == "POST" and form.is_valid():
        assessment_services.evidence_update(evidence=evidence, user=request.user, **form.cleaned_data)
        return _matrix_response(request, assessment, "panel")
    return render(
        request, "ach/matrix.html#evidence-edit", {"assessment": assessment, "form": form, "evidence": evidence}
    )


@require_POST
@login_required
def evidence_delete(request: HtmxRequest, pk: int, evidence_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment=assessment)
    assessment_services.evidence_delete(evidence=evidence, user=request.user)
    return _matrix_response(request, assessment, "panel")


@require_POST
@login_required
def evidence_move(request: HtmxRequest, pk: int, evidence_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    ids = list(assessment.evidence.order_by("order", "id").values_list("pk", flat=True))
    _move(ids, evidence_id, request.POST.get("direction"))
    assessment_services.evidence_reorder(assessment=assessment, user=request.user, ordered_ids=ids)
    return _matrix_response(request, assessment)


@require_http_methods(["GET"])
@login_required
def panel(request: HtmxRequest, pk: int):
    """The scores panel; 204 (nothing to swap) while neither the content nor the snapshot moved."""
    assessment = assessment_for_user(request.user, pk)
    context = _panel_context(assessment)
    shown = request.GET.get("shown", "")
    current = f"{context['snapshot'].version if context['snapshot'] else 0}-{assessment.content_version}"
    if shown == current:
        return HttpResponse(status=204)
    return render(request, "ach/matrix.html#panel", context)
