"""ACH scoring on hand-worked matrices, edge cases and properties.

Matrices are written one analyst at a time, one evidence item per string, one hypothesis per label;
"-" is a cell the analyst has not rated. Expected numbers are worked by hand in the comments.
"""

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from apps.ach import scoring
from apps.ach.scoring import (
    DEFAULT_LIKELIHOODS,
    RATING_CODES,
    RATING_LABELS,
    disagreement_band,
    disagreement_bands,
    evidence_reliability,
    evidence_weight,
    leader_of,
    origin_groups,
    rank_hypotheses,
    reliability_checked,
    score_assessment,
)

LEVELS = ["low", "medium", "high"]
PARC_WEIGHTS = sorted({evidence_weight(credibility, relevance) for credibility in LEVELS for relevance in LEVELS})


def matrix(*analysts: list[str]) -> np.ndarray:
    return np.array(
        [
            [[RATING_CODES["" if label == "-" else label] for label in item.split()] for item in items]
            for items in analysts
        ],
        dtype=np.int8,
    )


def uniform(n_hypotheses: int) -> np.ndarray:
    return np.full(n_hypotheses, 1.0 / n_hypotheses)


def score(
    ratings: np.ndarray, weights=None, priors=None, likelihoods=None, *, reliability=None, origins=None
) -> scoring.AssessmentScores:
    _, n_evidence, n_hypotheses = ratings.shape
    weights = np.ones(n_evidence) if weights is None else np.asarray(weights, dtype=float)
    priors = uniform(n_hypotheses) if priors is None else np.asarray(priors, dtype=float)
    return score_assessment(ratings, weights, priors, likelihoods, reliability=reliability, origins=origins)


# --- Rating codes, weights and bands -------------------------------------------------------------------


def test_rating_codes_number_blank_then_cc_to_ii_then_na():
    assert RATING_LABELS == ["", "CC", "C", "N", "I", "II", "NA"]
    assert RATING_CODES == {"": 0, "CC": 1, "C": 2, "N": 3, "I": 4, "II": 5, "NA": 6}
    assert (scoring.CODE_BLANK, scoring.CODE_CC, scoring.CODE_II, scoring.CODE_NA) == (0, 1, 5, 6)


def test_default_likelihoods_name_exactly_the_five_rated_labels():
    assert DEFAULT_LIKELIHOODS == {"CC": 0.95, "C": 0.80, "N": 0.50, "I": 0.20, "II": 0.05}


def test_evidence_weight_multiplies_credibility_by_relevance():
    # low 1/√2, medium 1, high √2: high × high = 2 and low × low = ½ exactly.
    assert evidence_weight("high", "high") == 2.0
    assert evidence_weight("low", "low") == 0.5
    assert evidence_weight("low", "high") == 1.0
    assert evidence_weight("medium", "medium") == 1.0
    assert evidence_weight("high", "medium") == pytest.approx(math.sqrt(2))
    assert evidence_weight("Low", "MEDIUM") == pytest.approx(1 / math.sqrt(2))


def test_evidence_weight_rejects_an_unknown_level():
    with pytest.raises(ValueError, match="unknown level"):
        evidence_weight("certain", "high")


def test_disagreement_bands_start_at_half_one_and_a_half_and_two():
    assert [disagreement_band(v) for v in (0.0, 0.49, 0.5, 1.49, 1.5, 1.99, 2.0, 2.9)] == [
        "consensus",
        "consensus",
        "mild",
        "mild",
        "large",
        "large",
        "extreme",
        "extreme",
    ]


def test_vectorised_bands_match_the_scalar_band_cell_by_cell():
    values = np.array([[0.0, 0.5, 1.2], [1.5, 2.0, 0.4999]])
    bands = disagreement_bands(values)
    assert bands.shape == (2, 3)
    assert bands.tolist() == [[disagreement_band(v) for v in row] for row in values]


# --- 1 and 2: inconsistency and weighted inconsistency -------------------------------------------------


def test_inconsistency_counts_one_for_each_i_and_two_for_each_ii():
    scores = score(matrix(["I C", "II N", "NA -", "C I"]))
    # H1: I + II = 1 + 2; H2: one I = 1. C, N, NA and blank count nothing.
    assert scores.analyst_inconsistency.tolist() == [[3, 1]]


def test_weighted_inconsistency_multiplies_each_items_points_by_its_weight():
    weights = [evidence_weight("high", "high"), evidence_weight("low", "low"), 1.0]
    scores = score(matrix(["I C", "II II", "N I"]), weights)
    # H1: 1 × 2 + 2 × ½ = 3; H2: 2 × ½ + 1 × 1 = 2.
    assert scores.analyst_weighted_inconsistency.tolist() == [[3.0, 2.0]]


def test_team_inconsistency_counts_the_consensus_ratings():
    # Consensus per cell: item 1 (I, II) → mean −1.5 → I; (C, C) → C. Item 2 (NA, NA) → NA; (II, -) → II.
    scores = score(matrix(["I C", "NA II"], ["II C", "NA -"]), [2.0, 1.0])
    assert scores.team_inconsistency.tolist() == [1, 2]
    # H1: I in an item of weight 2 → 2; H2: II in an item of weight 1 → 2.
    assert scores.team_weighted_inconsistency.tolist() == [2.0, 2.0]


# --- 3: posterior ---------------------------------------------------------------------------------------


def test_posterior_multiplies_the_prior_by_each_rated_likelihood():
    scores = score(matrix(["C I", "N CC"]), [1.0, evidence_weight("high", "high")])
    # Reliability 1 (no discount); the PARC weight no longer touches the posterior.
    # H1 ∝ .8 × .5 = .4, H2 ∝ .2 × .95 = .19: H1 = .4 / .59 = .677966.
    assert scores.analyst_posterior[0] == pytest.approx([0.677966102, 0.322033898])


def test_na_and_blank_cells_take_the_mean_of_the_rows_rated_likelihoods():
    scores = score(matrix(["CC I NA", "C - N"]))
    # Row 1: NA takes (.95 + .2) / 2 = .575. Row 2: blank takes (.8 + .5) / 2 = .65.
    # H1 ∝ .95 × .8 = .76, H2 ∝ .2 × .65 = .13, H3 ∝ .575 × .5 = .2875; sum 1.1775.
    assert scores.analyst_posterior[0] == pytest.approx([0.76 / 1.1775, 0.13 / 1.1775, 0.2875 / 1.1775])


def test_a_row_rated_only_na_or_blank_contributes_nothing():
    scores = score(matrix(["NA -", "- NA"]), priors=[0.8, 0.2])
    assert scores.analyst_posterior[0] == pytest.approx([0.8, 0.2])
    assert scores.analyst_pool_weight.tolist() == [0]


def test_the_likelihood_map_is_a_setting_of_the_assessment():
    scores = score(matrix(["C I"]), likelihoods={"CC": 0.95, "C": 0.9, "N": 0.5, "I": 0.1, "II": 0.05})
    # H1 ∝ .9, H2 ∝ .1.
    assert scores.analyst_posterior[0] == pytest.approx([0.9, 0.1])


def test_reliability_discounts_each_likelihood_toward_one_half():
    high = evidence_reliability("high", "high")
    low = evidence_reliability("low", "low")
    assert (high, low) == pytest.approx((0.9, 0.25))
    ratings = matrix(["CC II"])
    # r = .9: p = .9 × .95 + .1 × .5 = .905 and .9 × .05 + .05 = .095, which sum to 1: H1 = .905.
    assert score(ratings, reliability=[high]).analyst_posterior[0] == pytest.approx([0.905, 0.095])
    # r = .25: p = .25 × .95 + .375 = .6125 and .25 × .05 + .375 = .3875: H1 = .6125.
    assert score(ratings, reliability=[low]).analyst_posterior[0] == pytest.approx([0.6125, 0.3875])


def test_the_reliability_setting_has_the_stated_defaults_and_rejects_factors_outside_zero_to_one():
    assert reliability_checked(None) == {
        "credibility": {"low": 0.5, "medium": 0.7, "high": 0.9},
        "relevance": {"low": 0.5, "medium": 0.75, "high": 1.0},
        # Graded sources' items (apps/assessments/grading.py): tests/quality/test_grading.py.
        "grades": {
            "source": {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.7},
            "information": {"1": 1.0, "2": 0.9, "3": 0.75, "4": 0.5, "5": 0.25, "6": 0.7},
        },
    }
    assert evidence_reliability("medium", "medium") == pytest.approx(0.525)
    assert reliability_checked({"credibility": {"low": 0.3}})["credibility"] == {"low": 0.3, "medium": 0.7, "high": 0.9}
    for bad in ({"credibility": {"low": 0}}, {"relevance": {"high": 1.5}}, {"trust": {}}, {"credibility": {"top": 1}}):
        with pytest.raises(ValueError):
            reliability_checked(bad)


def test_items_sharing_an_origin_count_together_as_one():
    ratings = matrix(["C I", "C I", "N N"])
    # Independent: H1 ∝ .8 × .8 = .64, H2 ∝ .04: H1 = .941176.
    assert score(ratings).analyst_posterior[0] == pytest.approx([0.64 / 0.68, 0.04 / 0.68])
    # Items 1 and 2 from one informant: each counts log p / 2, so together they weigh as one item: H1 = .8.
    groups = origin_groups(["Informant  X", "informant x", ""])
    assert groups.tolist() == [0, 0, -1]
    assert score(ratings, origins=groups).analyst_posterior[0] == pytest.approx([0.8, 0.2])


def test_an_origins_count_is_over_the_rows_the_analyst_rated():
    # Analyst 1 rated both items of origin 0 (n = 2); analyst 2 only the first (n = 1, the NA row does not count).
    scores = score(matrix(["C I", "CC II"], ["C I", "NA NA"]), origins=[0, 0])
    # Analyst 1: H1 ∝ (.8 × .95)^½ = .871780, H2 ∝ (.2 × .05)^½ = .1: H1 = .897058. Analyst 2: .8.
    assert scores.analyst_posterior[:, 0] == pytest.approx([0.871780 / 0.971780, 0.8], abs=1e-6)


def test_team_posterior_pools_analysts_weighted_by_the_cells_they_rated_cc_to_ii():
    scores = score(matrix(["C I", "- -"], ["N C", "N N"], ["NA NA", "- -"]))
    # Analyst 1: .8, 2 cells. Analyst 2: .5 / 1.3 = .384615 (the N row adds nothing), 4 cells. Analyst 3: NA
    # only, weight 0. Team H1 = (2 × .8 + 4 × .384615) / 6 = .523077.
    assert scores.analyst_pool_weight.tolist() == [2, 4, 0]
    assert scores.analyst_rated_any.tolist() == [True, True, True]
    assert scores.analyst_posterior[2] == pytest.approx([0.5, 0.5])
    assert scores.team_posterior == pytest.approx([0.523076923, 0.476923077])


def test_team_posterior_is_the_prior_when_nobody_rated_anything():
    scores = score(matrix(["- -"], ["- -"]), priors=[0.3, 0.7])
    assert scores.team_posterior.tolist() == [0.3, 0.7]


def test_uniform_priors_are_exactly_one_over_n_and_posteriors_within_1e_9_tie_to_the_earliest():
    scores = score(matrix(["NA NA NA"]))
    assert scores.team_posterior.tolist() == [1 / 3, 1 / 3, 1 / 3]
    assert scores.leader_by_posterior == 0
    assert leader_of([0.4, 0.4 + 5e-10, 0.2]) == 0
    assert leader_of([0.4, 0.4 + 2e-9, 0.2]) == 1
    assert leader_of([]) is None


# --- 4: consensus and disagreement ---------------------------------------------------------------------


def test_consensus_rounds_the_mean_to_the_nearest_rating_with_halves_toward_neutral():
    scores = score(matrix(["C I CC C CC II"], ["N II C C CC N"], ["- - - CC C -"]))
    # Means: (1 + 0)/2 = .5 → N; (−1 − 2)/2 = −1.5 → I; (2 + 1)/2 = 1.5 → C;
    # (1 + 1 + 2)/3 = 1.33 → C; (2 + 2 + 1)/3 = 1.67 → CC; (−2 + 0)/2 = −1 → I.
    assert [RATING_LABELS[code] for code in scores.consensus[0]] == ["N", "I", "C", "C", "CC", "I"]


def test_consensus_is_na_only_when_na_outnumbers_numeric_ratings():
    scores = score(matrix(["NA NA NA -"], ["NA C NA -"], ["C - - -"]))
    # 2 NA vs 1 C → NA; 1 NA vs 1 C → the mean of the numbers, C; NA alone → NA; nobody → blank.
    assert [RATING_LABELS[code] for code in scores.consensus[0]] == ["NA", "C", "NA", ""]


def test_disagreement_is_the_larger_sample_deviation_of_na_choice_and_of_values():
    scores = score(matrix(["NA NA CC C"], ["C NA II -"], ["I N - -"]))
    # Cell 1: NA flags (1, 0, 0) → s = √(1/3) = .577; values (1, −1) → s = √2 = 1.414 → 1.414.
    # Cell 2: NA flags (1, 1, 0) → .577; one value → 0 → .577.
    # Cell 3: values (2, −2) → s = √8 = 2.828. Cell 4: one rating → 0.
    assert scores.disagreement[0] == pytest.approx([math.sqrt(2), math.sqrt(1 / 3), math.sqrt(8), 0.0])
    assert disagreement_bands(scores.disagreement).tolist() == [["mild", "mild", "extreme", "consensus"]]


# --- 5: diagnosticity ----------------------------------------------------------------------------------


def test_diagnosticity_is_the_spread_of_cell_means_skipping_unrated_cells():
    scores = score(matrix(["CC - I"], ["NA - I"]))
    # Cell means with NA as 0: (2 + 0)/2 = 1, unrated, (−1 − 1)/2 = −1. Population sd of (1, −1) = 1
    # (counting the unrated cell as 0 would give sd(1, 0, −1) = .816).
    assert scores.diagnosticity.tolist() == [1.0]
    assert scores.not_diagnostic.tolist() == [False]


def test_items_whose_rated_cells_agree_are_not_diagnostic_and_partly_rated_ones_are_never_called_so():
    scores = score(matrix(["C C C", "- II -", "NA NA -", "I C -", "NA NA NA"]))
    # Equal means; a single rated cell (moves nothing); NA alone (moves nothing); (−1, 1) → sd 1 over the rated
    # cells; NA everywhere (moves nothing).
    assert scores.diagnosticity.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    # Rows 2, 3 and 4 leave a hypothesis nobody rated: partly rated, never "not diagnostic".
    assert scores.partly_rated.tolist() == [False, True, True, True, False]
    assert scores.not_diagnostic.tolist() == [True, False, False, False, True]


def test_a_row_that_moves_no_posterior_shows_no_diagnosticity():
    # [CC, NA, NA]: the NA cells take CC's likelihood (rule 3a), so every hypothesis gets .95: the posterior
    # stays at the priors (⅓ each). By values alone (2, 0, 0) its spread would be .94.
    scores = score(matrix(["CC NA NA"]))
    assert scores.analyst_posterior[0] == pytest.approx([1 / 3] * 3)
    assert scores.diagnosticity.tolist() == [0.0]
    assert scores.not_diagnostic.tolist() == [True]
    # A second analyst who tells the hypotheses apart makes it move, and diagnostic again.
    moving = score(matrix(["CC NA NA"], ["CC I I"]))
    assert moving.diagnosticity[0] > 0 and not moving.not_diagnostic[0]
    # The matrix page's row scores say the same.
    assert scoring.cell_scores(matrix(["CC NA NA"]))[2].tolist() == [0.0]


@pytest.mark.parametrize(
    ("likelihoods", "message"),
    [
        ({"C": 0.1, "I": 0.9}, "missing CC, N, II"),
        ({"CC": 0.9, "C": 0.1, "N": 0.5, "I": 0.3, "II": 0.05}, "C (0.1) is not above N (0.5)"),
        ({"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05, "NA": 0.5}, "not a rating with a likelihood: 'NA'"),
        ({"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05, "": 0.5}, "not a rating with a likelihood: ''"),
        ({"CC": 1.0, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05}, "CC must be a number strictly between 0 and 1"),
        ({"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0}, "II must be a number strictly between 0 and 1"),
        ({"CC": 0.95, "C": 0.8, "N": "half", "I": 0.2, "II": 0.05}, "N must be a number"),
        ({"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.5, "II": 0.05}, "N (0.5) is not above I (0.5)"),
    ],
)
def test_a_likelihood_map_that_inverts_or_blurs_the_ratings_is_refused(likelihoods, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        scoring.likelihoods_checked(likelihoods)
    with pytest.raises(ValueError, match=re.escape(message)):
        score(matrix(["C I"]), likelihoods=likelihoods)


def test_an_item_nobody_rated_has_no_diagnosticity_and_is_not_called_not_diagnostic():
    scores = score(matrix(["- - -", "C I N"], ["- - -", "- - -"]))
    assert math.isnan(scores.diagnosticity[0])
    assert scores.not_diagnostic.tolist() == [False, False]


# --- 6: linchpins --------------------------------------------------------------------------------------

# Item 1 (low/low, weight ½): H1 II, H2 N. Items 2 and 3 (weight 1): H1 CC, H2 N.
# Weighted inconsistency: H1 2 × ½ = 1, H2 0, so H2 leads. Posterior (reliability 1): H1 ∝ .05 × .95 × .95
# = .045125, H2 ∝ .125, so H2 leads by posterior (.734797).
LINCHPIN_MATRIX = matrix(["II N", "CC N", "CC N"])
LINCHPIN_WEIGHTS = [evidence_weight("low", "low"), 1.0, 1.0]


def test_an_item_whose_removal_changes_the_weighted_inconsistency_leader_is_a_linchpin():
    scores = score(LINCHPIN_MATRIX, LINCHPIN_WEIGHTS)
    # Without item 1 both inconsistencies are 0, and the tie goes to the posterior: H1 (odds 3.61).
    assert scores.leader_by_inconsistency == 1
    assert scores.linchpin_inconsistency.tolist() == [True, False, False]


def test_an_item_whose_removal_changes_the_posterior_leader_is_a_linchpin():
    scores = score(LINCHPIN_MATRIX, LINCHPIN_WEIGHTS)
    # Without item 1: .9025 against .25, H1 leads; without item 2 (or 3): .0475 against .25, H2 still leads.
    assert scores.leader_by_posterior == 1
    assert scores.team_posterior[0] == pytest.approx(0.045125 / 0.170125)
    assert scores.linchpin_posterior.tolist() == [True, False, False]


def test_an_analyst_with_no_ratings_left_without_an_item_drops_out_of_its_pool():
    scores = score(matrix(["CC I", "- -"], ["- -", "C N"]), priors=[0.3, 0.7])
    # Analyst 1 rated item 1 only: H1 = .3 × .95 / (.3 × .95 + .7 × .2) = .670588.
    # Analyst 2 rated item 2 only: H1 = .3 × .8 / (.3 × .8 + .7 × .5) = .406780. Team H1 = .538684: H1 leads.
    # Without item 2, analyst 2 leaves: team H1 = .670588, H1 still leads (kept at the prior .3 they
    # would have pulled it to .485). Without item 1, analyst 1 leaves: .406780, H2 leads.
    assert scores.leader_by_posterior == 0
    assert scores.linchpin_posterior.tolist() == [True, False]


def test_nothing_is_a_linchpin_with_a_single_hypothesis():
    scores = score(matrix(["II", "CC", "I"]))
    assert scores.leader_by_inconsistency == 0
    assert scores.leader_by_posterior == 0
    assert not scores.linchpin_inconsistency.any()
    assert not scores.linchpin_posterior.any()


def test_a_tie_for_the_lead_goes_to_the_lowest_index_and_makes_no_linchpin():
    scores = score(matrix(["C C I"]))
    # H1 and H2 tie on weighted inconsistency (0) and posterior (.8 / 1.8 each); without the item all three tie.
    assert scores.leader_by_inconsistency == 0
    assert scores.leader_by_posterior == 0
    assert scores.linchpin_inconsistency.tolist() == [False]
    assert scores.linchpin_posterior.tolist() == [False]


def test_weights_count_for_inconsistency_but_not_for_the_posterior():
    heavy = score(matrix(["CC II", "II CC", "CC N"]), [400.0, 400.0, 1.0])
    light = score(matrix(["CC II", "II CC", "CC N"]))
    # Items 1 and 2 cancel; item 3 (.95 against .5) decides: H1 = .95 / 1.45 whatever the weights.
    assert heavy.team_posterior == pytest.approx([0.95 / 1.45, 0.5 / 1.45])
    assert light.team_posterior == pytest.approx(heavy.team_posterior)
    assert heavy.team_weighted_inconsistency.tolist() == [800.0, 800.0]


# --- 7: ranking ----------------------------------------------------------------------------------------


def test_ranking_orders_by_weighted_inconsistency_then_posterior():
    # 1.0 and 1.0 + 5e-10 are tied, so the higher posterior (index 2) goes first.
    ranking = rank_hypotheses([2.0, 1.0, 1.0 + 5e-10, 0.5], [0.1, 0.2, 0.6, 0.1])
    assert ranking.tolist() == [3, 2, 1, 0]


def test_ranking_ties_chain_through_values_each_within_the_tolerance():
    # 0 ~ 0.8e-9 ~ 1.6e-9: one tie group although its ends are 1.6e-9 apart.
    assert rank_hypotheses([0.0, 0.8e-9, 1.6e-9], [0.1, 0.2, 0.3]).tolist() == [2, 1, 0]
    assert rank_hypotheses([0.0, 2e-9], [0.1, 0.2]).tolist() == [0, 1]


def test_tie_groups_chain_when_leaders_are_found_without_an_item():
    weights = [1.0, 1.0 + 0.8e-9, 1.0 + 1.6e-9, 1.0, 1.0]
    scores = score(matrix(["I N N", "N I N", "N N I", "N N C", "N N N"]), weights)
    # Weighted inconsistencies 1, 1 + .8e-9 and 1 + 1.6e-9 chain into one tie, so the posterior picks H3
    # (its C). Without item 5 (all N) that still holds; a group grown only from the minimum would stop at
    # H2 and hand the lead to H1. Without items 1, 2 or 4 the lead moves; without item 3 it stays with H3.
    assert scores.leader_by_inconsistency == 2
    assert scores.linchpin_inconsistency.tolist() == [True, True, False, True, False]


def test_ranking_keeps_the_original_order_when_both_scores_tie():
    assert rank_hypotheses([1.0, 1.0, 1.0], [0.3, 0.3 + 5e-10, 0.3]).tolist() == [0, 1, 2]


def test_a_weighted_inconsistency_tie_lost_in_rounding_is_still_broken_by_posterior():
    weights = [2.0] + [evidence_weight("low", "medium")] * 3
    scores = score(matrix(["II II", "II I", "II I", "N II"]), weights)
    # H1: 2 × 2 + 2 × 2 × .7071 = 4 + 2√2; H2: 2 × 2 + .7071 + .7071 + 2 × .7071 = 4 + 2√2 — equal, though
    # float sums may differ in the last bit. Posterior: H1 ∝ .05³ × .5 = 6.25e-5, H2 ∝ .05 × .2² × .05 = 1e-4.
    first, second = scores.team_weighted_inconsistency
    assert abs(first - second) < 1e-9
    assert scores.team_posterior == pytest.approx([6.25 / 16.25, 10 / 16.25])
    assert scores.ranking.tolist() == [1, 0]
    assert scores.leader_by_inconsistency == 1


# --- Edge cases ----------------------------------------------------------------------------------------


def test_no_evidence_leaves_the_priors_and_empty_item_scores():
    scores = score(np.zeros((2, 0, 3), dtype=np.int8), priors=[0.2, 0.3, 0.5])
    assert scores.team_posterior.tolist() == [0.2, 0.3, 0.5]
    assert scores.analyst_rated_any.tolist() == [False, False]
    assert scores.consensus.shape == (0, 3)
    assert scores.diagnosticity.shape == scores.linchpin_posterior.shape == (0,)
    assert scores.ranking.tolist() == [2, 1, 0]
    assert scores.team_weighted_inconsistency.tolist() == [0.0, 0.0, 0.0]


def test_no_analysts_leave_a_blank_consensus_and_the_priors():
    scores = score(np.zeros((0, 2, 2), dtype=np.int8), priors=[0.6, 0.4])
    assert scores.analyst_posterior.shape == (0, 2)
    assert (scores.consensus == scoring.CODE_BLANK).all()
    assert scores.team_posterior.tolist() == [0.6, 0.4]
    assert scores.leader_by_posterior == 0
    assert scores.disagreement.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_no_hypotheses_have_no_leaders():
    scores = score(np.zeros((2, 3, 0), dtype=np.int8), priors=np.zeros(0))
    assert scores.leader_by_inconsistency is None
    assert scores.leader_by_posterior is None
    assert scores.ranking.shape == (0,)
    assert scores.analyst_posterior.shape == (2, 0)
    assert scores.not_diagnostic.tolist() == [False, False, False]


def test_one_hypothesis_takes_all_the_posterior():
    scores = score(matrix(["II"], ["CC"]))
    assert scores.analyst_posterior.tolist() == [[1.0], [1.0]]
    assert scores.team_posterior.tolist() == [1.0]
    assert scores.ranking.tolist() == [0]


def test_an_all_na_matrix_has_na_consensus_and_keeps_the_priors():
    scores = score(np.full((3, 2, 2), RATING_CODES["NA"], dtype=np.int8), priors=[0.25, 0.75])
    assert (scores.consensus == RATING_CODES["NA"]).all()
    assert scores.team_posterior == pytest.approx([0.25, 0.75])
    assert scores.disagreement.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert scores.not_diagnostic.tolist() == [True, True]
    assert scores.team_inconsistency.tolist() == [0, 0]


def test_a_single_analysts_team_scores_are_their_own():
    ratings = matrix(["C I NA", "II - CC", "N C I"])
    scores = score(ratings, [1.0, 2.0, 0.5])
    assert scores.consensus.tolist() == ratings[0].tolist()
    assert scores.team_posterior == pytest.approx(scores.analyst_posterior[0], abs=1e-15)
    assert scores.team_weighted_inconsistency == pytest.approx(scores.analyst_weighted_inconsistency[0])
    assert not scores.disagreement.any()


def test_scores_are_read_only():
    scores = score(matrix(["C I"]))
    with pytest.raises(ValueError):
        scores.team_posterior[0] = 1.0


@pytest.mark.parametrize(
    ("ratings", "weights", "priors", "likelihoods"),
    [
        (np.full((1, 1, 2), 7, dtype=np.int8), [1.0], [0.5, 0.5], None),
        (np.zeros((1, 2), dtype=np.int8), [1.0], [0.5, 0.5], None),
        (np.zeros((1, 1, 2), dtype=np.int8), [1.0, 1.0], [0.5, 0.5], None),
        (np.zeros((1, 1, 2), dtype=np.int8), [-1.0], [0.5, 0.5], None),
        (np.zeros((1, 1, 2), dtype=np.int8), [1.0], [0.5, 0.6], None),
        (np.zeros((1, 1, 2), dtype=np.int8), [1.0], [0.5, 0.5], {"maybe": 0.5}),
        (np.zeros((1, 1, 2), dtype=np.int8), [1.0], [0.5, 0.5], {"II": 0.0}),
    ],
    ids=["unknown code", "not 3-D", "weights length", "negative weight", "priors sum", "label", "zero likelihood"],
)
def test_malformed_input_is_rejected(ratings, weights, priors, likelihoods):
    with pytest.raises(ValueError):
        score_assessment(ratings, np.array(weights), np.array(priors), likelihoods)


# --- Properties ----------------------------------------------------------------------------------------


@st.composite
def assessments(draw, min_evidence: int = 0, min_hypotheses: int = 0, max_analysts: int = 4):
    n_analysts = draw(st.integers(0, max_analysts))
    n_evidence = draw(st.integers(min_evidence, 5))
    n_hypotheses = draw(st.integers(min_hypotheses, 4))
    ratings = draw(hnp.arrays(np.int8, (n_analysts, n_evidence, n_hypotheses), elements=st.integers(0, 6)))
    weights = np.array(draw(st.lists(st.sampled_from(PARC_WEIGHTS), min_size=n_evidence, max_size=n_evidence)))
    odds = np.array(draw(st.lists(st.integers(1, 9), min_size=n_hypotheses, max_size=n_hypotheses)), dtype=float)
    return ratings, weights, odds / odds.sum() if n_hypotheses else odds


@st.composite
def sources(draw, n_evidence: int):
    """Reliabilities from the default factors and origins: −1 independent or one of two shared origins."""
    reliability = [
        evidence_reliability(draw(st.sampled_from(LEVELS)), draw(st.sampled_from(LEVELS))) for _ in range(n_evidence)
    ]
    origins = draw(st.lists(st.integers(-1, 1), min_size=n_evidence, max_size=n_evidence))
    return np.array(reliability), np.array(origins, dtype=np.int64)


PROPERTY_SETTINGS = settings(max_examples=40, deadline=None)


def assert_same_team_scores(a: scoring.AssessmentScores, b: scoring.AssessmentScores) -> None:
    assert a.team_inconsistency.tolist() == b.team_inconsistency.tolist()
    np.testing.assert_allclose(a.team_weighted_inconsistency, b.team_weighted_inconsistency, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.team_posterior, b.team_posterior, rtol=0, atol=1e-12)
    assert a.ranking.tolist() == b.ranking.tolist()
    assert (a.leader_by_inconsistency, a.leader_by_posterior) == (b.leader_by_inconsistency, b.leader_by_posterior)


@PROPERTY_SETTINGS
@given(assessments(min_hypotheses=1), st.data())
def test_posteriors_sum_to_one(assessment, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    scores = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    np.testing.assert_allclose(scores.analyst_posterior.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert scores.team_posterior.sum() == pytest.approx(1.0, abs=1e-12)


@PROPERTY_SETTINGS
@given(
    hnp.arrays(np.int8, st.integers(1, 5), elements=st.integers(1, 5)),
    st.sampled_from(LEVELS),
    st.sampled_from(LEVELS),
)
def test_credibility_never_amplifies_an_item(row, credibility, relevance):
    # One analyst, one item: the spread of the item's log-likelihoods is the spread of the log-posterior.
    ratings = row[None, None, :]
    priors = uniform(len(row))

    def spread(reliability):
        log_posterior = np.log(score_assessment(ratings, [1.0], priors, reliability=reliability).analyst_posterior[0])
        return log_posterior.max() - log_posterior.min()

    assert spread([evidence_reliability(credibility, relevance)]) <= spread([1.0]) + 1e-12


@PROPERTY_SETTINGS
@given(assessments(min_evidence=1, min_hypotheses=1), st.integers(2, 4), st.data())
def test_k_copies_of_an_item_sharing_a_new_origin_change_no_analysts_posterior(assessment, copies, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    item = data.draw(st.integers(0, ratings.shape[1] - 1))
    origins[item] = -1
    before = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    repeated = np.concatenate([ratings] + [ratings[:, item : item + 1]] * (copies - 1), axis=1)
    new_origins = np.concatenate([origins, np.full(copies - 1, 2)])
    new_origins[item] = 2
    after = score_assessment(
        repeated,
        np.concatenate([weights, np.repeat(weights[item], copies - 1)]),
        priors,
        reliability=np.concatenate([reliability, np.repeat(reliability[item], copies - 1)]),
        origins=new_origins,
    )
    np.testing.assert_allclose(after.analyst_posterior, before.analyst_posterior, rtol=0, atol=1e-12)
    if len(ratings) == 1:
        # With one analyst the pool is that analyst; with several, copies add to the rater's pool weight
        # (rule 5 counts cells), so only the analysts' posteriors are invariant.
        np.testing.assert_allclose(after.team_posterior, before.team_posterior, rtol=0, atol=1e-12)


@PROPERTY_SETTINGS
@given(assessments(min_hypotheses=1), st.sampled_from([0, 6]), st.data())
def test_a_row_rated_only_na_or_by_nobody_changes_nothing(assessment, code, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    at = data.draw(st.integers(0, ratings.shape[1]))
    # A few analysts rate NA in the new row, the others leave it blank.
    fill = np.where(np.arange(len(ratings)) % 2 == 0, code, 0).astype(np.int8)
    row = np.broadcast_to(fill[:, None, None], (len(ratings), 1, ratings.shape[2]))
    before = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    after = score_assessment(
        np.concatenate([ratings[:, :at], row, ratings[:, at:]], axis=1),
        np.insert(weights, at, 1.0),
        priors,
        reliability=np.insert(reliability, at, 0.9),
        origins=np.insert(origins, at, data.draw(st.integers(-1, 1))),
    )
    assert_same_team_scores(before, after)
    np.testing.assert_allclose(after.analyst_posterior, before.analyst_posterior, rtol=0, atol=1e-12)
    assert after.analyst_pool_weight.tolist() == before.analyst_pool_weight.tolist()
    for name in ("consensus", "disagreement", "diagnosticity", "linchpin_inconsistency", "linchpin_posterior"):
        np.testing.assert_array_equal(np.delete(getattr(after, name), at, axis=0), getattr(before, name))
    assert not after.linchpin_inconsistency[at] and not after.linchpin_posterior[at]


@PROPERTY_SETTINGS
@given(assessments(), st.data())
def test_an_analyst_who_rated_nothing_changes_nothing(assessment, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    silent = np.zeros((1, *ratings.shape[1:]), dtype=np.int8)
    before = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    after = score_assessment(
        np.concatenate([ratings, silent]), weights, priors, reliability=reliability, origins=origins
    )
    assert_same_team_scores(before, after)
    for name in ("consensus", "disagreement", "diagnosticity", "linchpin_inconsistency", "linchpin_posterior"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name))


@PROPERTY_SETTINGS
@given(assessments(), st.randoms(use_true_random=False))
def test_permuting_analysts_changes_no_team_score(assessment, random):
    ratings, weights, priors = assessment
    order = list(range(len(ratings)))
    random.shuffle(order)
    before = score_assessment(ratings, weights, priors)
    after = score_assessment(ratings[order], weights, priors)
    assert_same_team_scores(before, after)
    for name in ("consensus", "disagreement", "diagnosticity", "linchpin_inconsistency", "linchpin_posterior"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name))


@PROPERTY_SETTINGS
@given(assessments(), st.randoms(use_true_random=False), st.data())
def test_permuting_evidence_permutes_the_item_scores_alike(assessment, random, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    order = list(range(ratings.shape[1]))
    random.shuffle(order)
    before = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    after = score_assessment(
        ratings[:, order], weights[order], priors, reliability=reliability[order], origins=origins[order]
    )
    assert_same_team_scores(before, after)
    for name in ("consensus", "disagreement", "diagnosticity", "not_diagnostic", "linchpin_inconsistency"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name)[order])
    assert after.linchpin_posterior.tolist() == before.linchpin_posterior[order].tolist()


@PROPERTY_SETTINGS
@given(assessments(min_evidence=1), st.data())
def test_linchpins_match_scoring_the_matrix_again_without_the_item(assessment, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    scores = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    for item in range(ratings.shape[1]):
        without = score_assessment(
            np.delete(ratings, item, axis=1),
            np.delete(weights, item),
            priors,
            reliability=np.delete(reliability, item),
            origins=np.delete(origins, item),
        )
        assert scores.linchpin_inconsistency[item] == (
            without.leader_by_inconsistency != scores.leader_by_inconsistency
        )
        assert scores.linchpin_posterior[item] == (without.leader_by_posterior != scores.leader_by_posterior)


def test_cell_scores_match_the_full_scoring_and_a_row_scored_alone_matches_its_row():
    rng = np.random.default_rng(7)
    ratings = rng.integers(0, 7, size=(4, 30, 5)).astype(np.int8)
    ratings[:, 3] = scoring.CODE_BLANK  # nobody rated item 4: its diagnosticity is NaN, "not rated yet"
    full = scoring.score_assessment(ratings, np.ones(30), np.full(5, 0.2))
    consensus, disagreement, diagnosticity = scoring.cell_scores(ratings)
    assert np.array_equal(consensus, full.consensus)
    assert np.allclose(disagreement, full.disagreement)
    assert np.allclose(diagnosticity, full.diagnosticity, equal_nan=True) and np.isnan(diagnosticity[3])
    row_consensus, row_disagreement, row_diagnosticity = scoring.cell_scores(ratings[:, 12:13])
    assert np.array_equal(row_consensus[0], full.consensus[12])
    assert np.allclose(row_disagreement[0], full.disagreement[12]) and row_diagnosticity[0] == full.diagnosticity[12]
    assert np.isnan(scoring.cell_scores(ratings[:, 3:4])[2][0])


# --- Sensitivity ---------------------------------------------------------------------------------------


def test_the_greedy_search_removes_the_strongest_support_first_and_counts_the_removals():
    # One analyst, uniform priors. Log-odds H1 : H2 per item: E1 CC/II log 19 = 2.944, E2 C/I log 4 = 1.386,
    # E3 II/CC −2.944, E4 C/N log 1.6 = .470. Total 1.856: H1 leads. Removing E1 leaves −1.088 (the smallest
    # margin), and H2 leads: one removal.
    sensitivity = scoring.items_to_change_leader(matrix(["CC II", "C I", "II CC", "C N"]), uniform(2))
    assert (sensitivity.items_to_change_leader, sensitivity.removal_order, sensitivity.searched) == (1, [0], 1)


def test_the_search_stops_after_the_cap_and_reports_null_when_the_lead_holds():
    ratings = matrix(["C I", "C I", "C I"])
    capped = scoring.items_to_change_leader(ratings, uniform(2), max_removals=2)
    # Each removal leaves .8² : .2² then .8 : .2; H1 holds. Ties go to the earliest item.
    assert (capped.items_to_change_leader, capped.removal_order, capped.searched) == (None, [0, 1], 2)
    # Removing every item leaves the priors: uniform, whose leader (H1, the earliest) is no change.
    every = scoring.items_to_change_leader(ratings, uniform(2))
    assert (every.items_to_change_leader, every.removal_order, every.searched) == (None, [0, 1, 2], 3)
    # With priors favouring H2, removing everything hands it the lead: 3 removals. The order: each removal
    # leaves H1 at .8² × .4 / (.8² × .4 + .2² × .6) = .914 then .842; without all three, .4.
    favoured = scoring.items_to_change_leader(ratings, np.array([0.4, 0.6]))
    assert (favoured.items_to_change_leader, favoured.searched) == (3, 3)


def brute_force_count(ratings, priors, reliability, limit):
    first = score_assessment(ratings, np.ones(ratings.shape[1]), priors, reliability=reliability).leader_by_posterior
    for size in range(1, min(limit, ratings.shape[1]) + 1):
        for removed in itertools.combinations(range(ratings.shape[1]), size):
            keep = np.setdiff1d(np.arange(ratings.shape[1]), removed)
            without = score_assessment(ratings[:, keep], np.ones(len(keep)), priors, reliability=reliability[keep])
            if without.leader_by_posterior != first:
                return size
    return None


@PROPERTY_SETTINGS
@given(assessments(min_evidence=1, min_hypotheses=2, max_analysts=1), st.data())
def test_the_greedy_count_equals_a_brute_force_search_where_the_greedy_choice_is_forced(assessment, data):
    ratings, _, priors = assessment
    assume(len(ratings) == 1)
    # One analyst, two hypotheses, independent items: each removal moves the log-odds by its own term, so
    # removing the strongest support first is optimal and the greedy count is the true minimum.
    ratings = ratings[:, :, :2]
    priors = np.array([0.5, 0.5]) if data.draw(st.booleans()) else np.array([0.3, 0.7])
    reliability, _ = data.draw(sources(ratings.shape[1]))
    greedy = scoring.items_to_change_leader(ratings, priors, reliability=reliability)
    assert greedy.items_to_change_leader == brute_force_count(ratings, priors, reliability, ratings.shape[1])


@PROPERTY_SETTINGS
@given(assessments(min_evidence=1, min_hypotheses=2), st.data())
def test_the_searchs_removals_rescore_like_the_reduced_matrix(assessment, data):
    ratings, weights, priors = assessment
    reliability, origins = data.draw(sources(ratings.shape[1]))
    scores = score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)
    found = scoring.items_to_change_leader(ratings, priors, reliability=reliability, origins=origins)
    assert found.searched == len(found.removal_order) == len(set(found.removal_order))
    for step in range(1, found.searched + 1):
        keep = np.setdiff1d(np.arange(ratings.shape[1]), found.removal_order[:step])
        reduced = score_assessment(
            ratings[:, keep], weights[keep], priors, reliability=reliability[keep], origins=origins[keep]
        )
        changed = reduced.leader_by_posterior != scores.leader_by_posterior
        assert changed == (found.items_to_change_leader == step)
    if found.items_to_change_leader is None:
        assert found.searched == ratings.shape[1]


def test_without_an_analyst_pools_the_others_and_a_lone_analyst_leaves_the_priors():
    scores = score(matrix(["C I", "- -"], ["N C", "N N"]))
    without = scoring.team_without_analysts(scores.analyst_posterior, scores.analyst_pool_weight, uniform(2))
    # Without analyst 1 the team is analyst 2 (.384615); without analyst 2, analyst 1 (.8).
    assert without[:, 0] == pytest.approx([0.384615385, 0.8])
    lone = score(matrix(["C I"]), priors=[0.3, 0.7])
    assert scoring.team_without_analysts(lone.analyst_posterior, lone.analyst_pool_weight, [0.3, 0.7]).tolist() == [
        [0.3, 0.7]
    ]


def test_overlapping_hypotheses_warn_from_five_shared_items_at_sixty_percent():
    # H1 and H2 are both C or CC on items 1–5, H1 alone on item 6, H2 alone on item 7: shared 5, either 7,
    # 5/7 = .71 → warns. H3 shares 5 of 5 with... none: it is I everywhere.
    rows = ["C CC I"] * 5 + ["CC N I", "N C I"]
    overlaps = scoring.hypothesis_overlaps(score(matrix(rows)).consensus)
    pairs = {(o.first, o.second): (o.shared, o.either, o.warns) for o in overlaps}
    assert pairs == {(0, 1): (5, 7, True), (0, 2): (0, 6, False), (1, 2): (0, 6, False)}
    four = scoring.hypothesis_overlaps(score(matrix(["C C"] * 4)).consensus)
    assert [(o.shared, o.either, o.warns) for o in four] == [(4, 4, False)]


# --- Stated probabilities and calibration --------------------------------------------------------------


def test_stated_probabilities_report_incoherence_and_are_used_normalised():
    assert scoring.stated_incoherence([50, 30, 30]) == 10.0
    assert scoring.stated_incoherence([60, 20, 10]) == 10.0
    assert scoring.stated_normalised([50, 30, 20]).tolist() == [0.5, 0.3, 0.2]
    assert scoring.stated_normalised([60, 30, 30]) == pytest.approx([0.5, 0.25, 0.25])
    with pytest.raises(ValueError):
        scoring.stated_normalised([0, 0])
    with pytest.raises(ValueError):
        scoring.stated_normalised([120, 0])
    assert scoring.stated_pool([[0.5, 0.5], [0.9, 0.1]]) == pytest.approx([0.7, 0.3])
    assert scoring.stated_pool([]) is None


def test_brier_score_sums_squared_errors_over_the_hypotheses():
    # H2 proved true: (.7 − 0)² + (.2 − 1)² + (.1 − 0)² = .49 + .64 + .01 = 1.14.
    assert scoring.brier_score([0.7, 0.2, 0.1], 1) == pytest.approx(1.14)
    # None of these: .49 + .04 + .01 = .54.
    assert scoring.brier_score([0.7, 0.2, 0.1], None) == pytest.approx(0.54)
    assert scoring.brier_score([0.0, 1.0], 1) == 0.0


def test_misleading_evidence_is_what_the_consensus_rated_i_or_ii_on_the_true_hypothesis():
    consensus = score(matrix(["C I", "II C", "N N", "I II"])).consensus
    assert scoring.misleading_evidence(consensus, 0) == [1, 3]
    assert scoring.misleading_evidence(consensus, 1) == [0, 3]
    assert scoring.misleading_evidence(consensus, None) == []
