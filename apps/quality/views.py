"""The Quality of Information Check page: the source register, each source's weight in the answer, the flags
and the deception checklist. One region (#register) answers every write and polls for a new snapshot."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.models import Source
from apps.assessments.selectors import snapshot_latest
from apps.assessments.visibility import results_for, view_for
from apps.core.htmx import form_errors, form_submit, unchanged, version_token
from apps.core.types import HtmxRequest

from . import services
from .checks import CONCERNS, QUESTIONS
from .forms import AnswerForm, ItemSourceForm, RestoreForm, RetractForm, SourceEditForm, SourceForm
from .results import register_results
from .selectors import register_get


def _context(request, assessment, *, errors=None, add_form=None, link_form=None) -> dict:
    # Every figure here reads teammates' ratings: the snapshot as this member may see it (visibility).
    view = view_for(assessment=assessment, user=request.user)
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    results = results_for(view=view, snapshot=snapshot, assessment=assessment) if snapshot else {}
    figures = register_results(quality=results.get("quality") or {}, ach=results.get("ach") or {})
    register = register_get(assessment=assessment)
    errors = errors or {}
    for source in register.sources:
        source.run = figures["sources"].get(source.key)
        source.errors = errors.get(source.key, [])
        source.edit_form = SourceEditForm(instance=source, initial={"version": source.version}, prefix=source.key)
        source.checklist = [(key, title, text, source.answers.get(key)) for key, (title, text) in QUESTIONS.items()]
    membership = assessment.membership
    return {
        "assessment": assessment,
        "membership": membership,
        "register": register,
        "figures": figures,
        "snapshot": snapshot,
        "pending": snapshot is None or snapshot.version < assessment.content_version,
        "notice": view.notice("ach"),
        "token": version_token(snapshot.version if snapshot else 0, assessment.content_version),
        "may_retract": membership.can_edit or (membership.can_review and not membership.read_only),
        "add_form": add_form or SourceForm(),
        "link_form": link_form or ItemSourceForm(assessment=assessment),
        "concerns": CONCERNS,
        "questions": QUESTIONS,
        "errors": errors,
    }


def _register_response(request, assessment, **extra) -> HttpResponse:
    """The register after a write: the region for htmx, the page otherwise (redirected when it went well)."""
    if not request.htmx:
        if extra.get("errors") or extra.get("add_form") or extra.get("link_form"):
            return render(request, "quality/register.html", _context(request, assessment, **extra), status=400)
        return redirect(reverse("quality:register", args=[assessment.pk]))
    assessment.refresh_from_db()
    return render(request, "quality/register.html#register", _context(request, assessment, **extra))


@require_http_methods(["GET"])
@login_required
def register(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    if request.htmx and "shown" in request.GET:
        snapshot = snapshot_latest(assessment_id=assessment.pk)
        if unchanged(request, version_token(snapshot.version if snapshot else 0, assessment.content_version)):
            return HttpResponse(status=204)
        return render(request, "quality/register.html#register", _context(request, assessment))
    return render(request, "quality/register.html", _context(request, assessment))


def _source(assessment, source_id: int) -> Source:
    return get_object_or_404(Source, pk=source_id, assessment=assessment)


@require_POST
@login_required
def source_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = SourceForm(request.POST)
    if not form_submit(
        form, lambda data: assessment_services.source_create(assessment=assessment, user=request.user, **data)
    ):
        return _register_response(request, assessment, add_form=form)
    return _register_response(request, assessment)


def _run(request, assessment, source: Source, form, service) -> HttpResponse:
    """Validate a per-source form and run the service; its refusals show on the source's card."""
    if not form.is_valid():
        return _register_response(request, assessment, errors={source.key: form_errors(form)})
    try:
        service(form.cleaned_data)
    except ValidationError as exc:
        return _register_response(request, assessment, errors={source.key: exc.messages})
    return _register_response(request, assessment)


@require_POST
@login_required
def source_edit(request: HtmxRequest, pk: int, source_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    source = _source(assessment, source_id)
    form = SourceEditForm(request.POST, instance=Source.objects.get(pk=source.pk), prefix=source.key)
    return _run(
        request,
        assessment,
        source,
        form,
        lambda data: assessment_services.source_update(
            source=source,
            user=request.user,
            expected_version=data.get("version"),
            **{name: data[name] for name in assessment_services.SOURCE_FIELDS},
        ),
    )


def _retracting(request, pk: int):
    """Analysts and supervisors may retract (a supervisor who reviews the sources acts on them); not on a frozen
    assessment, which the service refuses too."""
    assessment = assessment_for_user(request.user, pk)
    membership = assessment.membership
    if not (membership.can_edit or membership.can_review) or membership.read_only:
        raise PermissionDenied("Your role in this team cannot retract sources.")
    return assessment


@require_POST
@login_required
def source_retract(request: HtmxRequest, pk: int, source_id: int):
    assessment = _retracting(request, pk)
    source = _source(assessment, source_id)
    return _run(
        request,
        assessment,
        source,
        RetractForm(request.POST),
        lambda data: assessment_services.source_retract(
            source=source, user=request.user, reason=data["reason"], on=data.get("on"), expected_version=data["version"]
        ),
    )


@require_POST
@login_required
def source_restore(request: HtmxRequest, pk: int, source_id: int):
    assessment = _retracting(request, pk)
    source = _source(assessment, source_id)
    return _run(
        request,
        assessment,
        source,
        RestoreForm(request.POST),
        lambda data: assessment_services.source_restore(
            source=source, user=request.user, expected_version=data["version"]
        ),
    )


@require_POST
@login_required
def item_source(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    form = ItemSourceForm(request.POST, assessment=assessment)
    if not form.is_valid():
        return _register_response(request, assessment, link_form=form)
    try:
        assessment_services.evidence_source_set(
            evidence=form.cleaned_data["evidence"],
            user=request.user,
            source=form.cleaned_data["source"],
            information=form.cleaned_data["information"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _register_response(request, assessment, link_form=form)
    return _register_response(request, assessment)


@require_POST
@login_required
def deception_answer(request: HtmxRequest, pk: int, source_id: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    source = _source(assessment, source_id)
    return _run(
        request,
        assessment,
        source,
        AnswerForm(request.POST),
        lambda data: services.deception_answer_set(source=source, user=request.user, **data),
    )
