from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.assessments.access import assessment_for_user
from apps.core.htmx import form_submit
from apps.core.types import HtmxRequest

from . import selectors, services
from .forms import CommentForm, ThreadForm
from .models import Thread


def _thread_for_user(request: HtmxRequest, pk: int, thread_id: int, *, review: bool = False):
    """The assessment and its thread, authorised: 404 outside the team, 403 for a thread the anchoring rule
    hides (a cell of a row the analyst has not rated in full) or an action their role may not take."""
    assessment = assessment_for_user(request.user, pk, review=review)
    thread = get_object_or_404(
        Thread.objects.select_related("evidence", "hypothesis", "started_by", "resolved_by"),
        pk=thread_id,
        assessment=assessment,
    )
    thread.assessment = assessment
    if not selectors.thread_visible(thread=thread, user=request.user, membership=assessment.membership):
        raise PermissionDenied(f"Rate every cell of {thread.evidence.key} yourself to see this thread.")
    return assessment, thread


def _can_start(membership) -> bool:
    """Analysts and supervisors start threads (a cell's only once its row is rated: the service checks)."""
    return membership.can_edit or membership.can_review


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_http_methods(["GET"])
@login_required
def thread_list(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    evidence_id = _int_or_none(request.GET.get("evidence"))
    target = next(
        (
            (kind, target_id)
            for kind in selectors.TARGET_MODELS
            if (target_id := _int_or_none(request.GET.get(kind))) is not None
        ),
        None,
    )
    listing = selectors.threads_for(
        assessment=assessment,
        user=request.user,
        membership=assessment.membership,
        unresolved_only=request.GET.get("open") == "1",
        evidence_id=evidence_id,
        target=target,
    )
    form = None
    if _can_start(assessment.membership):
        form = ThreadForm(
            assessment=assessment,
            initial={
                "evidence": evidence_id,
                "hypothesis": _int_or_none(request.GET.get("hypothesis")),
                **({target[0]: target[1]} if target else {}),
            },
        )
    return render(request, "comments/threads.html", {"assessment": assessment, "listing": listing, "form": form})


@require_POST
@login_required
def thread_create(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    if not _can_start(assessment.membership):
        raise PermissionDenied("Your role in this team cannot start comment threads.")
    form = ThreadForm(request.POST, assessment=assessment)
    created = []
    if form_submit(
        form,
        lambda data: created.append(
            services.thread_start(assessment=assessment, user=request.user, **form.service_arguments())
        ),
    ):
        messages.success(request, f"Comment added on {created[0].place}.")
        return redirect("comments:detail", assessment.pk, created[0].pk)
    listing = selectors.threads_for(assessment=assessment, user=request.user, membership=assessment.membership)
    return render(
        request, "comments/threads.html", {"assessment": assessment, "listing": listing, "form": form}, status=400
    )


def _detail(request: HtmxRequest, assessment, thread, *, form=None, status: int = 200):
    context = {
        "assessment": assessment,
        "thread": thread,
        "comments": thread.comments.select_related("author"),
        "form": form or CommentForm(),
    }
    template = "comments/thread.html#thread" if request.htmx else "comments/thread.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@login_required
def thread_detail(request: HtmxRequest, pk: int, thread_id: int):
    assessment, thread = _thread_for_user(request, pk, thread_id)
    return _detail(request, assessment, thread)


@require_POST
@login_required
def comment_add(request: HtmxRequest, pk: int, thread_id: int):
    """Analysts reply and supervisors comment: any member who may see the thread."""
    assessment, thread = _thread_for_user(request, pk, thread_id)
    form = CommentForm(request.POST)
    if not form_submit(form, lambda data: services.comment_add(thread=thread, user=request.user, body=data["body"])):
        return _detail(request, assessment, thread, form=form, status=400)
    if request.htmx:
        return _detail(request, assessment, thread)
    return redirect("comments:detail", assessment.pk, thread.pk)


@require_POST
@login_required
def thread_resolve(request: HtmxRequest, pk: int, thread_id: int):
    assessment, thread = _thread_for_user(request, pk, thread_id, review=True)
    resolved = request.POST.get("action") != "reopen"
    try:
        thread = services.thread_resolve(thread=thread, user=request.user, resolved=resolved)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Thread resolved." if resolved else "Thread reopened.")
    return redirect("comments:detail", assessment.pk, thread.pk)
