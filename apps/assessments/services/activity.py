"""The activity feed, the notifications it sends, and each member's follow/mute and read state."""

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Activity, Assessment, Follow, Notification, ScoreSnapshot
from ..visibility import ALERT_KINDS, activities_shown, views_of_members
from .digests import alert_held, digests_hold
from .mailing import notification_path, notification_subject


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
    elif kind == Activity.Kind.CHANGE:
        _followers_notify(assessment=assessment, activity=activity)
    return activity


# Most severe first: a digest is filed under its most severe alert's technique.
ALERT_SEVERITY: dict[str, int] = {Activity.Kind.WARNING: 0, Activity.Kind.FLAG: 1, Activity.Kind.ALERT: 2}


def alerts_record(*, assessment: Assessment, snapshot: ScoreSnapshot, alerts: list[dict[str, Any]]) -> Activity | None:
    """Every alert in the feed, but one notification (and one e-mail) per snapshot, and those an alert asks
    to be held ("notify": "digest") at most once per NOTIFICATION_DIGEST_MINUTES (services/digests.py).

    A single rescoring can raise many alerts at once (one analyst's ratings made four cells' disagreement
    extreme); members hear of them once, as a digest that lists them all. Returns what members were told
    at once, if anything.
    """
    activities = [
        activity_record(
            assessment=assessment,
            kind=alert.get("kind", Activity.Kind.ALERT),
            message=alert["message"],
            version=snapshot.version,
            data=alert,
        )
        for alert in alerts
    ]
    held = [activity for activity in activities if alert_held(activity)]
    if held:
        digests_hold(assessment=assessment, alerts=held)
    activities = [activity for activity in activities if activity not in held]
    if not activities:
        return None
    if len(activities) == 1:
        event = activities[0]
    else:
        ordered = sorted(activities, key=lambda a: ALERT_SEVERITY.get(a.kind, 3))
        event = Activity.objects.create(
            assessment=assessment,
            kind=Activity.Kind.DIGEST,
            message=f"{len(ordered)} alerts after {snapshot.trigger or 'a change'}: "
            + " ".join(a.message for a in ordered),
            version=snapshot.version,
            data={
                "code": f"digest:{snapshot.version}",
                "technique": ordered[0].data.get("technique"),
                "alerts": [a.data.get("code") for a in ordered],
                "activities": [a.pk for a in ordered],
                "subject": f"{len(ordered)} alerts: {ordered[0].message}",
            },
        )
    _team_notify(assessment=assessment, activity=event)
    return event


def _team_notify(*, assessment: Assessment, activity: Activity) -> None:
    """Notify every member except the actor and those who muted the assessment; one e-mail per event.

    An alert reaches a member only as their view lets them read it (apps.assessments.visibility): an
    analyst is not told of a figure computed from ratings she may not see yet, and a digest tells her only
    of the alerts she may see.
    """
    muted = Follow.objects.filter(assessment=assessment, state=Follow.State.MUTE).values("user_id")
    members = list(
        assessment.team.members.exclude(pk=getattr(activity.actor, "pk", None)).exclude(pk__in=muted).distinct()
    )
    seen: dict[int, Activity | None] = {user.pk: activity for user in members}
    if activity.kind in (*ALERT_KINDS, Activity.Kind.DIGEST):
        views = views_of_members(assessment=assessment, users=members)
        for user in members:
            shown = activities_shown(view=views[user.pk], activities=[activity])
            seen[user.pk] = shown[0] if shown else None
        members = [user for user in members if seen[user.pk] is not None]
    Notification.objects.bulk_create(
        [Notification(user=user, activity=activity) for user in members], ignore_conflicts=True
    )
    mails: dict[tuple[str, str], list[str]] = {}
    for user in members:
        told = seen[user.pk]
        if user.email and told is not None:
            subject = notification_subject(activity=told, assessment=assessment)
            body = f"{told.message}\n\n{settings.SITE_URL.rstrip('/')}{notification_path(activity=told)}"
            mails.setdefault((subject, body), []).append(user.email)
    for (subject, body), recipients in mails.items():
        transaction.on_commit(
            partial(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )


def _followers_notify(*, assessment: Assessment, activity: Activity) -> None:
    # Followers hear of everyday changes too, in the app only (no e-mail for each edit).
    followers = Follow.objects.filter(
        assessment=assessment, state=Follow.State.FOLLOW, user__memberships__team_id=assessment.team_id
    )
    if activity.actor_id is not None:
        followers = followers.exclude(user_id=activity.actor_id)
    Notification.objects.bulk_create(
        [Notification(user_id=user_id, activity=activity) for user_id in followers.values_list("user_id", flat=True)],
        ignore_conflicts=True,
    )


@transaction.atomic
def follow_set(*, assessment: Assessment, user: User, state: str) -> Follow | None:
    """Follow or mute an assessment; state "" returns to the team default (notified of alerts and reviews)."""
    if state and state not in Follow.State.values:
        raise ValidationError({"state": f"Unknown choice “{state}”: follow, mute or nothing."})
    if not state:
        Follow.objects.filter(assessment=assessment, user=user).delete()
        return None
    follow, _ = Follow.objects.update_or_create(assessment=assessment, user=user, defaults={"state": state})
    return follow


def notification_read(*, notification: Notification) -> None:
    # Conditional so a second click keeps the first read time.
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
