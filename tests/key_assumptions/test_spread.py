"""The team spread, disagreement rule and check order of apps.key_assumptions.spread (no database)."""

import pytest

from apps.key_assumptions.spread import (
    AssumptionFacts,
    check_order,
    exposure,
    is_key_uncertainty,
    ordinal_dispersion,
    team_spread,
)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Leik's D = 2 * sum(min(F_i, 1 - F_i)) / (k - 1) over the cumulative shares F_i.
        ([3, 0, 0], 0.0),  # F = 1, 1: everyone agrees
        ([1, 0, 1], 1.0),  # F = .5, .5: half at each extreme
        ([1, 1, 1], 0.666667),  # F = 1/3, 2/3 -> 2 * (1/3 + 1/3) / 2
        ([2, 1, 0], 0.333333),  # F = 2/3, 1 -> 2 * (1/3 + 0) / 2
        ([2, 2, 0], 0.5),  # F = .5, 1 -> 2 * .5 / 2
    ],
)
def test_ordinal_dispersion_matches_leiks_formula_worked_by_hand(counts, expected):
    assert ordinal_dispersion(counts) == pytest.approx(expected, abs=1e-6)


def test_ordinal_dispersion_of_no_judgments_is_none():
    assert ordinal_dispersion([0, 0, 0]) is None


def test_a_team_that_agrees_shows_counts_and_no_disagreement():
    spread = team_spread([("caveats", "high"), ("caveats", "high"), ("caveats", "high")])
    assert spread["judged"] == 3
    assert spread["confidence"]["counts"] == {"solid": 0, "caveats": 3, "unsupported": 0}
    assert spread["impact"]["counts"] == {"low": 0, "medium": 0, "high": 3}
    assert spread["confidence"]["range"] == 0
    assert spread["disagreement"] is False


def test_confidence_two_steps_apart_is_a_disagreement_even_for_one_outlier():
    spread = team_spread([("solid", "high")] * 9 + [("unsupported", "high")])
    assert spread["confidence"]["range"] == 2
    assert spread["disagreement"] is True
    assert spread["reasons"] == ["confidence spans solid to unsupported"]


def test_impact_high_against_low_is_a_disagreement():
    spread = team_spread([("solid", "high"), ("solid", "low")])
    assert spread["disagreement"] is True
    assert spread["reasons"] == ["impact spans low to high"]


def test_an_even_split_between_adjacent_levels_is_a_disagreement():
    spread = team_spread([("solid", "medium"), ("solid", "medium"), ("caveats", "medium"), ("caveats", "medium")])
    assert spread["disagreement"] is True
    assert spread["reasons"] == ["confidence split evenly (dispersion 0.50)"]


def test_a_one_step_minority_is_not_a_disagreement():
    spread = team_spread([("solid", "medium"), ("solid", "medium"), ("caveats", "high")])
    assert spread["confidence"]["dispersion"] == pytest.approx(1 / 3, abs=1e-6)
    assert spread["disagreement"] is False


def test_a_single_judgment_cannot_disagree():
    spread = team_spread([("unsupported", "high")])
    assert spread["disagreement"] is False
    assert spread["confidence"]["dispersion"] == 0.0


def test_no_judgments_give_zero_counts_and_no_dispersion():
    spread = team_spread([])
    assert spread["judged"] == 0
    assert spread["confidence"]["dispersion"] is None
    assert spread["disagreement"] is False


@pytest.mark.parametrize(
    ("confidence", "impact", "status", "expected"),
    [
        ("unsupported", "high", "open", True),
        ("unsupported", "high", "challenged", True),
        ("unsupported", "high", "retired", False),
        # One rule everywhere (the review board's, Heuer & Pherson): every unsupported assumption, whatever its
        # impact, and one with caveats and high impact.
        ("unsupported", "medium", "open", True),
        ("unsupported", "low", "open", True),
        ("caveats", "high", "open", True),
        ("caveats", "medium", "open", False),
        ("solid", "high", "open", False),
    ],
)
def test_a_key_uncertainty_is_unsupported_or_caveats_with_high_impact_and_not_retired(
    confidence, impact, status, expected
):
    assert is_key_uncertainty(confidence=confidence, impact=impact, status=status) is expected


def test_exposure_adds_weakness_and_impact_steps():
    assert exposure(confidence="unsupported", impact="high") == 4
    assert exposure(confidence="caveats", impact="high") == 3
    assert exposure(confidence="solid", impact="low") == 0


def test_check_order_lists_key_uncertainties_first_then_by_exposure_and_impact():
    items = [
        AssumptionFacts("A1", "solid", "high", "open", order=1),  # exposure 2, impact 2
        AssumptionFacts("A2", "unsupported", "medium", "open", order=2),  # exposure 3, impact 1
        AssumptionFacts("A3", "caveats", "high", "open", order=3),  # exposure 3, impact 2
        AssumptionFacts("A4", "unsupported", "high", "open", order=4),  # key uncertainty
        AssumptionFacts("A5", "caveats", "medium", "open", order=5),  # exposure 2, impact 1
        AssumptionFacts("A6", "unsupported", "high", "retired", order=6),  # retired: last
        AssumptionFacts("A7", "solid", "low", "open", order=7),  # exposure 0
    ]
    assert check_order(items) == ["A4", "A3", "A2", "A1", "A5", "A7", "A6"]


def test_check_order_breaks_ties_by_disagreement_then_the_teams_order_then_key_number():
    items = [
        AssumptionFacts("A10", "caveats", "medium", "open", order=5),
        AssumptionFacts("A2", "caveats", "medium", "open", order=5),
        AssumptionFacts("A3", "caveats", "medium", "open", order=1),
        AssumptionFacts("A4", "caveats", "medium", "open", order=9, disagreement=True),
    ]
    assert check_order(items) == ["A4", "A3", "A2", "A10"]


def test_key_uncertainties_list_the_unsupported_by_impact_then_high_impact_with_caveats():
    from apps.key_assumptions.spread import key_uncertainties

    items = [
        AssumptionFacts("A1", "caveats", "high", "open", order=0),
        AssumptionFacts("A2", "unsupported", "low", "open", order=1),
        AssumptionFacts("A3", "solid", "high", "open", order=2),
        AssumptionFacts("A4", "unsupported", "high", "open", order=3),
        AssumptionFacts("A5", "caveats", "medium", "open", order=4),
        AssumptionFacts("A6", "unsupported", "medium", "retired", order=5),
        AssumptionFacts("A7", "unsupported", "medium", "open", order=6),
    ]
    # Unsupported: A4 (high), A7 (medium), A2 (low); then caveats and high: A1. Solid, caveats and
    # medium, and retired assumptions are not key uncertainties.
    assert key_uncertainties(items) == ["A4", "A7", "A2", "A1"]
