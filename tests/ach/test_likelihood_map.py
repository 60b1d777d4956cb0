"""A likelihood map names exactly CC, C, N, I, II, each in (0, 1), strictly decreasing: every door refuses
another with its reason and changes nothing."""

import copy

import pytest

from apps.assessments.exchange import AssessmentFileError, assessment_import
from apps.assessments.models import Assessment

pytestmark = pytest.mark.django_db

FILE = {
    "format": "sat-workbench/assessment@1",
    "title": "Inverted",
    "question": "Which?",
    "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
    "evidence": [{"key": "E1", "summary": "First", "credibility": "high", "relevance": "high"}],
}


@pytest.mark.parametrize(
    ("likelihoods", "reason"),
    [
        # C below I: an inconsistent rating would count for a hypothesis.
        ({"C": 0.1, "I": 0.9}, "must name exactly CC, C, N, I, II"),
        ({"CC": 0.95, "C": 0.2, "N": 0.5, "I": 0.8, "II": 0.05}, "decrease strictly from CC to II"),
        ({"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05, "NA": 0.5}, "NA"),
    ],
)
def test_a_file_with_a_likelihood_map_that_inverts_the_ratings_is_refused_and_nothing_loads(team, likelihoods, reason):
    data = {**copy.deepcopy(FILE), "likelihoods": likelihoods}
    with pytest.raises(AssessmentFileError) as refused:
        assessment_import(data=data, team=team, create_analysts=True)
    assert "likelihoods" in str(refused.value) and reason in str(refused.value)
    assert not Assessment.objects.filter(team=team).exists()


def test_a_file_with_a_proper_likelihood_map_loads_it(team):
    likelihoods = {"CC": 0.9, "C": 0.7, "N": 0.5, "I": 0.3, "II": 0.1}
    assessment = assessment_import(data={**copy.deepcopy(FILE), "likelihoods": likelihoods}, team=team)
    assert assessment.likelihoods == likelihoods
