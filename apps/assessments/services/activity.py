"""The activity feed and the team notifications it sends."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from ..models import Activity, Assessment, Notification


def activity_record(
    *,
    assessment: Assessment,
    kind: str,
    message: str,
    actor: User | None = None,
    version: int | None = None,
    data: dict[str, Any] | None = None,
    notify: bool = False,
) -> Activity:
    activity = Activity.objects.create(
        assessment=assessment, kind=kind, message=message, actor=actor, version=version, data=data or {}
    )
    if notify:
        _team_notify(assessment=assessment, activity=activity)
    return activity


def _team_notify(*, assessment: Assessment, activity: Activity) -> None:
    members = list(assessment.team.members.exclude(pk=getattr(activity.actor, "pk", None)))
    Notification.objects.bulk_create(
        [Notification(user=user, activity=activity) for user in members], ignore_conflicts=True
    )
    recipients = [user.email for user in members if user.email]
    if recipients:
        subject = f"[SAT Workbench] {assessment.title}: {activity.get_kind_display().lower()}"
        transaction.on_commit(
            lambda: send_mail(subject, activity.message, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )
