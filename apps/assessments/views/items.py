"""Hypotheses and evidence: the items every technique works on, edited from the techniques' pages.

One set of views serves both kinds; the URL names the kind. A successful htmx edit answers with its own
region (a fresh add form, or nothing) and announces `items-changed`: the regions that show items (the
matrix, the panels) listen for it and refresh themselves.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from apps.core.htmx import error_response, form_error_add, form_errors, form_submit
from apps.core.ordering import order_moved
from apps.core.types import HtmxRequest
from apps.core.versions import VersionConflict, conflict_show

from .. import services
from ..access import assessment_for_user
from ..forms import DuplicateMarkForm, EvidenceForm, HypothesisForm, MergeForm
from ..models import DuplicateMark, Evidence, Hypothesis

TEMPLATE = "assessments/items.html"
# The htmx event every region showing hypotheses or evidence listens for (hx-trigger="items-changed from:body").
ITEMS_CHANGED = "items-changed"


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    form: type[ModelForm]
    related: str
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    reorder: Callable[..., Any]


KINDS = {
    "hypothesis": Kind(
        model=Hypothesis,
        form=HypothesisForm,
        related="hypotheses",
        create=lambda assessment, user, data: services.hypothesis_create(
            assessment=assessment, user=user, statement=data["statement"]
        ),
        update=lambda item, user, data: services.hypothesis_update(
            hypothesis=item, user=user, statement=data["statement"], expected_version=data.get("version")
        ),
        delete=lambda item, user: services.hypothesis_delete(hypothesis=item, user=user),
        reorder=services.hypothesis_reorder,
    ),
    "evidence": Kind(
        model=Evidence,
        form=EvidenceForm,
        related="evidence",
        create=lambda assessment, user, data: services.evidence_create(
            assessment=assessment, user=user, via="form", **data
        ),
        update=lambda item, user, data: services.evidence_update(
            evidence=item, user=user, expected_version=data.pop("version", None), **data
        ),
        delete=lambda item, user: services.evidence_delete(evidence=item, user=user),
        reorder=services.evidence_reorder,
    ),
}


def items_response(request: HtmxRequest, assessment, form_kind: str | None = None) -> HttpResponse:
    """After a change: htmx gets the kind's fresh add form (or nothing) and the event; others go to the page."""
    if not request.htmx:
        return redirect(assessment)
    if form_kind is None:
        response = HttpResponse(status=204)
    else:
        context = {"assessment": assessment, "forms": {form_kind: KINDS[form_kind].form()}}
        response = render(request, f"{TEMPLATE}#{form_kind}-form", context)
    return trigger_client_event(response, ITEMS_CHANGED)


@require_POST
@login_required
def item_create(request: HtmxRequest, pk: int, kind: str):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = KINDS[kind].form(request.POST)
    if form_submit(form, lambda data: KINDS[kind].create(assessment, request.user, data)):
        return items_response(request, assessment, kind)
    return render(request, f"{TEMPLATE}#{kind}-form", {"assessment": assessment, "forms": {kind: form}})


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request: HtmxRequest, pk: int, item_id: int, kind: str):
    assessment = assessment_for_user(request.user, pk, write=True)
    item = get_object_or_404(KINDS[kind].model, pk=item_id, assessment=assessment)
    form = KINDS[kind].form(request.POST or None, instance=item)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            KINDS[kind].update(item, request.user, dict(form.cleaned_data))
        except VersionConflict as exc:
            current = conflict_show(form, exc)
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            return items_response(request, assessment)
    context = {
        "assessment": assessment,
        "form": form,
        "item": item,
        "kind": kind,
        "current": current,
        "duplicate_form": _duplicate_form(item),
    }
    return render(request, f"{TEMPLATE}#item-edit", context)


def _duplicate_form(item) -> DuplicateMarkForm:
    mark = DuplicateMark.objects.filter(**{_kind_field(item): item}).first()
    return DuplicateMarkForm(item=item, initial={"of": mark.of if mark else None, "note": mark.note if mark else ""})


def _kind_field(item) -> str:
    return "evidence" if isinstance(item, Evidence) else "hypothesis"


@require_POST
@login_required
def item_delete(request: HtmxRequest, pk: int, item_id: int, kind: str):
    assessment = assessment_for_user(request.user, pk, write=True)
    item = get_object_or_404(KINDS[kind].model, pk=item_id, assessment=assessment)
    KINDS[kind].delete(item, request.user)
    return items_response(request, assessment)


@require_POST
@login_required
def item_move(request: HtmxRequest, pk: int, item_id: int, kind: str):
    assessment = assessment_for_user(request.user, pk, write=True)
    ids = list(getattr(assessment, KINDS[kind].related).order_by("order", "id").values_list("pk", flat=True))
    if item_id not in ids:
        raise Http404
    ordered = order_moved(ids, item_id, request.POST.get("direction"))
    KINDS[kind].reorder(assessment=assessment, user=request.user, ordered_ids=ordered)
    return items_response(request, assessment)


@require_POST
@login_required
def item_duplicate(request: HtmxRequest, pk: int, item_id: int, kind: str):
    """Mark the item a duplicate of another of its kind; with none chosen, clear its mark."""
    assessment = assessment_for_user(request.user, pk, write=True)
    item = get_object_or_404(KINDS[kind].model, pk=item_id, assessment=assessment)
    form = DuplicateMarkForm(request.POST, item=item)

    def mark(data: dict) -> None:
        if data["of"] is None:
            services.duplicate_unmark(item=item, user=request.user)
        else:
            services.duplicate_mark(item=item, of=data["of"], user=request.user, note=data["note"])

    if form_submit(form, mark):
        return items_response(request, assessment)
    context = {"assessment": assessment, "item": item, "kind": kind, "duplicate_form": form}
    return render(request, f"{TEMPLATE}#duplicate-form", context)


@require_POST
@login_required
def item_merge(request: HtmxRequest, pk: int, item_id: int, kind: str):
    """A team admin merges the item into another: one remains (services.items_merge); analysts get 403."""
    assessment = assessment_for_user(request.user, pk, write=True)
    item = get_object_or_404(KINDS[kind].model, pk=item_id, assessment=assessment)
    form = MergeForm(request.POST, item=item)
    if not form.is_valid():
        return error_response(request, form_errors(form))
    try:
        services.items_merge(
            kept=form.cleaned_data["into"],
            duplicate=item,
            user=request.user,
            kept_version=form.cleaned_data["into_version"],
            duplicate_version=form.cleaned_data["version"],
        )
    except VersionConflict as exc:
        changed = exc.current.key  # type: ignore[attr-defined]
        return error_response(
            request,
            [f"Someone else saved this pair ({changed}) after you opened the page: reload it and check both first."],
            status=409,
        )
    except ValidationError as exc:
        return error_response(request, exc.messages)
    return items_response(request, assessment)
