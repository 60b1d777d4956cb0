import pytest
from django.urls import reverse

from apps.ach.services import rating_set
from apps.assessments.services import evidence_add

pytestmark = pytest.mark.django_db


def test_history_marks_the_snapshots_where_evidence_arrived(client, analyst, supervisor, assessment):
    from apps.assessments.services import snapshot_compute

    snapshot_compute(assessment_id=assessment.pk)
    rating_set(
        assessment=assessment,
        analyst=analyst,
        evidence_id=assessment.evidence.first().pk,
        hypothesis_id=assessment.hypotheses.first().pk,
        label="C",
    )
    snapshot_compute(assessment_id=assessment.pk)
    evidence_add(assessment=assessment, user=analyst, items=[{"summary": "arrives"}], via="test")
    snapshot_compute(assessment_id=assessment.pk)
    # The supervisor: alice has not rated every row, so her history page draws no team charts.
    client.force_login(supervisor)
    page = client.get(reverse("assessments:history", args=[assessment.pk])).content.decode()
    assert page.count('class="evidence-mark"') == 2 * 2  # two steps, on each of the two charts
    assert "New evidence: E6" in page
    assert "New evidence: E1, E2, E3, E4, E5" in page
