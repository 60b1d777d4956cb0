"""The check page: the assumptions in check order, the team's spread, adding, editing and reordering."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.assessments import selectors as assessment_selectors
from apps.assessments.access import assessment_for_user
from apps.assessments.visibility import View, view_for
from apps.core.htmx import form_error_add, form_submit, unchanged, version_token
from apps.core.ordering import order_moved
from apps.core.types import HtmxRequest
from apps.core.versions import VersionConflict, conflict_show

from .. import services
from ..forms import (
    AssumptionEditForm,
    AssumptionForm,
    ChallengeForm,
    CompleteForm,
    JudgmentForm,
    LinkForm,
    RecheckForm,
    RequirementForm,
)
from ..models import Assumption, Change, CollectionRequirement
from ..selectors import Check, check_get

SORTS = {"check": "Check order (key uncertainties first)", "manual": "Our order"}


def _sort(request) -> str:
    data = request.GET if request.method == "GET" else request.POST
    return data.get("sort") if data.get("sort") in SORTS else "check"


def _viewer_rows(check: Check, user, view: View, sort: str):
    """Rows as this user sees them: analysts see the team's judgments once they have recorded their own."""
    rows = check.rows if sort == "check" else sorted(check.rows, key=lambda r: (r.assumption.order, r.assumption.pk))
    hidden = view.hidden.get("key_assumptions", ())
    for row in rows:
        row.mine = next((j for j in row.assumption.judgments.all() if j.analyst_id == user.pk), None)
        # Independent judgments first, as in the ACH matrix: others' views would anchor an analyst's own.
        row.team_visible = row.assumption.pk not in hidden
    return rows


def status_token(*, assessment, snapshot, flagged_keys) -> str:
    """What the summary shows: the scored and current versions and the flagged assumptions."""
    return version_token(
        snapshot.version if snapshot else 0, assessment.content_version, ",".join(sorted(flagged_keys))
    )


def check_context(request, assessment, **extra) -> dict:
    # The spread and the check order as this member may see them (apps.assessments.visibility).
    view = view_for(assessment=assessment, user=request.user)
    check = check_get(assessment=assessment, hidden=view.hidden.get("key_assumptions", ()))
    sort = _sort(request)
    snapshot = assessment_selectors.snapshot_latest(assessment_id=assessment.pk)
    context = {
        "assessment": assessment,
        "membership": assessment.membership,
        "check": check,
        "rows": _viewer_rows(check, request.user, view, sort),
        "sort": sort,
        "sorts": SORTS,
        "snapshot": snapshot,
        "pending": snapshot is None or snapshot.version < assessment.content_version,
        "status_token": status_token(
            assessment=assessment, snapshot=snapshot, flagged_keys=[row.assumption.key for row in check.flagged]
        ),
        "confidence_choices": JudgmentForm.base_fields["confidence"].choices,
        "impact_choices": JudgmentForm.base_fields["impact"].choices,
        "row_errors": {},
        "requirement_statuses": CollectionRequirement.Status.choices,
    }
    if assessment.membership.can_edit:
        context.update(
            assumption_form=AssumptionForm(assessment=assessment, initial={"owner": request.user.pk}),
            link_form=LinkForm(assessment=assessment),
            challenge_form=ChallengeForm(assessment=assessment),
        )
    if assessment.membership.can_review:
        context["complete_form"] = CompleteForm()
    return {**context, **extra}


def check_response(request, assessment, *partials: str, toast: str | None = None, **extra) -> HttpResponse:
    """The assumptions region (and named partials, out of band) after an htmx write; others redirect."""
    if not request.htmx:
        return redirect(f"{reverse('key_assumptions:check', args=[assessment.pk])}?sort={_sort(request)}")
    assessment.refresh_from_db()
    context = check_context(request, assessment, **extra)
    html = render_to_string("key_assumptions/check.html#assumptions", context, request=request)
    for name in ("summary", *partials):
        html += render_to_string(f"key_assumptions/check.html#{name}", {**context, "oob": True}, request=request)
    headers = {"HX-Retarget": "#assumptions", "HX-Reswap": "outerHTML"}
    if toast:
        headers["HX-Trigger"] = json.dumps({"toast": {"text": toast, "kind": "success"}})
    return HttpResponse(html, headers=headers)


def row_response(request, assessment, assumption, *, toast: str | None = None, **extra) -> HttpResponse:
    """One assumption's row (and the summary, out of band) after a per-item write: the item, not the list."""
    if not request.htmx:
        return redirect(f"{reverse('key_assumptions:check', args=[assessment.pk])}?sort={_sort(request)}")
    assessment.refresh_from_db()
    context = check_context(request, assessment, **extra)
    context["row"] = next(row for row in context["rows"] if row.assumption.pk == assumption.pk)
    html = render_to_string("key_assumptions/check.html#assumption-row", context, request=request)
    html += render_to_string("key_assumptions/check.html#summary", {**context, "oob": True}, request=request)
    headers = {"HX-Retarget": f"#assumption-{assumption.pk}", "HX-Reswap": "outerHTML"}
    if toast:
        headers["HX-Trigger"] = json.dumps({"toast": {"text": toast, "kind": "success"}})
    return HttpResponse(html, headers=headers)


def form_error_response(request, assessment, partial: str, **forms) -> HttpResponse:
    """The form partial with its inline errors (htmx), or the whole page around it."""
    if request.htmx:
        return render(request, f"key_assumptions/check.html#{partial}", {"assessment": assessment, **forms})
    return render(request, "key_assumptions/check.html", check_context(request, assessment, **forms))


def _assumption(assessment, assumption_id: int) -> Assumption:
    return get_object_or_404(Assumption, pk=assumption_id, assessment=assessment)


@require_http_methods(["GET"])
@login_required
def check(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    context = check_context(request, assessment)
    if request.htmx and request.htmx.target == "assumptions":
        return render(request, "key_assumptions/check.html#assumptions", context)
    return render(request, "key_assumptions/check.html", context)


@require_http_methods(["GET"])
@login_required
def status(request: HtmxRequest, pk: int):
    """The summary, polled; 204 while neither the content, the snapshot nor the flags moved.

    When the set of flagged assumptions changed (the rescoring flagged one), the list refreshes too.
    """
    assessment = assessment_for_user(request.user, pk)
    shown = request.GET.get("shown", "")
    # Every open page polls: answer the common "nothing moved" in two queries.
    current = status_token(
        assessment=assessment,
        snapshot=assessment_selectors.snapshot_latest(assessment_id=assessment.pk),
        flagged_keys=Assumption.objects.filter(assessment=assessment, needs_recheck=True).values_list("key", flat=True),
    )
    if unchanged(request, current):
        return HttpResponse(status=204)
    response = render(request, "key_assumptions/check.html#summary", check_context(request, assessment))
    if shown.split("-", 2)[2:] != current.split("-", 2)[2:]:
        response["HX-Trigger"] = "assumptions-refresh"
    return response


@require_POST
@login_required
def assumption_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = AssumptionForm(request.POST, assessment=assessment)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            assumption = services.assumption_create(
                assessment=assessment, user=request.user, supports=data.pop("supports"), **data
            )
        except ValidationError as exc:
            form_error_add(form, exc)
    if not form.is_valid():
        return form_error_response(request, assessment, "assumption-form", assumption_form=form)
    return check_response(request, assessment, "assumption-form", "side-forms", toast=f"{assumption.key} recorded.")


@require_http_methods(["GET", "POST"])
@login_required
def assumption_edit(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    assumption = _assumption(assessment, assumption_id)
    form = AssumptionEditForm(
        request.POST or None, instance=assumption, assessment=assessment, auto_id=f"id_edit{assumption.pk}_%s"
    )
    current = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            # The form only validated: the service compares with the stored row and records the history.
            services.assumption_update(
                assumption=assumption,
                user=request.user,
                reason=data.pop("reason"),
                supports=data.pop("supports"),
                expected_version=data.pop("version"),
                **data,
            )
        except VersionConflict as exc:
            current = conflict_show(form, exc)
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            return check_response(request, assessment, "side-forms", toast=f"{assumption.key} updated.")
    context = {
        "assessment": assessment,
        "form": form,
        "assumption": assumption,
        "sort": _sort(request),
        "current": current,
    }
    return render(request, "key_assumptions/check.html#assumption-edit", context)


@require_POST
@login_required
def assumption_move(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    ids = list(assessment.assumptions.order_by("order", "id").values_list("pk", flat=True))
    if assumption_id not in ids:
        raise Http404
    ordered = order_moved(ids, assumption_id, request.POST.get("direction"))
    if ordered != ids:
        services.assumption_reorder(assessment=assessment, user=request.user, ordered_ids=ordered)
    return check_response(request, assessment)


@require_POST
@login_required
def judgment_set(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    assumption = _assumption(assessment, assumption_id)
    form = JudgmentForm(request.POST)
    if form.is_valid():
        try:
            services.judgment_set(assumption=assumption, analyst=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_error_add(form, exc)
    if not form.is_valid():
        errors = [
            f"{name}: {'; '.join(messages)}" if name != "__all__" else "; ".join(messages)
            for name, messages in form.errors.items()
        ]
        return row_response(request, assessment, assumption, row_errors={assumption.pk: errors})
    return row_response(request, assessment, assumption, toast=f"Your judgment of {assumption.key} is recorded.")


@require_http_methods(["GET", "POST"])
@login_required
def recheck(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    assumption = _assumption(assessment, assumption_id)
    form = RecheckForm(request.POST or None)
    if request.method == "POST" and form_submit(
        form, lambda data: services.assumption_recheck(assumption=assumption, user=request.user, reason=data["reason"])
    ):
        return check_response(request, assessment, toast=f"{assumption.key} re-checked.")
    context = {"assessment": assessment, "assumption": assumption, "form": form}
    return render(request, "key_assumptions/check.html#recheck-form", context)


@require_http_methods(["GET"])
@login_required
def history(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk)
    assumption = _assumption(assessment, assumption_id)
    entries = Change.objects.filter(assumption=assumption).select_related("actor")
    if assumption.pk in view_for(assessment=assessment, user=request.user).hidden.get("key_assumptions", ()):
        # Teammates' judgments of an assumption she has not judged yet (apps.assessments.visibility).
        entries = entries.exclude(action=Change.Action.JUDGED)
    context = {"assessment": assessment, "assumption": assumption, "entries": list(entries)}
    template = "key_assumptions/check.html#history" if request.htmx else "key_assumptions/history.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def requirement_create(request: HtmxRequest, pk: int, assumption_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    assumption = _assumption(assessment, assumption_id)
    form = RequirementForm(request.POST or None)
    created = form_submit(
        form, lambda data: services.requirement_create(assumption=assumption, user=request.user, **data)
    )
    if request.method == "POST" and created:
        toast = f"Collection requirement for {assumption.key} added."
        return check_response(request, assessment, "requirements", toast=toast)
    context = {"assessment": assessment, "assumption": assumption, "form": form}
    return render(request, "key_assumptions/check.html#requirement-form", context)
