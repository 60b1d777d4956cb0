"""Notifications coalesce: a leader change is told at once; linchpin and disagreement changes at most once per
assessment per member per NOTIFICATION_DIGEST_MINUTES, as one digest (one notification, one e-mail)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.ach.services import rating_set
from apps.assessments import services, tasks
from apps.assessments.models import Activity, AlertDigest, Notification
from apps.assessments.services.digests import digest_send, digests_send_due
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _rate(assessment, user, row: int, labels) -> None:
    evidence = list(assessment.evidence.order_by("order"))
    for hypothesis, label in zip(assessment.hypotheses.order_by("order"), labels, strict=True):
        rating_set(
            assessment=assessment, analyst=user, evidence_id=evidence[row].pk, hypothesis_id=hypothesis.pk, label=label
        )


def _scored(assessment):
    return services.snapshot_compute(assessment_id=assessment.pk)


@pytest.fixture
def lead(assessment, analyst, supervisor, team_admin):
    """alice rated every row: H2 leads on E1–E5 alone (H1 is inconsistent with E5), and E1 (consistent with H1,
    very inconsistent with H2) gives H1 the lead by one item, so E1 is a linchpin."""
    _scored(assessment)
    for row in range(4):
        _rate(assessment, analyst, row, ("N", "N", "II"))
    _rate(assessment, analyst, 4, ("I", "N", "II"))
    _rate(assessment, analyst, 0, ("C", "II", "II"))
    _scored(assessment)
    # What the setting-up raised (the first leader, E5 and E1 becoming linchpins) is out of the way.
    Notification.objects.all().delete()
    AlertDigest.objects.all().delete()
    return assessment


def _flip(assessment, analyst, times: int) -> list[str]:
    """E2 rated like E1 takes E1's linchpin status away (the lead no longer rests on one item); rated neutral,
    it gives it back. Returns every alert code raised."""
    codes = []
    for _ in range(times):
        _rate(assessment, analyst, 1, ("C", "II", "II"))
        codes += [a["code"] for a in _scored(assessment).alerts]
        _rate(assessment, analyst, 1, ("N", "N", "II"))
        codes += [a["code"] for a in _scored(assessment).alerts]
    return codes


def test_a_burst_of_twenty_linchpin_flips_makes_one_notification_and_one_email_per_member(
    lead, analyst, supervisor, team_admin, mailoutbox, django_capture_on_commit_callbacks, send_digests
):
    in_feed = lead.activities.filter(data__code="new_linchpin:linchpin_inconsistency:E1").count()
    with django_capture_on_commit_callbacks(execute=True):
        codes = _flip(lead, analyst, 10)
    assert codes.count("new_linchpin:linchpin_inconsistency:E1") == 10 and not any("leader" in c for c in codes)
    assert not Notification.objects.exists() and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        send_digests()
    # alice rated every row, so she may hear of linchpins too; the rater's own changes are news to her as well.
    for user in (analyst, supervisor, team_admin):
        (notification,) = Notification.objects.filter(user=user)
        message = notification.activity.message
        assert message.startswith(f"2 alerts in the last {settings.NOTIFICATION_DIGEST_MINUTES:g} minutes:")
        assert (
            "E1 is now a linchpin (weighted inconsistency)" in message and "E1 is now a linchpin (posterior)" in message
        )
    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "alice@example.org",
        "sam@example.org",
        "tess@example.org",
    ]
    assert all(len(mail.to) == 1 for mail in mailoutbox)
    assert "2 alerts: E1 is now a linchpin" in mailoutbox[0].subject
    assert mailoutbox[0].body.endswith(settings.SITE_URL.rstrip("/") + reverse("ach:matrix", args=[lead.pk]))
    # The feed keeps every alert; the digest only carries the notification.
    assert lead.activities.filter(data__code="new_linchpin:linchpin_inconsistency:E1").count() == in_feed + 10


def test_a_leader_change_is_told_at_once(lead, analyst, supervisor, team_admin, send_digests):
    _rate(lead, analyst, 0, ("N", "N", "II"))
    snapshot = _scored(lead)
    assert "leader_changed:leader_by_inconsistency" in [a["code"] for a in snapshot.alerts]
    for user in (analyst, supervisor, team_admin):
        (notification,) = Notification.objects.filter(user=user)
        assert "Leading hypothesis by weighted inconsistency changed from H1 to H2" in notification.activity.message
        assert "linchpin" not in notification.activity.message


def test_a_digest_is_sent_once_when_due_and_not_before(lead, analyst, supervisor, send_digests):
    _flip(lead, analyst, 1)
    digest = AlertDigest.objects.get(user=supervisor)
    window = timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    assert digest.due_at - digest.opened_at == window
    assert digest_send(digest_id=digest.pk) is None and digests_send_due() == []
    assert not Notification.objects.filter(user=supervisor).exists()
    assert digest.pk in send_digests()
    assert send_digests() == [] and digest_send(digest_id=digest.pk, now=digest.due_at + window) is None
    assert Notification.objects.filter(user=supervisor).count() == 1


def test_alerts_after_a_digest_wait_for_the_next_window(lead, analyst, supervisor):
    _flip(lead, analyst, 1)
    AlertDigest.objects.update(due_at=timezone.now())
    digests_send_due()
    first = AlertDigest.objects.get(user=supervisor)
    _flip(lead, analyst, 1)
    (waiting,) = AlertDigest.objects.filter(user=supervisor, sent_at=None)
    assert waiting.due_at >= first.sent_at + timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    assert waiting.due_at == waiting.opened_at + timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    assert digests_send_due() == [] and Notification.objects.filter(user=supervisor).count() == 1


def test_the_beat_task_sends_what_is_due(lead, analyst, supervisor):
    assert "send-due-digests" in settings.CELERY_BEAT_SCHEDULE
    _flip(lead, analyst, 1)
    AlertDigest.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    sent = tasks.send_due_digests.delay().get()
    assert len(sent) == 3 and Notification.objects.filter(user=supervisor).count() == 1


def test_a_digest_of_one_alert_is_that_alert(lead, analyst, supervisor, send_digests):
    _flip(lead, analyst, 1)
    digest = AlertDigest.objects.get(user=supervisor)
    digest.alerts.remove(digest.alerts.order_by("id").last())
    send_digests()
    (notification,) = Notification.objects.filter(user=supervisor)
    assert notification.activity.kind == Activity.Kind.ALERT
    assert notification.activity.message.startswith("E1 is now a linchpin")


def test_a_muted_member_gets_no_digest(client, lead, analyst, supervisor, send_digests):
    login(client, supervisor)
    client.post(reverse("assessments:follow", args=[lead.pk]), {"state": "mute"})
    _flip(lead, analyst, 2)
    send_digests()
    assert not Notification.objects.filter(user=supervisor).exists()
    assert Notification.objects.filter(user=analyst).count() == 1


def test_with_no_window_every_snapshot_is_told_at_once(settings, lead, analyst, supervisor):
    settings.NOTIFICATION_DIGEST_MINUTES = 0
    _flip(lead, analyst, 3)
    assert Notification.objects.filter(user=supervisor).count() == 3
    assert not AlertDigest.objects.exists()


def test_a_digest_tells_an_analyst_only_of_rows_she_has_rated(
    client, analyst, teammate, supervisor, assessment, mailoutbox, django_capture_on_commit_callbacks, send_digests
):
    """alice and carol rate E1 and E2 at opposite ends; bob rated E1 in full but not E2: his digest tells of the
    disagreement on E1 only, the supervisor's of both."""
    carol = factories.member(assessment.team, "analyst", username="carol")
    _scored(assessment)
    _rate(assessment, teammate, 0, ("N", "N", "N"))
    with django_capture_on_commit_callbacks(execute=True):
        for row in (0, 1):
            _rate(assessment, analyst, row, ("CC", "CC", "CC"))
            _rate(assessment, carol, row, ("II", "II", "II"))
            _scored(assessment)
        send_digests()
    sam = Notification.objects.get(user=supervisor).activity.message
    assert "E1 × H1" in sam and "E2 × H1" in sam
    (bobs,) = Notification.objects.filter(user=teammate)
    assert "E1 × H1" in bobs.activity.message and "E2" not in bobs.activity.message
    (mail,) = [m for m in mailoutbox if m.to == ["bob@example.org"]]
    assert "E2" not in mail.subject + mail.body and "E1 × H1" in mail.body
    login(client, teammate)
    page = client.get(reverse("assessments:notifications")).content.decode()
    assert "E1 × H1" in page and "E2 ×" not in page


def test_a_member_removed_before_the_digest_is_due_gets_nothing(lead, analyst, supervisor, team_admin, send_digests):
    from apps.accounts.services import membership_remove

    _flip(lead, analyst, 1)
    membership = supervisor.memberships.get(team=lead.team)
    membership_remove(actor=team_admin, team=lead.team, membership_id=membership.pk, version=membership.version)
    send_digests()
    assert not Notification.objects.filter(user=supervisor).exists()
    assert AlertDigest.objects.get(user=supervisor).sent_at is not None
    assert Notification.objects.filter(user=team_admin).count() == 1
