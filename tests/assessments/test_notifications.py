"""Notifications: one per event, a link to the place, unread count, follow and mute, telling subjects."""

import pytest
from django.urls import reverse

from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.models import Activity, Follow, Notification
from apps.assessments.selectors import activity_feed
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _opposite_ratings(assessment, analyst, teammate, cells):
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for e, h in cells:
        for user, label in ((analyst, "CC"), (teammate, "II")):
            rating_set(
                assessment=assessment,
                analyst=user,
                evidence_id=evidence[e].pk,
                hypothesis_id=hypotheses[h].pk,
                label=label,
            )


def test_four_extreme_disagreements_in_one_rescoring_make_one_notification_and_one_email(
    analyst, teammate, supervisor, assessment, mailoutbox, django_capture_on_commit_callbacks, send_digests
):
    services.snapshot_compute(assessment_id=assessment.pk)
    _opposite_ratings(assessment, analyst, teammate, [(0, 0), (1, 1), (2, 2), (3, 0)])
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.snapshot_compute(assessment_id=assessment.pk)
        send_digests()
    extreme = [a for a in snapshot.alerts if a["code"].startswith("disagreement:") and a["code"].endswith(":extreme")]
    assert len(extreme) == 4
    assert Notification.objects.filter(user=supervisor).count() == 1
    # alice and bob rated single cells, no row in full: every alert comes from ratings they may not see yet
    # (apps.assessments.visibility), so they hear of none of them.
    for user in (analyst, teammate):
        assert Notification.objects.filter(user=user).count() == 0
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["sam@example.org"]
    assert f"{len(snapshot.alerts)} alerts" in mailoutbox[0].subject
    assert "disagreement" in mailoutbox[0].subject.lower() or "leading" in mailoutbox[0].subject.lower()
    assert reverse("ach:matrix", args=[assessment.pk]) in mailoutbox[0].body
    # The feed keeps every alert; the digest only carries the notification.
    kinds = [a.kind for a in activity_feed(assessment=assessment, limit=500)]
    assert Activity.Kind.DIGEST not in kinds and kinds.count(Activity.Kind.ALERT) == len(snapshot.alerts)


def test_an_email_subject_says_what_happened(
    analyst, supervisor, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_review(assessment=assessment, user=supervisor, action="approve")
    assert mailoutbox[-1].subject == "[SAT Workbench] Test assessment: review: sam approved the assessment."


def test_no_alert_on_a_matrix_nobody_has_rated(analyst, assessment):
    services.snapshot_compute(assessment_id=assessment.pk)
    services.hypothesis_create(assessment=assessment, user=analyst, statement="A late hypothesis")
    services.hypothesis_reorder(
        assessment=assessment,
        user=analyst,
        ordered_ids=list(assessment.hypotheses.order_by("-order").values_list("pk", flat=True)),
    )
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "late"}], via="t")
    assert services.snapshot_compute(assessment_id=assessment.pk).alerts == []
    assert not Notification.objects.exists()


def test_a_notification_links_to_the_place_and_is_marked_read(
    client, analyst, teammate, supervisor, assessment, send_digests
):
    services.snapshot_compute(assessment_id=assessment.pk)
    _opposite_ratings(assessment, analyst, teammate, [(0, 0)])
    services.snapshot_compute(assessment_id=assessment.pk)
    send_digests()
    notification = Notification.objects.get(user=supervisor)
    login(client, supervisor)
    page = client.get(reverse("assessments:notifications")).content.decode()
    assert reverse("assessments:notification_open", args=[notification.pk]) in page
    response = client.get(reverse("assessments:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("ach:matrix", args=[assessment.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_key_assumption_event_links_to_the_key_assumptions_page(analyst, assessment):
    activity = Activity.objects.create(
        assessment=assessment,
        kind=Activity.Kind.FLAG,
        message="A3 needs re-check",
        data={"technique": "key_assumptions"},
    )
    assert services.notification_path(activity=activity) == reverse("key_assumptions:check", args=[assessment.pk])


def test_someone_elses_notification_is_404(client, analyst, teammate, supervisor, outsider, assessment, send_digests):
    services.snapshot_compute(assessment_id=assessment.pk)
    _opposite_ratings(assessment, analyst, teammate, [(0, 0)])
    services.snapshot_compute(assessment_id=assessment.pk)
    send_digests()
    notification = Notification.objects.get(user=supervisor)
    for user in (analyst, outsider):
        login(client, user)
        assert client.get(reverse("assessments:notification_open", args=[notification.pk])).status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_the_header_shows_the_unread_count(client, analyst, teammate, supervisor, assessment):
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.review_comment(assessment=assessment, user=analyst, comment="Look at E2")
    login(client, supervisor)
    page = client.get(reverse("assessments:list")).content.decode()
    assert '<span class="badge warn" id="unread-count">2</span>' in page
    client.post(reverse("assessments:notifications_read"))
    assert 'id="unread-count"' not in client.get(reverse("assessments:list")).content.decode()


def test_a_muted_member_hears_nothing_and_a_follower_hears_of_changes(
    client, analyst, teammate, supervisor, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    login(client, teammate)
    assert client.post(reverse("assessments:follow", args=[assessment.pk]), {"state": "mute"}).status_code == 302
    login(client, supervisor)
    client.post(reverse("assessments:follow", args=[assessment.pk]), {"state": "follow"})
    assert Follow.objects.get(user=supervisor).state == "follow"
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_review(assessment=assessment, user=analyst, action="submit")
    assert not Notification.objects.filter(user=teammate).exists()
    assert mailoutbox[0].to == ["sam@example.org"]
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "new"}], via="t")
    change = Notification.objects.filter(user=supervisor, activity__kind=Activity.Kind.CHANGE)
    assert [n.activity.message for n in change] == ["Evidence E6 added (t): new"]
    assert not Notification.objects.filter(user=teammate).exists()


def test_follow_is_404_outside_the_team_and_rejects_unknown_states(client, outsider, analyst, assessment):
    login(client, outsider)
    assert client.post(reverse("assessments:follow", args=[assessment.pk]), {"state": "mute"}).status_code == 404
    login(client, analyst)
    client.post(reverse("assessments:follow", args=[assessment.pk]), {"state": "loud"})
    assert not Follow.objects.exists()
