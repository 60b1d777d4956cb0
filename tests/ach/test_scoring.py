"""ACH scoring on hand-worked matrices, edge cases and properties.

Matrices are written one analyst at a time, one evidence item per string, one hypothesis per label;
"-" is a cell the analyst has not rated. Expected numbers are worked by hand in the comments.
"""

import math

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
    evidence_weight,
    rank_hypotheses,
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


def score(ratings: np.ndarray, weights=None, priors=None, likelihoods=None) -> scoring.AssessmentScores:
    _, n_evidence, n_hypotheses = ratings.shape
    weights = np.ones(n_evidence) if weights is None else np.asarray(weights, dtype=float)
    priors = uniform(n_hypotheses) if priors is None else np.asarray(priors, dtype=float)
    return score_assessment(ratings, weights, priors, likelihoods)


# --- Rating codes, weights and bands -------------------------------------------------------------------


def test_rating_codes_number_blank_then_cc_to_ii_then_na():
    assert RATING_LABELS == ["", "CC", "C", "N", "I", "II", "NA"]
    assert RATING_CODES == {"": 0, "CC": 1, "C": 2, "N": 3, "I": 4, "II": 5, "NA": 6}
    assert (scoring.CODE_BLANK, scoring.CODE_CC, scoring.CODE_II, scoring.CODE_NA) == (0, 1, 5, 6)


def test_default_likelihoods_give_na_and_blank_even_odds():
    assert DEFAULT_LIKELIHOODS == {"CC": 0.95, "C": 0.80, "N": 0.50, "I": 0.20, "II": 0.05, "NA": 0.50, "": 0.50}


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


# --- 3: posterior --------------------------------------------------------------------------------------


def test_posterior_multiplies_the_prior_by_each_likelihood_raised_to_the_item_weight():
    scores = score(matrix(["C I", "N CC"]), [1.0, evidence_weight("high", "high")])
    # log H1 = log .5 + log .8 + 2 log .5  = −2.302585 (= log 0.1)
    # log H2 = log .5 + log .2 + 2 log .95 = −2.405172 (= log 0.09025)
    # H1 = 1 / (1 + e^(−2.405172 + 2.302585)) = 0.1 / 0.19025 = 0.525624
    assert scores.analyst_posterior[0] == pytest.approx([0.525624179, 0.474375821])


def test_na_and_blank_cells_leave_the_posterior_at_the_prior():
    scores = score(matrix(["NA -", "- NA"]), priors=[0.8, 0.2])
    assert scores.analyst_posterior[0] == pytest.approx([0.8, 0.2])


def test_the_likelihood_map_is_a_setting_of_the_assessment():
    scores = score(matrix(["C I"]), likelihoods={"C": 0.9, "I": 0.1})
    # H1 ∝ .9, H2 ∝ .1.
    assert scores.analyst_posterior[0] == pytest.approx([0.9, 0.1])


def test_team_posterior_pools_only_analysts_who_rated_something():
    scores = score(matrix(["C I"], ["N C"], ["- -"]))
    # Analyst 1: .8 / (.8 + .2) = .8. Analyst 2: .5 / (.5 + .8) = .384615. Analyst 3 rated nothing.
    # Team H1 = (.8 + .384615) / 2 = .592308.
    assert scores.analyst_rated_any.tolist() == [True, True, False]
    assert scores.analyst_posterior[2] == pytest.approx([0.5, 0.5])
    assert scores.team_posterior == pytest.approx([0.592307692, 0.407692308])


def test_team_posterior_is_the_prior_when_nobody_rated_anything():
    scores = score(matrix(["- -"], ["- -"]), priors=[0.3, 0.7])
    assert scores.team_posterior.tolist() == [0.3, 0.7]


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


def test_items_whose_rated_cells_agree_are_not_diagnostic():
    scores = score(matrix(["C C C", "- II -", "- - -", "I C -"]))
    # Equal means; a single rated cell; nothing rated; (−1, 1) → sd 1.
    assert scores.diagnosticity.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert scores.not_diagnostic.tolist() == [True, True, True, False]


# --- 6: linchpins --------------------------------------------------------------------------------------

# Item 1 (low/low, weight ½): H1 II, H2 N. Items 2 and 3 (weight 1): H1 CC, H2 N.
# Weighted inconsistency: H1 2 × ½ = 1, H2 0, so H2 leads. Posterior odds H1 : H2 =
# (.05/.5)^½ × (.95/.5)² = .316228 × 3.61 = 1.141582, so H1 leads by posterior (.533).
LINCHPIN_MATRIX = matrix(["II N", "CC N", "CC N"])
LINCHPIN_WEIGHTS = [evidence_weight("low", "low"), 1.0, 1.0]


def test_an_item_whose_removal_changes_the_weighted_inconsistency_leader_is_a_linchpin():
    scores = score(LINCHPIN_MATRIX, LINCHPIN_WEIGHTS)
    # Without item 1 both inconsistencies are 0, and the tie goes to the posterior: H1 (odds 3.61).
    assert scores.leader_by_inconsistency == 1
    assert scores.linchpin_inconsistency.tolist() == [True, False, False]


def test_an_item_whose_removal_changes_the_posterior_leader_is_a_linchpin():
    scores = score(LINCHPIN_MATRIX, LINCHPIN_WEIGHTS)
    # Without item 2 (or 3) the odds are .316228 × 1.9 = .600833, so H2 leads; without item 1, 3.61.
    assert scores.leader_by_posterior == 0
    assert scores.team_posterior[0] == pytest.approx(0.533055522)
    assert scores.linchpin_posterior.tolist() == [False, True, True]


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


def test_very_heavy_weights_leave_the_linchpins_finite_and_exact():
    scores = score(matrix(["CC II", "II CC", "CC N"]), [400.0, 400.0, 1.0])
    # Items 1 and 2 cancel, so item 3 (.95 vs .5) puts H1 ahead by posterior and breaks the tie of the
    # weighted inconsistencies (800 each). Without item 1, H2 is ahead on both counts (.05^400 vs .95^400);
    # without item 2, H1 stays ahead; without item 3 everything ties and H1 keeps the lead.
    assert np.isfinite(scores.team_posterior).all()
    assert scores.team_posterior == pytest.approx([0.95 / 1.45, 0.5 / 1.45])
    assert scores.linchpin_posterior.tolist() == [True, False, False]
    assert scores.linchpin_inconsistency.tolist() == [True, False, False]


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
    # float sums may differ in the last bit. Posterior odds H2 : H1 = (.2/.05)^√2 × (.05/.5)^(1/√2) = 1.394.
    first, second = scores.team_weighted_inconsistency
    assert abs(first - second) < 1e-9
    assert scores.team_posterior == pytest.approx([0.4176707, 0.5823293], abs=1e-7)
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
    assert scores.not_diagnostic.tolist() == [True, True, True]


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
    assert scores.team_posterior.tolist() == scores.analyst_posterior[0].tolist()
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
def assessments(draw, min_evidence: int = 0, min_hypotheses: int = 0):
    n_analysts = draw(st.integers(0, 4))
    n_evidence = draw(st.integers(min_evidence, 5))
    n_hypotheses = draw(st.integers(min_hypotheses, 4))
    ratings = draw(hnp.arrays(np.int8, (n_analysts, n_evidence, n_hypotheses), elements=st.integers(0, 6)))
    weights = np.array(draw(st.lists(st.sampled_from(PARC_WEIGHTS), min_size=n_evidence, max_size=n_evidence)))
    odds = np.array(draw(st.lists(st.integers(1, 9), min_size=n_hypotheses, max_size=n_hypotheses)), dtype=float)
    return ratings, weights, odds / odds.sum() if n_hypotheses else odds


PROPERTY_SETTINGS = settings(max_examples=40, deadline=None)


def assert_same_team_scores(a: scoring.AssessmentScores, b: scoring.AssessmentScores) -> None:
    assert a.team_inconsistency.tolist() == b.team_inconsistency.tolist()
    np.testing.assert_allclose(a.team_weighted_inconsistency, b.team_weighted_inconsistency, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.team_posterior, b.team_posterior, rtol=0, atol=1e-12)
    assert a.ranking.tolist() == b.ranking.tolist()
    assert (a.leader_by_inconsistency, a.leader_by_posterior) == (b.leader_by_inconsistency, b.leader_by_posterior)


@PROPERTY_SETTINGS
@given(assessments(min_hypotheses=1))
def test_posteriors_sum_to_one(assessment):
    scores = score_assessment(*assessment)
    np.testing.assert_allclose(scores.analyst_posterior.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert scores.team_posterior.sum() == pytest.approx(1.0, abs=1e-12)


@PROPERTY_SETTINGS
@given(assessments(min_evidence=2, min_hypotheses=1), st.sampled_from(PARC_WEIGHTS), st.data())
def test_an_item_rated_n_by_everyone_changes_no_score(assessment, weight, data):
    ratings, weights, priors = assessment
    # Everyone must already have rated cells in two items, or the new item would change who is pooled.
    assume(all(np.count_nonzero(analyst.any(axis=1)) >= 2 for analyst in ratings))
    at = data.draw(st.integers(0, ratings.shape[1]))
    with_n = np.insert(ratings, at, RATING_CODES["N"], axis=1)
    before = score_assessment(ratings, weights, priors)
    after = score_assessment(with_n, np.insert(weights, at, weight), priors)
    assert_same_team_scores(before, after)
    np.testing.assert_allclose(after.analyst_posterior, before.analyst_posterior, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        after.analyst_weighted_inconsistency, before.analyst_weighted_inconsistency, rtol=0, atol=1e-12
    )
    assert after.analyst_inconsistency.tolist() == before.analyst_inconsistency.tolist()
    for name in ("consensus", "disagreement", "diagnosticity", "linchpin_inconsistency", "linchpin_posterior"):
        assert np.delete(getattr(after, name), at, axis=0).tolist() == getattr(before, name).tolist()
    assert not after.linchpin_inconsistency[at] and not after.linchpin_posterior[at]


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
        assert getattr(after, name).tolist() == getattr(before, name).tolist()


@PROPERTY_SETTINGS
@given(assessments(), st.randoms(use_true_random=False))
def test_permuting_evidence_permutes_the_item_scores_alike(assessment, random):
    ratings, weights, priors = assessment
    order = list(range(ratings.shape[1]))
    random.shuffle(order)
    before = score_assessment(ratings, weights, priors)
    after = score_assessment(ratings[:, order], weights[order], priors)
    assert_same_team_scores(before, after)
    for name in ("consensus", "disagreement", "diagnosticity", "not_diagnostic", "linchpin_inconsistency"):
        assert getattr(after, name).tolist() == getattr(before, name)[order].tolist()
    assert after.linchpin_posterior.tolist() == before.linchpin_posterior[order].tolist()


@PROPERTY_SETTINGS
@given(assessments(min_evidence=1))
def test_linchpins_match_scoring_the_matrix_again_without_the_item(assessment):
    ratings, weights, priors = assessment
    scores = score_assessment(ratings, weights, priors)
    for item in range(ratings.shape[1]):
        without = score_assessment(np.delete(ratings, item, axis=1), np.delete(weights, item), priors)
        assert scores.linchpin_inconsistency[item] == (
            without.leader_by_inconsistency != scores.leader_by_inconsistency
        )
        assert scores.linchpin_posterior[item] == (without.leader_by_posterior != scores.leader_by_posterior)


def test_cell_scores_match_the_full_scoring_and_a_row_scored_alone_matches_its_row():
    rng = np.random.default_rng(7)
    ratings = rng.integers(0, 7, size=(4, 30, 5)).astype(np.int8)
    full = scoring.score_assessment(ratings, np.ones(30), np.full(5, 0.2))
    consensus, disagreement, diagnosticity = scoring.cell_scores(ratings)
    assert np.array_equal(consensus, full.consensus)
    assert np.allclose(disagreement, full.disagreement) and np.allclose(diagnosticity, full.diagnosticity)
    row_consensus, row_disagreement, row_diagnosticity = scoring.cell_scores(ratings[:, 12:13])
    assert np.array_equal(row_consensus[0], full.consensus[12])
    assert np.allclose(row_disagreement[0], full.disagreement[12]) and row_diagnosticity[0] == full.diagnosticity[12]
