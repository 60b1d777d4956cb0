from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.models import Activity
from apps.assessments.selectors import rescoring_delayed, snapshot_latest
from apps.assessments.visibility import view_for
from apps.core.dates import iso_date_parse
from apps.core.htmx import unchanged, version_token
from apps.core.types import HtmxRequest

from .. import services, validator
from ..display import SORTS, board_display
from ..forms import IndicatorForm, StatusLabelsForm
from ..selectors import ach_leader, board_get, status_labels_get

WARNINGS_SHOWN = 8
# The panel announces a new snapshot; the board, whose columns name the ACH leader, refreshes on it.
SCORES_CHANGED = "scores-changed"


def panel_context(assessment) -> dict:
    """The rescoring's view: warnings, and the tension between the indicators and the ACH leader.

    Both sides of the tension come from one snapshot, so they always describe the same version.
    """
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    results = (snapshot.results.get("indicators") or {}) if snapshot else {}
    # The ACH leader as this member may see it (apps.assessments.visibility).
    leader = ach_leader(snapshot, view_for(assessment=assessment, user=assessment.membership.user))
    favoured = results.get("favoured")
    warnings = list(
        Activity.objects.filter(
            assessment=assessment, kind=Activity.Kind.WARNING, data__code__startswith="indicator"
        ).order_by("-created_at", "-id")[:WARNINGS_SHOWN]
    )
    pending = snapshot is None or snapshot.version < assessment.content_version
    delayed = rescoring_delayed(assessment=assessment, pending=pending)
    return {
        "assessment": assessment,
        "snapshot": snapshot,
        "pending": pending,
        "delayed": delayed,
        "favoured": favoured,
        "ach_leader": leader,
        "tension": validator.tension(favoured, leader),
        "warnings": warnings,
        # Warnings arrive with snapshots, so the two versions say whether anything moved.
        "token": version_token(snapshot.version if snapshot else 0, assessment.content_version)
        + ("-delayed" if delayed else ""),
    }


def _board_context(request, assessment, **extra) -> dict:
    sort = request.GET.get("sort", "rank")
    sort = sort if sort in SORTS else "rank"
    board = board_get(assessment=assessment)
    return {
        "assessment": assessment,
        "membership": assessment.membership,
        "display": board_display(board, sort=sort),
        "labels": board.labels,
        "sort": sort,
        "sorts": SORTS,
        "form": IndicatorForm(),
        **panel_context(assessment),
        **extra,
    }


@require_http_methods(["GET"])
@login_required
def board(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    context = _board_context(request, assessment)
    template = (
        "indicators/board.html#board" if request.htmx and request.htmx.target == "board" else "indicators/board.html"
    )
    return render(request, template, context)


@require_http_methods(["GET"])
@login_required
def panel(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    context = panel_context(assessment)
    if unchanged(request, context["token"]):
        return HttpResponse(status=204)
    return trigger_client_event(render(request, "indicators/board.html#panel", context), SCORES_CHANGED)


@require_POST
@login_required
def as_of_set(request: HtmxRequest, pk: int):
    """The date the assessment is judged as of (blank: today), which the board and the rescoring follow."""
    assessment = assessment_for_user(request.user, pk, write=True)
    raw = request.POST.get("as_of", "").strip()
    try:
        as_of = iso_date_parse(raw) if raw else None
        assessment_services.assessment_as_of_set(assessment=assessment, user=request.user, as_of=as_of)
    except ValueError as exc:
        messages.error(request, f"As-of date: {exc} Leave it blank for today.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("indicators:board", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required
def indicator_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            indicator = services.indicator_create(assessment=assessment, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        if request.htmx:
            return render(request, "indicators/board.html#indicator-form", {"assessment": assessment, "form": form})
        return render(request, "indicators/board.html", _board_context(request, assessment, form=form))
    url = reverse("indicators:detail", args=[assessment.pk, indicator.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
def status_labels(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=request.method == "POST")
    labels = status_labels_get(assessment=assessment)
    form = StatusLabelsForm(request.POST or None, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            services.status_labels_set(assessment=assessment, user=request.user, labels=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            url = reverse("indicators:board", args=[assessment.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "indicators/labels.html#labels-form" if request.htmx else "indicators/labels.html"
    return render(
        request,
        template,
        {"assessment": assessment, "membership": assessment.membership, "form": form, "labels": labels},
    )
