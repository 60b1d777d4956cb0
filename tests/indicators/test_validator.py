"""The Indicators Validator and status rules on hand-worked numbers (no database).

Scale: highly likely 0.9, likely 0.7, could 0.5, unlikely 0.3, highly unlikely 0.1.
"""

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.indicators import validator as v

H = ["H1", "H2", "H3"]


def test_the_team_value_of_a_cell_is_the_mean_of_the_analysts_likelihoods():
    # likely 0.7, could 0.5, likely 0.7 -> 1.9 / 3 = 0.633…
    assert v.team_likelihood([0.7, 0.5, 0.7]) == pytest.approx(0.633333333)
    assert v.team_likelihood([]) is None


def test_an_indicator_equally_likely_under_every_hypothesis_is_not_diagnostic():
    team = {"H1": 0.7, "H2": 0.7, "H3": 0.7}
    assert v.diagnosticity(team) == 0
    assert v.diagnosticity_band(v.diagnosticity(team)) == "none"


def test_highly_likely_under_one_and_unlikely_under_the_rest_is_highly_diagnostic():
    # max - min = 0.9 - 0.3 = 0.6, the lower bound of "high".
    team = {"H1": 0.9, "H2": 0.3, "H3": 0.3}
    assert v.diagnosticity(team) == 0.6
    assert v.diagnosticity_band(0.6) == "high"


def test_one_step_apart_is_low_despite_floating_point():
    # 0.7 - 0.5 is 0.19999999999999996 in floats; rounded it is exactly one step, "low", not "none".
    assert v.diagnosticity({"H1": 0.7, "H2": 0.5}) == 0.2
    assert v.diagnosticity_band(0.2) == "low"


def test_the_widest_range_is_highly_likely_against_highly_unlikely():
    assert v.diagnosticity({"H1": 0.9, "H2": 0.5, "H3": 0.1}) == 0.8


def test_unrated_hypotheses_are_left_out_and_one_rated_hypothesis_gives_no_diagnosticity():
    assert v.diagnosticity({"H1": 0.9, "H2": None, "H3": 0.5}) == 0.4
    assert v.diagnosticity({"H1": 0.9, "H2": None}) is None
    assert v.diagnosticity_band(None) == "unrated"


def test_ranking_orders_by_diagnosticity_then_by_spread_then_by_list_order():
    # A [0.9, 0.3, 0.3]: range 0.6, sd 0.2828; C [0.9, 0.5, 0.3]: range 0.6, sd 0.2494;
    # B [0.7, 0.7, 0.7]: 0; D: unrated, last.
    items = [("D", None, 0.0), ("B", 0.0, 0.0), ("C", 0.6, 0.2494), ("A", 0.6, 0.2828), ("E", 0.0, 0.0)]
    assert v.indicators_rank(items) == ["A", "C", "B", "E", "D"]


def test_spread_is_the_population_standard_deviation():
    assert v.spread({"H1": 0.9, "H2": 0.3, "H3": 0.3}) == pytest.approx(0.282842712)
    assert v.spread({"H1": 0.9, "H2": 0.5, "H3": 0.3}) == pytest.approx(0.249443826)


def test_the_current_status_is_the_latest_observation_by_date_not_by_entry():
    observations = [(date(2013, 1, 1), "emerging"), (date(2012, 1, 1), "fully_present")]
    assert v.status_current(observations) == "emerging"
    assert v.status_current([]) == "no_information"


def test_a_threshold_is_reached_at_or_past_its_step():
    assert v.threshold_reached("partially_present", "emerging")
    assert v.threshold_reached("emerging", "emerging")
    assert not v.threshold_reached("emerging", "partially_present")
    assert not v.threshold_reached("not_observed", "emerging")


def test_trend_without_a_review_compares_with_the_previous_observation():
    observations = [(date(2012, 1, 1), "not_observed"), (date(2013, 1, 1), "emerging")]
    assert v.trend(observations, None) == "up"
    assert v.trend(observations[:1], None) == "new"
    assert v.trend([(date(2012, 1, 1), "partially_present"), (date(2013, 1, 1), "emerging")], None) == "down"


def test_trend_after_a_review_compares_with_the_status_on_the_review_date():
    observations = [
        (date(2012, 1, 1), "emerging"),
        (date(2012, 9, 1), "partially_present"),
        (date(2013, 1, 1), "emerging"),
    ]
    # Emerging on 1 Jun 2012 (the review) and emerging now: steady, though the last step went down.
    assert v.trend(observations, date(2012, 6, 1)) == "steady"
    assert v.trend(observations, date(2012, 10, 1)) == "down"


def test_no_information_is_a_loss_of_sight_not_a_fall():
    observations = [(date(2012, 1, 1), "not_observed"), (date(2013, 1, 1), "no_information")]
    assert v.trend(observations, None) == "lost"
    assert v.trend([(date(2012, 1, 1), "no_information"), (date(2013, 1, 1), "not_observed")], None) == "new"


def test_an_indicator_is_due_for_review_one_cadence_after_its_last_review():
    # 1 Jan 2025 + 180 days = 30 Jun 2025.
    assert v.review_due_on(date(2025, 1, 1), 180) == date(2025, 6, 30)
    assert not v.review_due(date(2025, 1, 1), 180, date(2025, 6, 29))
    assert v.review_due(date(2025, 1, 1), 180, date(2025, 6, 30))


def test_an_indicator_never_reviewed_is_due_now():
    assert v.review_due(None, 180, date(2025, 1, 1))


def test_not_observed_for_a_whole_review_period_is_a_negative_indication():
    observations = [
        (date(2012, 6, 1), "emerging"),
        (date(2013, 1, 1), "not_observed"),
        (date(2013, 3, 1), "not_observed"),
    ]
    # Not observed since 1 Jan 2013; 1 Jan + 90 days = 1 Apr 2013.
    assert not v.negative_indication(observations, 90, date(2013, 3, 31))
    assert v.negative_indication(observations, 90, date(2013, 4, 1))
    # The latest look (1 Mar) must lie within the cadence before the day: 1 Mar + 90 days = 30 May.
    assert v.negative_indication(observations, 90, date(2013, 5, 30))
    assert not v.negative_indication(observations, 90, date(2013, 5, 31))


def test_a_single_old_look_is_not_a_negative_indication():
    # One "not observed" look on 1 Jan 2013, cadence 90 days: on 1 Apr the run began a cadence ago and the
    # look is 90 days old, within the cadence: a negative indication. A year later the look is stale.
    look = [(date(2013, 1, 1), "not_observed")]
    assert v.negative_indication(look, 90, date(2013, 4, 1))
    assert not v.negative_indication(look, 90, date(2014, 1, 1))


def test_no_information_is_never_a_negative_indication():
    assert not v.negative_indication([(date(2010, 1, 1), "no_information")], 90, date(2025, 1, 1))
    assert not v.negative_indication(
        [(date(2010, 1, 1), "not_observed"), (date(2011, 1, 1), "no_information")], 90, date(2025, 1, 1)
    )


def test_a_gap_in_information_restarts_the_not_observed_run():
    observations = [
        (date(2012, 1, 1), "not_observed"),
        (date(2012, 6, 1), "no_information"),
        (date(2013, 1, 1), "not_observed"),
    ]
    assert v.not_observed_since(observations) == date(2013, 1, 1)


def test_support_weights_log_likelihoods_by_status():
    # A fully present (w 1): H1 0.9, H2 0.3.  B emerging (w 1/3): H1 0.3, H2 0.9.
    # S1 = ln 0.9 + ln 0.3 / 3 = -0.50668;  S2 = ln 0.3 + ln 0.9 / 3 = -1.23909;  H1 favoured.
    # Share of H1 = 1 / (1 + e^(S2 - S1)) = 0.67533.
    items = [("fully_present", {"H1": 0.9, "H2": 0.3}, False), ("emerging", {"H1": 0.3, "H2": 0.9}, False)]
    scores, counted = v.hypothesis_support(items, ["H1", "H2"])
    assert scores["H1"] == pytest.approx(-0.506684784)
    assert scores["H2"] == pytest.approx(-1.239092976)
    assert counted == 2
    assert v.favoured(scores, counted) == "H1"
    assert v.support_shares(scores)["H1"] == pytest.approx(0.675333511)


def test_a_negative_indication_counts_against_the_hypotheses_that_expected_it():
    # Add C, not observed for a whole period, H1 0.9, H2 0.3: S1 += ln 0.1, S2 += ln 0.7.
    # S1 = -2.80927, S2 = -1.59577: the favourite flips to H2.
    items = [
        ("fully_present", {"H1": 0.9, "H2": 0.3}, False),
        ("emerging", {"H1": 0.3, "H2": 0.9}, False),
        ("not_observed", {"H1": 0.9, "H2": 0.3}, True),
    ]
    scores, counted = v.hypothesis_support(items, ["H1", "H2"])
    assert scores["H1"] == pytest.approx(-2.809269877)
    assert scores["H2"] == pytest.approx(-1.595767920)
    assert v.favoured(scores, counted) == "H2"


def test_no_information_and_a_fresh_not_observed_count_for_nothing():
    items = [("no_information", {"H1": 0.9, "H2": 0.1}, False), ("not_observed", {"H1": 0.9, "H2": 0.1}, False)]
    scores, counted = v.hypothesis_support(items, ["H1", "H2"])
    assert counted == 0
    assert scores == {"H1": 0.0, "H2": 0.0}
    assert v.favoured(scores, counted) is None


def test_an_indicator_with_an_unrated_hypothesis_is_left_out_of_the_support():
    scores, counted = v.hypothesis_support([("fully_present", {"H1": 0.9, "H2": None}, False)], ["H1", "H2"])
    assert counted == 0


def test_a_shared_top_score_favours_no_hypothesis():
    assert v.favoured({"H1": -1.0, "H2": -1.0, "H3": -2.0}, 2) is None


def test_tension_needs_both_a_favourite_and_a_different_ach_leader():
    assert v.tension("H2", "H1")
    assert not v.tension("H1", "H1")
    assert not v.tension(None, "H1")
    assert not v.tension("H2", None)


def test_a_team_value_between_two_steps_reads_as_the_one_nearer_could():
    assert v.nearest_step(0.6) == "could"
    assert v.nearest_step(0.633333333) == "likely"
    assert v.nearest_step(0.4) == "could"
    assert v.nearest_step(None) is None


def test_board_assess_ranks_flags_and_favours_on_a_worked_board():
    today = date(2013, 12, 31)
    items = [
        # Expected under H1 only, fully present: rank 1 (range 0.8), reached.
        v.IndicatorInput(
            key="IND1",
            threshold="partially_present",
            observations=[(date(2013, 6, 1), "fully_present")],
            ratings={"alice": {"H1": "highly_likely", "H2": "highly_unlikely", "H3": "unlikely"}},
        ),
        # Equal everywhere: not diagnostic, flagged; emerging, below its threshold.
        v.IndicatorInput(
            key="IND2",
            threshold="partially_present",
            reviewed_on=date(2013, 10, 1),
            observations=[(date(2013, 1, 1), "emerging")],
            ratings={"alice": dict.fromkeys(H, "likely"), "bob": dict.fromkeys(H, "likely")},
        ),
    ]
    board = v.board_assess(items, H, today)
    first, second = board.indicators
    assert board.ranking == ["IND1", "IND2"]
    assert (first.rank, first.reached, first.band, first.expected_by) == (1, True, "high", ["H1"])
    assert (second.non_diagnostic, second.reached, second.due) == (True, False, False)
    assert first.due  # never reviewed
    # IND2 adds 1/3 ln 0.7 to every hypothesis alike, so H1 still wins: S1 - S2 = ln 0.9 - ln 0.1.
    assert board.favoured == "H1"
    assert board.support["H1"] - board.support["H2"] == pytest.approx(math.log(9))


@given(st.lists(st.sampled_from(list(v.LIKELIHOODS.values())), min_size=2, max_size=8), st.randoms())
def test_diagnosticity_ignores_the_order_of_hypotheses_and_is_zero_only_when_all_agree(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    team = {f"H{i}": value for i, value in enumerate(values)}
    assert v.diagnosticity(team) == v.diagnosticity({f"H{i}": value for i, value in enumerate(shuffled)})
    assert (v.diagnosticity(team) == 0) == (len(set(values)) == 1)
