"""The judgment panels beside the matrix (sensitivity, stated probabilities, resolution), the post-mortem
and the reliability setting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.assessments import selectors as assessment_selectors
from apps.assessments.access import assessment_for_user
from apps.assessments.visibility import results_for, view_for
from apps.core.htmx import form_submit, unchanged
from apps.core.types import HtmxRequest

from .. import services
from ..forms import ReliabilityForm, ResolveForm, StatedForm
from ..judgments import calibration_seen, comparison_get, judgments_token, sensitivity_get
from ..models import Resolution, StatedProbability
from ..postmortem import calibration_get

TEMPLATE = "ach/judgments.html"


def _hypotheses(assessment) -> list:
    return list(assessment.hypotheses.order_by("order", "id"))


def _stated_form(assessment, user, hypotheses, data=None) -> StatedForm | None:
    if not assessment.membership.can_edit:
        return None
    if data is not None:
        return StatedForm(data, hypotheses=hypotheses)
    latest = assessment.statements.filter(analyst=user).prefetch_related("probabilities__hypothesis").first()
    initial = {f"pct_{p.hypothesis.key}": p.percent for p in latest.probabilities.all()} if latest else {}
    return StatedForm(hypotheses=hypotheses, initial=initial)


def _context(request, assessment, **extra) -> dict:
    hypotheses = _hypotheses(assessment)
    snapshot = assessment_selectors.snapshot_latest(assessment_id=assessment.pk)
    view = view_for(assessment=assessment, user=request.user)
    results = results_for(view=view, snapshot=snapshot, assessment=assessment).get("ach", {}) if snapshot else {}
    membership = assessment.membership
    resolution = Resolution.objects.filter(assessment=assessment).select_related("outcome", "resolved_by").first()
    context = {
        "assessment": assessment,
        "membership": membership,
        "snapshot": snapshot,
        "sensitivity": sensitivity_get(snapshot, results),
        "view_notice": view.notice("ach"),
        "comparison": comparison_get(
            assessment=assessment,
            hypotheses=hypotheses,
            snapshot=snapshot,
            user=request.user,
            sees_everyone=membership.can_review,
            results=results,
        ),
        "history": list(
            assessment.statements.filter(analyst=request.user).prefetch_related(
                Prefetch(
                    "probabilities",
                    StatedProbability.objects.select_related("hypothesis").order_by("hypothesis__order", "hypothesis"),
                )
            )[:5]
        ),
        "resolution": resolution,
        "judgments_token": judgments_token(assessment=assessment, snapshot=snapshot),
    }
    if "stated_form" not in extra:
        context["stated_form"] = _stated_form(assessment, request.user, hypotheses)
    if "resolve_form" not in extra and membership.can_review and resolution is None:
        context["resolve_form"] = ResolveForm(hypotheses=hypotheses, initial={"resolved_on": timezone.localdate()})
    return {**context, **extra}


@require_http_methods(["GET"])
@login_required
def judgments(request: HtmxRequest, pk: int):
    """The whole page without htmx; the panels as one region on the matrix page; the polled scores alone."""
    assessment = assessment_for_user(request.user, pk)
    if request.htmx and request.htmx.target == "judgment-scores":
        snapshot = assessment_selectors.snapshot_latest(assessment_id=assessment.pk)
        if unchanged(request, judgments_token(assessment=assessment, snapshot=snapshot)):
            return HttpResponse(status=204)
        return render(request, f"{TEMPLATE}#judgment-scores", _context(request, assessment))
    template = f"{TEMPLATE}#judgments" if request.htmx else TEMPLATE
    return render(request, template, _context(request, assessment))


@require_POST
@login_required
def stated_set(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = _stated_form(assessment, request.user, _hypotheses(assessment), data=request.POST)
    saved = form_submit(
        form,
        lambda _: services.stated_probabilities_set(
            assessment=assessment, analyst=request.user, percents=form.percents()
        ),
    )
    if not request.htmx:
        if saved:
            messages.success(request, "Your probabilities are recorded.")
            return redirect("ach:judgments", pk=assessment.pk)
        return render(request, TEMPLATE, _context(request, assessment, stated_form=form), status=400)
    if not saved:
        # htmx swaps only 2xx answers: the form with its messages replaces itself.
        return render(request, f"{TEMPLATE}#stated-form", _context(request, assessment, stated_form=form))
    # The form answers for itself; the scores beside it refresh on the event.
    response = render(request, f"{TEMPLATE}#stated-form", _context(request, assessment, saved=True))
    return trigger_client_event(response, "stated-changed")


@require_POST
@login_required
def resolve(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, review=True, while_frozen=True)
    form = ResolveForm(request.POST, hypotheses=_hypotheses(assessment))
    saved = form_submit(
        form,
        lambda data: services.assessment_resolve(
            assessment=assessment,
            user=request.user,
            outcome=form.outcome_key(),
            resolved_on=data["resolved_on"],
            note=data["note"],
        ),
    )
    if not saved:
        context = _context(request, assessment, resolve_form=form)
        if request.htmx:
            return render(request, f"{TEMPLATE}#resolution", context)
        return render(request, TEMPLATE, context, status=400)
    messages.success(request, "Assessment resolved.")
    url = reverse("ach:post_mortem", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required
def unresolve(request: HtmxRequest, pk: int):
    """A supervisor withdraws the resolution, which unfreezes the assessment (recorded in the activity)."""
    assessment = assessment_for_user(request.user, pk, review=True, while_frozen=True)
    try:
        services.assessment_unresolve(assessment=assessment, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Resolution withdrawn: the assessment can change again.")
    url = reverse("ach:judgments", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET"])
@login_required
def post_mortem(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    view = view_for(assessment=assessment, user=request.user)
    calibration = calibration_seen(calibration_get(assessment=assessment), view)
    misleading = []
    if calibration:
        # The summaries as they were when resolved: the post-mortem does not follow later edits.
        summaries = calibration["misleading_summaries"]
        misleading = [{"key": key, "summary": summaries.get(key, "")} for key in calibration["misleading_evidence"]]
    analysts = (
        [
            (
                username,
                {
                    "brier": scores,
                    "skill": calibration["skill"]["analysts"][username],
                    "log": calibration["log"]["analysts"][username],
                },
            )
            for username, scores in sorted(calibration["brier"]["analysts"].items())
        ]
        if calibration
        else []
    )
    context = {
        "assessment": assessment,
        "calibration": calibration,
        "analysts": analysts,
        "misleading": misleading,
        "view_notice": view.notice("ach") if calibration else "",
        "can_unresolve": calibration is not None and assessment.membership.can_review,
        "outcome": assessment.hypotheses.filter(key=calibration["outcome"]).first()
        if calibration and calibration["outcome"]
        else None,
    }
    return render(request, "ach/post_mortem.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def reliability(request: HtmxRequest, pk: int):
    """The credibility and relevance factors (an analyst's or team admin's setting, like the priors)."""
    assessment = assessment_for_user(request.user, pk, write=True)
    if request.method == "GET":
        form = ReliabilityForm(initial=ReliabilityForm.initial_from(assessment.reliability))
        template = "ach/reliability.html#reliability-form" if request.htmx else "ach/reliability.html"
        return render(request, template, {"assessment": assessment, "reliability_form": form})
    form = ReliabilityForm(request.POST)
    if not form_submit(form, lambda _: services.reliability_set(assessment=assessment, reliability=form.reliability())):
        context = {"assessment": assessment, "reliability_form": form}
        if request.htmx:
            return render(request, "ach/reliability.html#reliability-form", context)
        return render(request, "ach/reliability.html", context, status=400)
    messages.success(request, "Reliability factors saved.")
    if request.htmx:
        return HttpResponseClientRedirect(assessment.get_absolute_url())
    return redirect(assessment)
