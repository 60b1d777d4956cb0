from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.assessments import selectors as assessment_selectors
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.forms import EvidenceForm, HypothesisForm
from apps.assessments.visibility import View, alerts_shown, results_for, view_for
from apps.core.htmx import control_submit, region_response, unchanged, version_token
from apps.core.types import HtmxRequest

from .. import services
from ..display import SORTS, MatrixParams, matrix_display, matrix_row_display, scores_chart
from ..forms import CellForm, PriorsForm
from .sections import ranking_of

TEMPLATE = "ach/matrix.html"
# The score panel lists a snapshot's first alerts and links to the activity feed for the rest.
PANEL_ALERTS = 5


def _params(request, assessment) -> MatrixParams:
    data = request.GET if request.method == "GET" else request.POST
    return MatrixParams.from_request(data, can_review=assessment.membership.can_review)


def _panel_state(assessment, snapshot_version: int | None) -> dict:
    """Whether scores are pending or late, and the polling token of what the panel would show."""
    pending = snapshot_version is None or snapshot_version < assessment.content_version
    delayed = assessment_selectors.rescoring_delayed(assessment=assessment, pending=pending)
    token = version_token(snapshot_version or 0, assessment.content_version) + ("-delayed" if delayed else "")
    return {"pending": pending, "delayed": delayed, "token": token}


def _panel_context(request, assessment, view: View | None = None) -> dict:
    """The panel as the viewer may see it (apps.assessments.visibility): the team figures from their view."""
    view = view or view_for(assessment=assessment, user=request.user)
    snapshot = assessment_selectors.snapshot_latest(assessment_id=assessment.pk)
    context = {
        "assessment": assessment,
        "snapshot": snapshot,
        "chart": None,
        "ranking": [],
        "view": view,
        "view_notice": view.notice("ach"),
        **_panel_state(assessment, snapshot.version if snapshot else None),
    }
    if snapshot is not None:
        results = results_for(view=view, snapshot=snapshot, assessment=assessment).get("ach", {})
        keys = results.get("hypotheses", [])
        alerts = alerts_shown(view=view, alerts=snapshot.alerts)
        context["chart"] = scores_chart(hypotheses_keys=keys, results=results)
        context["ranking"] = ranking_of(results)
        context["results"] = results
        context["alerts"] = alerts[:PANEL_ALERTS]
        context["alerts_unlisted"] = max(len(alerts) - PANEL_ALERTS, 0)
    return context


def _block(request) -> int:
    try:
        return max(int(request.GET.get("block", 0)), 0)
    except ValueError:
        return 0


def matrix_context(request, assessment, **extra) -> dict:
    params = _params(request, assessment)
    panel = _panel_context(request, assessment)
    block = _block(request)
    display = matrix_display(
        assessment=assessment,
        user=request.user,
        membership=assessment.membership,
        params=params,
        results=panel.get("results", {}),
        block=block,
        hidden=panel["view"].hidden.get("ach", ()),
    )
    return {
        "membership": assessment.membership,
        "display": display,
        "params": params,
        "block": block,
        "sorts": SORTS,
        "forms": {"hypothesis": HypothesisForm(), "evidence": EvidenceForm()},
        **panel,
        **extra,
    }


@require_http_methods(["GET"])
@login_required
def matrix(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    context = matrix_context(request, assessment)
    template = TEMPLATE
    if request.htmx and "block" in request.GET:
        template = f"{TEMPLATE}#rows"
    elif request.htmx and request.htmx.target == "matrix":
        template = f"{TEMPLATE}#matrix"
    return render(request, template, context)


def front_region(request: HtmxRequest, assessment, oob_html: str = "") -> HttpResponse:
    """The matrix and the panel (out of band) after an edit, here or to hypotheses and evidence."""
    if not request.htmx:
        return redirect(assessment)
    context = matrix_context(request, assessment)
    return region_response(request, TEMPLATE, "matrix", context, oob=("panel",), extra=oob_html)


@require_POST
@login_required
def cell_set(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    refusal = control_submit(
        request,
        CellForm(request.POST),
        lambda data: services.rating_set(
            assessment=assessment,
            analyst=request.user,
            evidence_id=data["evidence"],
            hypothesis_id=data["hypothesis"],
            label=data["value"],
            note=data["note"] or None,
        ),
    )
    if refusal:
        return refusal
    if not request.htmx:
        return redirect(assessment)
    assessment.refresh_from_db(fields=["content_version"])
    return row_region(request, assessment, evidence_id=int(request.POST["evidence"]))


def row_region(request: HtmxRequest, assessment, *, evidence_id: int) -> HttpResponse:
    """A rated cell's row, with the score rows and the panel out of band: O(row), never the whole matrix."""
    panel = _panel_context(request, assessment)
    display = matrix_row_display(
        assessment=assessment,
        user=request.user,
        membership=assessment.membership,
        params=_params(request, assessment),
        results=panel.get("results", {}),
        evidence_id=evidence_id,
        hidden=panel["view"].hidden.get("ach", ()),
    )
    context = {"membership": assessment.membership, "display": display, "params": display.params, **panel}
    response = region_response(request, TEMPLATE, "rows", context, oob=("score-rows", "panel"))
    response.headers["HX-Retarget"] = f"#ev-{evidence_id}"
    return response


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
        return HttpResponseClientRedirect(assessment.get_absolute_url())
    return redirect(assessment)


@require_http_methods(["GET"])
@login_required
def priors(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = PriorsForm(hypotheses=list(assessment.hypotheses.order_by("order", "id")))
    return render(request, "ach/priors.html", {"assessment": assessment, "priors_form": form})


@require_http_methods(["GET"])
@login_required
def panel(request: HtmxRequest, pk: int):
    """The scores panel; 204 (nothing to swap) while neither the content nor the snapshot moved."""
    assessment = assessment_for_user(request.user, pk)
    version = assessment_selectors.snapshot_latest_version(assessment_id=assessment.pk)
    if unchanged(request, _panel_state(assessment, version)["token"]):
        return HttpResponse(status=204)
    return render(request, f"{TEMPLATE}#panel", _panel_context(request, assessment))
