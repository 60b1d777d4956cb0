"""History of an assessment (django-simple-history), the matrix as of a snapshot, and version diffs."""

import pytest
from django.urls import reverse

from apps.ach.selectors import matrix_as_of, version_diff
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.selectors import assessment_history
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _cell(assessment, ekey, hkey):
    return {
        "evidence_id": assessment.evidence.get(key=ekey).pk,
        "hypothesis_id": assessment.hypotheses.get(key=hkey).pk,
    }


def test_history_records_who_changed_what_with_before_and_after(analyst, assessment):
    evidence = assessment.evidence.get(key="E2")
    services.evidence_update(evidence=evidence, expected_version=evidence.version, user=analyst, credibility="high")
    edits = [c for c in assessment_history(assessment=assessment) if c.action == "edited" and c.label == "E2"]
    assert len(edits) == 1
    assert edits[0].diffs == (("credibility", "medium", "high"),)
    assert edits[0].model == "evidence"


def test_history_covers_ratings_priors_and_deletions(analyst, assessment):
    rating_set(assessment=assessment, analyst=analyst, label="C", **_cell(assessment, "E1", "H1"))
    rating_set(assessment=assessment, analyst=analyst, label="I", **_cell(assessment, "E1", "H1"))
    hypotheses = list(assessment.hypotheses.all())
    services.priors_set(
        assessment=assessment,
        user=analyst,
        priors={hypotheses[0].pk: 0.5, hypotheses[1].pk: 0.25, hypotheses[2].pk: 0.25},
    )
    services.evidence_delete(evidence=assessment.evidence.get(key="E5"), user=analyst)
    changes = assessment_history(assessment=assessment)
    rating_edits = [c for c in changes if c.model == "rating" and c.action == "edited"]
    assert [d for d in rating_edits[0].diffs if d[0] == "value"] == [("value", 2, 4)]
    prior_edits = [c for c in changes if c.model == "hypothesis" and c.action == "edited"]
    assert {(c.label, c.diffs) for c in prior_edits} >= {("H1", (("prior", None, 0.5),))}
    assert [c.user for c in prior_edits] == [analyst] * 3
    assert any(c.action == "deleted" and c.label == "E5" for c in changes)


def test_history_of_one_assessment_leaves_out_other_teams(analyst, assessment, outsider, other_team):
    from tests.factories import assessment_with_matrix

    other = assessment_with_matrix(team=other_team, user=outsider)
    services.evidence_update(
        evidence=other.evidence.get(key="E1"),
        expected_version=other.evidence.get(key="E1").version,
        user=outsider,
        summary="theirs",
    )
    assert all(c.user != outsider for c in assessment_history(assessment=assessment))


def test_a_change_through_a_page_records_the_request_user(client, analyst, assessment):
    login(client, analyst)
    cell = _cell(assessment, "E3", "H2")
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": cell["evidence_id"], "hypothesis": cell["hypothesis_id"], "value": "CC"},
    )
    assert response.status_code == 302  # a plain (not htmx) post goes back to the matrix
    added = [c for c in assessment_history(assessment=assessment) if c.model == "rating" and c.action == "added"]
    assert [c.user for c in added] == [analyst]


def test_matrix_as_of_a_snapshot_shows_items_and_ratings_as_they_stood(analyst, assessment):
    rating_set(assessment=assessment, analyst=analyst, label="C", **_cell(assessment, "E1", "H1"))
    first = services.snapshot_compute(assessment_id=assessment.pk)
    rating_set(assessment=assessment, analyst=analyst, label="II", **_cell(assessment, "E1", "H1"))
    services.evidence_update(
        evidence=assessment.evidence.get(key="E1"),
        expected_version=assessment.evidence.get(key="E1").version,
        user=analyst,
        summary="Rewritten",
    )
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "Late"}], via="t")
    services.snapshot_compute(assessment_id=assessment.pk)

    then = matrix_as_of(assessment=assessment, version=first.version)
    assert then.ratings == {("alice", "E1", "H1"): "C"}
    assert then.evidence["E1"]["summary"] == "Evidence item 1"
    assert list(then.evidence) == ["E1", "E2", "E3", "E4", "E5"]
    assert list(then.hypotheses) == ["H1", "H2", "H3"]


def test_version_diff_lists_items_ratings_scores_and_ranking(analyst, teammate, assessment):
    rating_set(assessment=assessment, analyst=analyst, label="C", **_cell(assessment, "E1", "H1"))
    rating_set(assessment=assessment, analyst=analyst, label="I", **_cell(assessment, "E1", "H2"))
    first = services.snapshot_compute(assessment_id=assessment.pk)
    rating_set(assessment=assessment, analyst=analyst, label="II", **_cell(assessment, "E1", "H1"))
    rating_set(assessment=assessment, analyst=analyst, label="CC", **_cell(assessment, "E1", "H2"))
    services.hypothesis_update(
        hypothesis=assessment.hypotheses.get(key="H3"),
        expected_version=assessment.hypotheses.get(key="H3").version,
        user=analyst,
        statement="Sharper",
    )
    services.evidence_delete(evidence=assessment.evidence.get(key="E4"), user=analyst)
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "Late"}], via="t")
    second = services.snapshot_compute(assessment_id=assessment.pk)

    diff = version_diff(assessment=assessment, before=first.version, after=second.version)
    assert diff.evidence.added == ["E6"]
    assert diff.evidence.removed == ["E4"]
    assert diff.hypotheses.edited == {"H3": [("statement", "H three", "Sharper")]}
    assert diff.ratings == [("alice", "E1", "H1", "C", "II"), ("alice", "E1", "H2", "I", "CC")]
    # H1 went from consistent to very inconsistent, H2 the other way: the ranking flips between them.
    assert diff.ranking[0].index("H1") < diff.ranking[0].index("H2")
    assert diff.ranking[1].index("H2") < diff.ranking[1].index("H1")
    assert set(diff.scores) >= {"H1", "H2"}
    before, after = diff.scores["H1"]["weighted_inconsistency"]
    assert after > before


def test_diff_of_a_version_with_itself_is_empty(analyst, assessment):
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    diff = version_diff(assessment=assessment, before=snapshot.version, after=snapshot.version)
    assert (diff.evidence.added, diff.evidence.removed, diff.evidence.edited, diff.ratings, diff.scores) == (
        [],
        [],
        {},
        [],
        {},
    )


def _two_versions(analyst, assessment):
    rating_set(assessment=assessment, analyst=analyst, label="C", **_cell(assessment, "E1", "H1"))
    first = services.snapshot_compute(assessment_id=assessment.pk)
    rating_set(assessment=assessment, analyst=analyst, label="II", **_cell(assessment, "E1", "H1"))
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "Late"}], via="t")
    second = services.snapshot_compute(assessment_id=assessment.pk)
    return first.version, second.version


def test_supervisor_opens_the_matrix_as_of_a_version(client, analyst, supervisor, assessment):
    first, _ = _two_versions(analyst, assessment)
    login(client, supervisor)
    page = client.get(reverse("ach:as_of", args=[assessment.pk, first])).content.decode()
    assert f"as of version {first}" in page and "alice: C" in page and "alice: II" not in page
    assert "Late" not in page


def test_supervisor_sees_the_difference_between_two_versions(client, analyst, supervisor, assessment):
    first, second = _two_versions(analyst, assessment)
    login(client, supervisor)
    page = client.get(reverse("ach:version_diff", args=[assessment.pk, first, second])).content.decode()
    assert "alice E1 × H1: C → II" in page and "Added E6" in page


def test_version_pages_are_403_for_analysts_404_for_outsiders_and_unknown_versions(
    client, analyst, supervisor, outsider, assessment
):
    first, second = _two_versions(analyst, assessment)
    as_of = reverse("ach:as_of", args=[assessment.pk, first])
    diff = reverse("ach:version_diff", args=[assessment.pk, first, second])
    login(client, analyst)
    assert client.get(as_of).status_code == 403 and client.get(diff).status_code == 403
    login(client, outsider)
    assert client.get(as_of).status_code == 404 and client.get(diff).status_code == 404
    login(client, supervisor)
    assert client.get(reverse("ach:as_of", args=[assessment.pk, 0])).status_code == 404
