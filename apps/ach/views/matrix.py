import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget, trigger_client_event

from apps.assessments import selectors as assessment_selectors
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.forms import EvidenceForm, HypothesisForm
from apps.assessments.visibility import CACHE_SECONDS, View, alerts_shown, hidden_digest, results_shown, view_for
from apps.core.htmx import control_submit, unchanged, version_token
from apps.core.types import HtmxRequest

from .. import services
from ..display import (
    SORTS,
    MatrixParams,
    linchpins_token,
    matrix_display,
    matrix_row_display,
    matrix_scores_display,
    scores_chart,
)
from ..forms import CellForm, PriorsForm
from ..selectors import rating_conflicts_for
from .sections import ranking_of

TEMPLATE = "ach/matrix.html"
# The score panel lists a snapshot's first alerts and links to the activity feed for the rest.
PANEL_ALERTS = 5
# The htmx events the page's regions listen for (hx-trigger="… from:body" in the templates).
RATINGS_CHANGED = "ratings-changed"
SCORES_CHANGED = "scores-changed"
ITEMS_CHANGED = "items-changed"


def _params(request, assessment) -> MatrixParams:
    data = request.GET if request.method == "GET" else request.POST
    membership = assessment.membership
    return MatrixParams.from_request(data, can_review=membership.can_review, can_rate=membership.can_edit)


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
        "results_key": "",
        **_panel_state(assessment, snapshot.version if snapshot else None),
    }
    if snapshot is not None:
        context["results_key"], shown = results_shown(view=view, snapshot=snapshot, assessment=assessment)
        results = shown.get("ach", {})
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
        "linchpins_token": linchpins_token(panel.get("results", {})),
        "items_signature": assessment_selectors.items_signature(assessment_id=assessment.pk),
        "duplicate_marks": assessment_selectors.duplicate_marks(assessment_id=assessment.pk),
        "to_settle": _to_settle(request, assessment, params),
        "compact": params.compact(len(display.matrix.evidence)),
        **panel,
        **extra,
    }


def _to_settle(request, assessment, params: MatrixParams) -> list:
    """The viewer's own cells a merge left her to settle, on her own matrix only."""
    if params.view != "mine":
        return []
    return rating_conflicts_for(assessment_id=assessment.pk, user_id=request.user.pk)


@require_http_methods(["GET"])
@login_required
def matrix(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    if request.htmx and request.htmx.target == "to-settle":
        params = _params(request, assessment)
        context = {"assessment": assessment, "params": params, "to_settle": _to_settle(request, assessment, params)}
        return render(request, f"{TEMPLATE}#to-settle", context)
    if request.htmx and request.htmx.target == "score-rows":
        return _score_rows(request, assessment)
    if request.htmx and request.htmx.target == "linchpins":
        return _linchpins(request, assessment)
    context = matrix_context(request, assessment)
    template = TEMPLATE
    if request.htmx and "block" in request.GET:
        template = f"{TEMPLATE}#rows"
    elif request.htmx and request.htmx.target == "matrix":
        template = f"{TEMPLATE}#matrix"
    return render(request, template, context)


def _scores_context(request, assessment) -> dict:
    panel = _panel_context(request, assessment)
    display = matrix_scores_display(
        assessment=assessment,
        user=request.user,
        membership=assessment.membership,
        params=_params(request, assessment),
        results=panel.get("results", {}),
    )
    return {
        "membership": assessment.membership,
        "display": display,
        "params": display.params,
        "linchpins_token": linchpins_token(panel.get("results", {})),
        **panel,
    }


def _score_rows(request: HtmxRequest, assessment) -> HttpResponse:
    """The matrix's score rows after a new snapshot (the panel announced it)."""
    return render(request, f"{TEMPLATE}#score-rows", _scores_context(request, assessment))


def _linchpins(request: HtmxRequest, assessment) -> HttpResponse:
    """The linchpin list after a new snapshot; the whole matrix when the rows badged as linchpins changed."""
    context = _scores_context(request, assessment)
    if request.GET.get("linchpins") == context["linchpins_token"]:
        return render(request, f"{TEMPLATE}#linchpins", context)
    response = render(request, f"{TEMPLATE}#matrix", matrix_context(request, assessment))
    return retarget(response, "#matrix")


@require_POST
@login_required
def cell_set(request: HtmxRequest, pk: int):
    """A rated cell answers with its own row and announces the change; the other regions refresh themselves."""
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
    # The save moved the version, its time and the rescoring claim: the state the panel's rule reads.
    assessment.refresh_from_db(fields=["content_version", "updated_at"])
    if hasattr(assessment, "rescore_queue"):
        assessment.rescore_queue.refresh_from_db()
    params = _params(request, assessment)
    if params.sort == "diagnosticity" or params.hide_non_diagnostic:
        # The rating can move or hide its row: the matrix as a reload would show it.
        response = render(request, f"{TEMPLATE}#matrix", matrix_context(request, assessment))
        response = retarget(response, "#matrix")
    else:
        response = _row(request, assessment, params=params, evidence_id=int(request.POST["evidence"]))
    return trigger_client_event(response, RATINGS_CHANGED)


def _row(request: HtmxRequest, assessment, *, params: MatrixParams, evidence_id: int) -> HttpResponse:
    """A rated cell's row alone: O(row), never the whole matrix."""
    panel = _panel_context(request, assessment)
    display = matrix_row_display(
        assessment=assessment,
        user=request.user,
        membership=assessment.membership,
        params=params,
        results=panel.get("results", {}),
        evidence_id=evidence_id,
        hidden=panel["view"].hidden.get("ach", ()),
    )
    context = {"membership": assessment.membership, "display": display, "params": display.params, **panel}
    return retarget(render(request, f"{TEMPLATE}#rows", context), f"#ev-{evidence_id}")


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
        response = HttpResponse(status=204)
    else:
        # Whatever moved the panel moved the matrix's scores and the judgment panels: they refresh on this.
        response = trigger_client_event(HttpResponse(_panel_html(request, assessment)), SCORES_CHANGED)
    # The page sends the items its matrix shows: a teammate's added, edited, moved or deleted item or
    # hypothesis (a move changes no score) makes the matrix, and what else lists items, refresh itself.
    shown = request.GET.get("items")
    if shown is not None and shown != assessment_selectors.items_signature(assessment_id=assessment.pk):
        trigger_client_event(response, ITEMS_CHANGED)
    return response


def _panel_html(request: HtmxRequest, assessment) -> str:
    """The panel, rendered once for every viewer shown the same one: after a snapshot every open page polls
    for it within 2 s, and most of them (every analyst who has rated none of the rows, or all but the newest)
    are shown the same figures. What it shows is named by the polling token (versions, delay), the figures
    shown (results_key) and the viewer's hidden items (the notice, the alerts she may read)."""
    context = _panel_context(request, assessment)
    view = context["view"]
    snapshot = context["snapshot"]
    # The snapshot's time too: a database restored (or a test's, rolled back) reuses its ids and versions.
    stamp = snapshot.created_at.isoformat() if snapshot else ""
    shown = (context["token"], stamp, context["results_key"], hidden_digest(view), context["view_notice"])
    key = f"ach-panel:{assessment.pk}:{hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(f"{TEMPLATE}#panel", context, request=request)
        cache.set(key, html, CACHE_SECONDS)
    return html
