"""Alert digests: linchpin and disagreement alerts reach each member at most once per
NOTIFICATION_DIGEST_MINUTES per assessment, as one notification (and one e-mail) that lists them.

A member's digest holds only the alerts her view lets her see when they are raised (apps.assessments.visibility),
so when it opens and what it holds never depend on teammates' judgments of rows she has not rated; it is checked
again against her view when it is sent, and each time she reads it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Activity, AlertDigest, Assessment, Follow, Notification
from ..visibility import activity_visible, digest_told, view_for, views_of_members
from .mailing import notification_path, notification_subject


def alert_held(alert: Activity) -> bool:
    """Whether members hear of this alert in a digest rather than at once."""
    return bool(settings.NOTIFICATION_DIGEST_MINUTES) and alert.data.get("notify") == "digest"


@transaction.atomic
def digests_hold(*, assessment: Assessment, alerts: list[Activity]) -> None:
    """Add the alerts to each listening member's open digest, opening one (due a window from now) if she has
    none; called in the snapshot's transaction, under the assessment's row lock."""
    muted = Follow.objects.filter(assessment=assessment, state=Follow.State.MUTE).values("user_id")
    members = list(assessment.team.members.exclude(pk__in=muted).distinct())
    views = views_of_members(assessment=assessment, users=members)
    now = timezone.now()
    due = now + timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    for user in members:
        visible = [alert for alert in alerts if activity_visible(view=views[user.pk], activity=alert)]
        if not visible:
            continue
        # Locked, so a sender claiming this digest meanwhile either waits for these alerts or is seen to have
        # taken it (and a new digest opens).
        digest = AlertDigest.objects.select_for_update().filter(assessment=assessment, user=user, sent_at=None).first()
        if digest is None:
            digest = AlertDigest.objects.create(assessment=assessment, user=user, opened_at=now, due_at=due)
        digest.alerts.add(*visible)


def digests_send_due(*, now: datetime | None = None) -> list[int]:
    """Send every digest that has fallen due (beat's task, every minute); the ids of those sent."""
    now = now or timezone.now()
    due = AlertDigest.objects.filter(sent_at=None, due_at__lte=now).order_by("due_at").values_list("pk", flat=True)
    return [pk for pk in due if digest_send(digest_id=pk, now=now) is not None]


@transaction.atomic
def digest_send(*, digest_id: int, now: datetime | None = None) -> AlertDigest | None:
    """Tell the member what her digest holds, once; None when it is not due or already sent."""
    now = now or timezone.now()
    # The claim: a second sender (beat's next round, a task redelivered) finds it sent and does nothing.
    if not AlertDigest.objects.filter(pk=digest_id, sent_at=None, due_at__lte=now).update(sent_at=now):
        return None
    digest = AlertDigest.objects.select_related("assessment__team", "user").get(pk=digest_id)
    assessment, user = digest.assessment, digest.user
    listening = (
        assessment.team.memberships.filter(user=user).exists()
        and not Follow.objects.filter(assessment=assessment, user=user, state=Follow.State.MUTE).exists()
    )
    if not listening:
        return digest
    view = view_for(assessment=assessment, user=user)
    alerts = _latest_per_code([a for a in digest.alerts.order_by("id") if activity_visible(view=view, activity=a)])
    if not alerts:
        return digest
    told = alerts[0] if len(alerts) == 1 else _digest_activity(assessment=assessment, alerts=alerts)
    digest.activity = told
    digest.save(update_fields=["activity"])
    Notification.objects.bulk_create([Notification(user=user, activity=told)], ignore_conflicts=True)
    if user.email:
        _mail(user=user, activity=told, assessment=assessment)
    return digest


def _latest_per_code(alerts: list[Activity]) -> list[Activity]:
    # E5 became a linchpin, stopped, and became one again: she hears of it once.
    latest = {alert.data.get("code") or alert.pk: alert for alert in alerts}
    return sorted(latest.values(), key=lambda alert: alert.pk)


def _digest_activity(*, assessment: Assessment, alerts: list[Activity]) -> Activity:
    message, subject = digest_told(alerts=alerts, minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    return Activity.objects.create(
        assessment=assessment,
        kind=Activity.Kind.DIGEST,
        message=message,
        version=max(alert.version or 0 for alert in alerts),
        data={
            "code": f"digest:alerts:{alerts[-1].pk}",
            "technique": alerts[0].data.get("technique"),
            "alerts": [alert.data.get("code") for alert in alerts],
            "activities": [alert.pk for alert in alerts],
            "minutes": settings.NOTIFICATION_DIGEST_MINUTES,
            "subject": subject,
        },
    )


def _mail(*, user: User, activity: Activity, assessment: Assessment) -> None:
    subject = notification_subject(activity=activity, assessment=assessment)
    body = f"{activity.message}\n\n{settings.SITE_URL.rstrip('/')}{notification_path(activity=activity)}"
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
    )
