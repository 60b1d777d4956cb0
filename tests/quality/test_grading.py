"""The grade pair's credibility factor (apps/assessments/grading.py) and the source runs of apps/ach/scoring.py."""

import numpy as np
import pytest

from apps.ach import scoring
from apps.assessments.grading import DEFAULT_GRADING, credibility_factor, grading_checked


def test_default_factors_are_the_issue_table():
    assert DEFAULT_GRADING["source"] == {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.7}
    assert DEFAULT_GRADING["information"] == {"1": 1.0, "2": 0.9, "3": 0.75, "4": 0.5, "5": 0.25, "6": 0.7}


@pytest.mark.parametrize(
    ("grade", "information", "factor"),
    [("A", 1, 1.0), ("B", 2, 0.81), ("C", 3, 0.5625), ("E", 5, 0.0625), ("F", 6, 0.49), ("B", None, 0.63)],
)
def test_factor_is_grade_times_information(grade, information, factor):
    # B with no information grade counts as B6: 0.9 × 0.7.
    assert credibility_factor(grade, information, grading_checked(None)) == pytest.approx(factor)


def test_setting_overrides_one_factor_and_keeps_the_rest():
    checked = grading_checked({"source": {"E": 0.1}, "information": {"6": 0.5}})
    assert checked["source"]["E"] == 0.1 and checked["source"]["A"] == 1.0
    assert checked["information"]["6"] == 0.5 and checked["information"]["1"] == 1.0


@pytest.mark.parametrize(
    "setting",
    [
        {"source": {"G": 0.5}},
        {"source": {"A": 0}},
        {"information": {"1": 1.5}},
        {"weights": {}},
        {"source": {"A": True}},
    ],
)
def test_bad_settings_are_refused_with_a_reason(setting):
    with pytest.raises(ValueError, match=r"grade|factor"):
        grading_checked(setting)


def test_reliability_setting_carries_the_grades():
    checked = scoring.reliability_checked({"grades": {"source": {"B": 0.8}}})
    assert checked["grades"]["source"]["B"] == 0.8
    assert checked["credibility"] == {"low": 0.5, "medium": 0.7, "high": 0.9}


def _random_matrix(seed: int, analysts=3, evidence=9, hypotheses=4):
    rng = np.random.default_rng(seed)
    ratings = rng.integers(0, 7, size=(analysts, evidence, hypotheses)).astype(np.int8)
    reliability = rng.uniform(0.2, 1.0, size=evidence)
    origins = np.array([0, 0, -1, 1, 1, 1, -1, 2, 0][:evidence])
    return ratings, np.full(hypotheses, 1 / hypotheses), reliability, origins


@pytest.mark.parametrize("seed", range(6))
def test_without_a_source_equals_scoring_the_matrix_without_its_items(seed):
    ratings, priors, reliability, origins = _random_matrix(seed)
    runs = scoring.source_sensitivity(ratings, priors, reliability=reliability, origins=origins)
    for group in range(3):
        kept = origins != group
        remaining = np.where(origins[kept] > group, origins[kept] - 1, origins[kept])
        expected = scoring.score_assessment(
            ratings[:, kept, :], np.ones(kept.sum()), priors, reliability=reliability[kept], origins=remaining
        ).team_posterior
        np.testing.assert_allclose(runs.without[group], expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_reversed_source_equals_scoring_the_matrix_with_its_ratings_turned_round(seed):
    ratings, priors, reliability, origins = _random_matrix(seed)
    runs = scoring.source_sensitivity(ratings, priors, reliability=reliability, origins=origins)
    for group in range(3):
        flipped = ratings.copy()
        flipped[:, origins == group, :] = scoring.REVERSED_CODES[ratings[:, origins == group, :]]
        expected = scoring.score_assessment(
            flipped, np.ones(len(origins)), priors, reliability=reliability, origins=origins
        ).team_posterior
        np.testing.assert_allclose(runs.reversed[group], expected, atol=1e-12)


def test_reversal_on_a_hand_worked_case():
    # One analyst, two items of one source rated [CC, II] and [C, I], reliability 1, uniform priors.
    # As rated: H1 ∝ (.95 × .80)^(1/2), H2 ∝ (.05 × .20)^(1/2): √.76 / (√.76 + √.01) = .8718 / .9718 = 0.89710.
    # Reversed (CC↔II, C↔I) the two swap: H1 0.10290, H2 0.89710; without the source, the priors.
    ratings = np.array([[[1, 5], [2, 4]]], dtype=np.int8)
    runs = scoring.source_sensitivity(ratings, [0.5, 0.5], reliability=[1.0, 1.0], origins=[0, 0])
    as_rated = scoring.score_assessment(ratings, np.ones(2), [0.5, 0.5], reliability=[1.0, 1.0], origins=[0, 0])
    assert as_rated.team_posterior[0] == pytest.approx(0.89710, abs=1e-5)
    assert runs.reversed[0] == pytest.approx([0.10290, 0.89710], abs=1e-5)
    assert runs.without[0] == pytest.approx([0.5, 0.5])


def test_neutral_and_na_stay_when_reversed():
    assert scoring.REVERSED_CODES.tolist() == [0, 5, 4, 3, 2, 1, 6]
