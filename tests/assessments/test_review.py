import pytest
from django.urls import reverse

from apps.assessments.models import Activity, Assessment, Notification

pytestmark = pytest.mark.django_db


def _review(client, assessment, action, comment=""):
    return client.post(reverse("assessments:review", args=[assessment.pk]), {"action": action, "comment": comment})


def test_an_analyst_submits_and_a_supervisor_approves(client, analyst, supervisor, assessment):
    client.force_login(analyst)
    _review(client, assessment, "submit")
    assert Assessment.objects.get(pk=assessment.pk).status == "in_review"
    client.force_login(supervisor)
    _review(client, assessment, "approve")
    assert Assessment.objects.get(pk=assessment.pk).status == "approved"
    review = Activity.objects.filter(assessment=assessment, kind="review").first()
    assert review.message == "sam approved the assessment."
    assert Notification.objects.filter(activity=review, user=analyst).exists()


def test_returning_needs_a_comment_and_records_it(client, analyst, supervisor, assessment):
    client.force_login(analyst)
    _review(client, assessment, "submit")
    client.force_login(supervisor)
    _review(client, assessment, "return")
    assert Assessment.objects.get(pk=assessment.pk).status == "in_review"
    _review(client, assessment, "return", "E3's source is a single press report")
    assert Assessment.objects.get(pk=assessment.pk).status == "returned"
    assert Activity.objects.filter(message__endswith="returned the assessment: E3's source is a single press report")


def test_an_analyst_cannot_approve_their_own_matrix(client, analyst, assessment):
    client.force_login(analyst)
    _review(client, assessment, "submit")
    assert _review(client, assessment, "approve").status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).status == "in_review"


def test_a_supervisor_cannot_submit_on_the_analysts_behalf(client, supervisor, assessment):
    client.force_login(supervisor)
    assert _review(client, assessment, "submit").status_code == 403


def test_a_draft_cannot_be_approved(client, supervisor, assessment):
    client.force_login(supervisor)
    _review(client, assessment, "approve")
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_supervisor_comments_reach_the_feed(client, supervisor, assessment):
    client.force_login(supervisor)
    _review(client, assessment, "comment", "Check E2 against the timeline")
    assert Activity.objects.filter(kind="review", message="sam commented: Check E2 against the timeline").exists()


def test_outsider_gets_404_on_review(client, outsider, assessment):
    client.force_login(outsider)
    assert _review(client, assessment, "comment", "hi").status_code == 404
    assert not Activity.objects.filter(kind="review").exists()
