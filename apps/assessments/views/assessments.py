from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.forms import TeamForm
from apps.core.types import HtmxRequest

from .. import selectors, services
from ..access import assessment_for_user
from ..exchange import AssessmentFileError
from ..forms import AssessmentForm
from ..models import Marking, Notification
from ..services.files import assessment_fork
from ..visibility import activities_shown, notifications_shown, view_for


@require_http_methods(["GET"])
@login_required
def assessment_list(request: HtmxRequest):
    membership = request.membership
    assessments = selectors.assessments_for_team(team_id=membership.team_id) if membership else []
    archived = (
        selectors.assessments_for_team(team_id=membership.team_id, archived=True)
        if membership and membership.is_team_admin
        else []
    )
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "assessments": assessments,
            "archived": archived,
            "membership": membership,
            "form": AssessmentForm(),
            # A site admin with no team can start one from here.
            "team_form": TeamForm() if request.user.is_staff and not membership else None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def assessment_create(request: HtmxRequest):
    membership = request.membership
    if not membership or not membership.can_edit:
        raise PermissionDenied("Only analysts and team admins create assessments.")
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(team=membership.team, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Created “{assessment.title}”.")
            return redirect(assessment)
    return render(request, "assessments/assessment_form.html", {"form": form})


@require_http_methods(["GET"])
@login_required
def activity(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    view = view_for(assessment=assessment, user=request.user)
    context = {
        "assessment": assessment,
        "activities": activities_shown(view=view, activities=selectors.activity_feed(assessment=assessment, limit=200)),
        "follow_state": selectors.follow_state(user=request.user, assessment=assessment),
        "markings": Marking.objects.all(),
    }
    template = "assessments/activity.html#feed" if request.htmx else "assessments/activity.html"
    return render(request, template, context)


REVIEWER_ACTIONS = {"approve", "return", "reopen"}
# The only changes an approved assessment accepts: the ones that unfreeze it or talk about it.
WHILE_FROZEN_ACTIONS = {"reopen", "comment"}


@require_POST
@login_required
def review(request: HtmxRequest, pk: int):
    """Submit (analysts), approve / return / reopen (supervisors), or comment (supervisors)."""
    action = request.POST.get("action", "")
    assessment = assessment_for_user(
        request.user,
        pk,
        write=action == "submit",
        review=action in REVIEWER_ACTIONS | {"comment"},
        while_frozen=action in WHILE_FROZEN_ACTIONS,
    )
    if action not in REVIEWER_ACTIONS | {"comment", "submit"}:
        raise PermissionDenied("Unknown review action.")
    comment = request.POST.get("comment", "")
    try:
        if action == "comment":
            services.review_comment(assessment=assessment, user=request.user, comment=comment)
        else:
            services.assessment_review(assessment=assessment, user=request.user, action=action, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Comment added." if action == "comment" else "Review recorded.")
    return redirect(assessment)


@require_POST
@login_required
def archive(request: HtmxRequest, pk: int):
    """Archive or restore (team admins): the assessment leaves the lists, read-only, nothing deleted."""
    assessment = assessment_for_user(request.user, pk)
    if not assessment.membership.is_team_admin:
        raise PermissionDenied("Only a team admin can archive or restore an assessment.")
    if request.POST.get("action") == "restore":
        services.assessment_restore(assessment=assessment, user=request.user)
        messages.success(request, f"Restored “{assessment.title}”.")
        destination = assessment.get_absolute_url()
    else:
        services.assessment_archive(assessment=assessment, user=request.user)
        messages.success(request, f"Archived “{assessment.title}”. A team admin can restore it from the list.")
        destination = reverse("assessments:list")
    return HttpResponseClientRedirect(destination) if request.htmx else redirect(destination)


@require_http_methods(["GET"])
@login_required
def notifications(request: HtmxRequest):
    items = notifications_shown(user=request.user, notifications=selectors.notifications_for_user(user=request.user))
    return render(request, "assessments/notifications.html", {"notifications": items})


@require_POST
@login_required
def notifications_read(request: HtmxRequest):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("assessments:notifications")


@require_http_methods(["GET"])
@login_required
def notification_open(request: HtmxRequest, notification_id: int):
    """Mark the notification read and go to the place where the event happened."""
    notification = selectors.notification_for_user(user=request.user, pk=notification_id)
    services.notification_read(notification=notification)
    return redirect(services.notification_path(activity=notification.activity))


@require_POST
@login_required
def follow(request: HtmxRequest, pk: int):
    """Follow, mute, or (state "") go back to the team default for one assessment."""
    assessment = assessment_for_user(request.user, pk)
    try:
        services.follow_set(assessment=assessment, user=request.user, state=request.POST.get("state", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Notification preference saved.")
    return redirect("assessments:activity", pk=assessment.pk)


@require_POST
@login_required
def marking(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk, write=True)
    raw = request.POST.get("marking", "")
    chosen = Marking.objects.filter(pk=raw).first() if raw.isdigit() else None
    if raw and chosen is None:
        messages.error(request, "Choose a marking from the list.")
    else:
        services.assessment_marking_set(assessment=assessment, user=request.user, marking=chosen)
        messages.success(request, f"Handling marking: {chosen or 'none'}.")
    return redirect("assessments:activity", pk=assessment.pk)


@require_POST
@login_required
def fork(request: HtmxRequest, pk: int):
    """Duplicate the assessment into the same team as a new draft, with or without ratings."""
    assessment = assessment_for_user(request.user, pk, write=True, while_frozen=True)
    try:
        copy = assessment_fork(
            assessment=assessment, user=request.user, with_ratings=request.POST.get("with_ratings") == "1"
        )
    except AssessmentFileError as exc:
        messages.error(request, "Could not duplicate: " + "; ".join(exc.errors[:5]))
        return redirect("assessments:activity", pk=assessment.pk)
    messages.success(request, f"Created “{copy.title}” as a new draft.")
    return redirect(copy)
