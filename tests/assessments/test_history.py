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


def _rate_row(assessment, analyst, evidence, labels):
    for hypothesis, label in zip(assessment.hypotheses.order_by("order"), labels, strict=True):
        rating_set(
            assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
        )


@pytest.mark.parametrize("bob_rates", [("II", "CC", "C"), ("CC", "II", "II")], ids=["one-way", "other-way"])
def test_an_earlier_snapshot_shows_an_analyst_with_unrated_rows_no_team_figures_and_says_why(
    client, analyst, teammate, supervisor, assessment, bob_rates
):
    from apps.assessments.services import snapshot_compute

    e1, e2 = assessment.evidence.order_by("order")[:2]
    _rate_row(assessment, analyst, e1, ("C", "I", "N"))
    _rate_row(assessment, teammate, e1, ("C", "C", "I"))
    _rate_row(assessment, teammate, e2, bob_rates)  # a row alice has not rated
    earlier = snapshot_compute(assessment_id=assessment.pk)
    evidence_add(assessment=assessment, user=analyst, items=[{"summary": "arrives"}], via="test")
    latest = snapshot_compute(assessment_id=assessment.pk)
    client.force_login(analyst)
    page = client.get(reverse("assessments:snapshot", args=[assessment.pk, earlier.version])).content.decode()
    assert "Team view over the 1 items you have rated; 5 hidden until you rate them." in page
    assert "This earlier snapshot's team figures are shown once you have no item left to judge." in page
    assert 'id="ranking"' not in page
    assert earlier.trigger == "bob rated E2×H3" and "after: a teammate rated a row you have not rated" in page
    # The latest is computed from her view, with the same notice and no "earlier" sentence.
    page = client.get(reverse("assessments:snapshot", args=[assessment.pk, latest.version])).content.decode()
    assert 'id="ranking"' in page and "Team view over the 1 items" in page and "earlier snapshot" not in page
    # The supervisor sees every snapshot's figures.
    client.force_login(supervisor)
    page = client.get(reverse("assessments:snapshot", args=[assessment.pk, earlier.version])).content.decode()
    assert 'id="ranking"' in page and "view-notice" not in page
