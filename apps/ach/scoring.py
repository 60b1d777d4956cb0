"""Scores of an Analysis of Competing Hypotheses matrix: per analyst, for the team, per cell and per item.

No Django: numpy, and loops compiled by numba in ``_kernels``. A matrix is an int8 array of rating codes
shaped (analysts, evidence, hypotheses); see ``RATING_LABELS`` for the codes. ``score_assessment`` computes
every score in one call, ``sensitivity`` how fragile the lead is, and the helpers at the end the analysts'
own probabilities and their calibration. The functions that run kernels import ``_kernels`` when called:
importing numba takes about a second, which only the processes that score should pay, not every Django
process that imports this module for its rating codes.

Sources of the rules: inconsistency counting, Heuer, *Psychology of Intelligence Analysis* (1999), ch. 8;
weights, PARC ACH; consensus, disagreement and diagnosticity, Open Synthesis; discounting an item by the
reliability of its source and counting dependent items once, Schum, *Evidential Foundations of
Probabilistic Reasoning* (1994), on credibility and redundant evidence; the team posterior, Stone's linear
opinion pool (1961); the score of stated probabilities, Brier (1950), its skill score against the uniform
forecast (Murphy, 1973) and the log score (Good, 1952); the coherence-weighted pool of stated probabilities,
Karvetski et al. (2013); why the two leaders differ, each item's log-odds contribution (rule 3, exact per
analyst); negative indications, Grabo,
*Anticipating Surprise* (2002), in ``apps/indicators/validator.py``.

Ties of rankings are decided the same way everywhere. Values within ``TIE_TOLERANCE`` of each other are
tied, and a tie group is built by sorting the values and merging neighbours that are within the tolerance
(so a group may span more than the tolerance when it chains). Among tied hypotheses the lowest index wins.
The leader by posterior is simpler: every posterior within ``TIE_TOLERANCE`` of the highest is tied, and
the earliest hypothesis leads (``leader_of``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from apps.assessments.grading import grading_checked
from apps.assessments.origins import origin_key

# Named here too: callers read the codes as scoring.CODE_*.
from .codes import CODE_BLANK as CODE_BLANK
from .codes import CODE_C as CODE_C
from .codes import CODE_CC as CODE_CC
from .codes import CODE_I as CODE_I
from .codes import CODE_II as CODE_II
from .codes import CODE_N as CODE_N
from .codes import CODE_NA as CODE_NA

RATING_LABELS: list[str] = ["", "CC", "C", "N", "I", "II", "NA"]
RATING_CODES: dict[str, int] = {label: code for code, label in enumerate(RATING_LABELS)}
# What each code says in words (a screen reader's cell name, the keyboard help), by code as RATING_LABELS.
RATING_WORDS: list[str] = [
    "not rated",
    "very consistent",
    "consistent",
    "neutral",
    "inconsistent",
    "very inconsistent",
    "not applicable",
]
RATING_VALUES: dict[str, int] = {"CC": 2, "C": 1, "N": 0, "I": -1, "II": -2}

DEFAULT_LIKELIHOODS: dict[str, float] = {"CC": 0.95, "C": 0.80, "N": 0.50, "I": 0.20, "II": 0.05}
# The labels a likelihood map names; NA and blank take the mean of the row's rated likelihoods (rule 3a).
RATED_LABELS: tuple[str, ...] = ("CC", "C", "N", "I", "II")


def likelihoods_checked(given: Mapping[str, float] | None) -> dict[str, float]:
    """The likelihood map P(E|H) of each rating, ``DEFAULT_LIKELIHOODS`` when none is given (None or {}).

    A map names exactly CC, C, N, I and II (NA and blank have none: they take the row's mean), each a
    number strictly between 0 and 1, strictly decreasing from CC to II: a map that makes an inconsistent
    rating count for a hypothesis would turn the ratings' meaning around. Anything else raises ValueError
    with the reason, in words an analyst can act on.
    """
    if not given:
        return dict(DEFAULT_LIKELIHOODS)
    if not isinstance(given, Mapping):
        raise ValueError("the likelihood map must map each of CC, C, N, I, II to a probability")
    missing = [label for label in RATED_LABELS if label not in given]
    extra = sorted(label for label in given if label not in RATED_LABELS)
    if missing or extra:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"not a rating with a likelihood: {', '.join(repr(x) for x in extra)}"] if extra else []
        raise ValueError(f"the likelihood map must name exactly CC, C, N, I, II ({'; '.join(parts)})")
    checked = {}
    for label in RATED_LABELS:
        value = given[label]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise ValueError(f"the likelihood of {label} must be a number strictly between 0 and 1, not {value!r}")
        checked[label] = float(value)
    for higher, lower in zip(RATED_LABELS, RATED_LABELS[1:], strict=False):
        if not checked[higher] > checked[lower]:
            raise ValueError(
                f"likelihoods must decrease strictly from CC to II: {higher} ({checked[higher]:g}) is not above "
                f"{lower} ({checked[lower]:g})"
            )
    return checked


LEVELS: tuple[str, ...] = ("low", "medium", "high")
DEFAULT_RELIABILITY: dict[str, dict[str, float]] = {
    "credibility": {"low": 0.5, "medium": 0.7, "high": 0.9},
    "relevance": {"low": 0.5, "medium": 0.75, "high": 1.0},
}

# Each level is a power of √2, so a weight is 2 ** (half the summed exponents): high × high is exactly 2.0.
_LEVEL_EXPONENTS: dict[str, int] = {"low": -1, "medium": 0, "high": 1}
WEIGHT_LEVELS: dict[str, float] = {level: 2.0 ** (exponent / 2) for level, exponent in _LEVEL_EXPONENTS.items()}

TIE_TOLERANCE = 1e-9
NOT_DIAGNOSTIC_TOLERANCE = 1e-12

DISAGREEMENT_BANDS: tuple[str, ...] = ("consensus", "mild", "large", "extreme")
DISAGREEMENT_LIMITS: tuple[float, ...] = (0.5, 1.5, 2.0)

# A hypothesis whose analyst posterior trails that analyst's leader by this many nats more than one item can
# move it contributes under e**-40 (about 4e-18) to any posterior without one item: below float precision
# beside the leader, and far below the tie tolerance.
_NEGLIGIBLE_LOG_ODDS = 40.0

MAX_REMOVALS = 100
OVERLAP_MIN_SHARED = 5
OVERLAP_MIN_RATIO = 0.6

# numba compiles a kernel anew for each layout and writability of its arrays: they are all made C-contiguous
# and writable, so that one compilation (and one cached copy) serves every call.
_KERNEL_ARRAY: list[Literal["C", "W"]] = ["C", "W"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class AssessmentScores:
    """All scores of one matrix of A analysts, E evidence items and H hypotheses; the arrays are read-only.

    Shapes: analyst_* (A, H), analyst_rated_any and analyst_pool_weight (A,); consensus, disagreement (E, H);
    diagnosticity, not_diagnostic, partly_rated, linchpin_* (E,); team_* and ranking (H,). Leaders are None
    when there are no hypotheses. Diagnosticity is NaN for an item nobody has rated ("not rated yet"), which is never
    ``not_diagnostic``; nor is an item ``partly_rated`` (some hypothesis nobody has rated yet).
    """

    analyst_inconsistency: IntArray
    analyst_weighted_inconsistency: FloatArray
    analyst_posterior: FloatArray
    analyst_rated_any: BoolArray
    analyst_pool_weight: IntArray
    consensus: npt.NDArray[np.int8]
    disagreement: FloatArray
    diagnosticity: FloatArray
    not_diagnostic: BoolArray
    partly_rated: BoolArray
    team_inconsistency: IntArray
    team_weighted_inconsistency: FloatArray
    team_posterior: FloatArray
    ranking: npt.NDArray[np.intp]
    leader_by_inconsistency: int | None
    leader_by_posterior: int | None
    linchpin_inconsistency: BoolArray
    linchpin_posterior: BoolArray

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


def evidence_weight(credibility: str, relevance: str) -> float:
    """PARC ACH weighting: w(e) = credibility weight × relevance weight, each low 1/√2, medium 1, high √2.

    So high/high weighs 2 and low/low ½. Levels are matched case-insensitively.
    """
    try:
        exponent = _LEVEL_EXPONENTS[credibility.lower()] + _LEVEL_EXPONENTS[relevance.lower()]
    except KeyError as unknown:
        raise ValueError(f"unknown level {unknown}; expected one of {sorted(_LEVEL_EXPONENTS)}") from None
    return 2.0 ** (exponent / 2)


def rows_revealed(own: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Anchoring: an analyst sees the team's ratings of an evidence row only once they have rated every cell
    of it themselves (Heuer's advice to judge each item independently). ``own`` is that analyst's
    (evidence, hypotheses) codes; a row with no hypotheses hides nothing."""
    own = np.asarray(own)
    if own.ndim != 2 or own.shape[1] == 0:
        return np.ones(own.shape[0] if own.ndim else 0, dtype=bool)
    return (own != CODE_BLANK).all(axis=1)


def reliability_checked(setting: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The reliability setting with the defaults filled in; every factor must lie in (0, 1].

    ``{"credibility": {"low": .5, "medium": .7, "high": .9}, "relevance": {"low": .5, "medium": .75,
    "high": 1.0}}`` are the defaults; a setting may give any part of it. Its ``"grades"`` are the factors of
    graded sources' items (``apps.assessments.grading.grading_checked``), which replace the credibility
    factor of such an item.
    """
    setting = setting or {}
    if not isinstance(setting, Mapping):
        raise ValueError("the reliability setting must map credibility and relevance to their factors")
    unknown = set(setting) - set(DEFAULT_RELIABILITY) - {"grades"}
    if unknown:
        raise ValueError(f"unknown reliability factors {sorted(unknown)}; expected credibility, relevance and grades")
    checked: dict[str, dict[str, Any]] = {}
    for kind, defaults in DEFAULT_RELIABILITY.items():
        given = setting.get(kind) or {}
        if not isinstance(given, Mapping) or set(given) - set(LEVELS):
            raise ValueError(f"{kind} factors are given for the levels {', '.join(LEVELS)}")
        checked[kind] = {}
        for level in LEVELS:
            value = given.get(level, defaults[level])
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"the {kind} factor of {level} must be a number in (0, 1], not {value!r}")
            checked[kind][level] = float(value)
    checked["grades"] = grading_checked(setting.get("grades"))
    return checked


def evidence_reliability(
    credibility: str, relevance: str, setting: Mapping[str, Mapping[str, Any]] | None = None
) -> float:
    """r(e) = credibility factor × relevance factor (Schum: a source's reliability discounts its report)."""
    factors = reliability_checked(setting)
    try:
        return factors["credibility"][credibility.lower()] * factors["relevance"][relevance.lower()]
    except KeyError as unknown:
        raise ValueError(f"unknown level {unknown}; expected one of {list(LEVELS)}") from None


def origin_groups(origins: Iterable[str]) -> IntArray:
    """Group number of each item's origin in order of first appearance; −1 for an independent item."""
    numbers: dict[str, int] = {}
    groups = []
    for origin in origins:
        key = origin_key(origin)
        groups.append(numbers.setdefault(key, len(numbers)) if key else -1)
    return np.array(groups, dtype=np.int64)


def leader_of(posterior: npt.ArrayLike) -> int | None:
    """Rule 6: posteriors within ``TIE_TOLERANCE`` of the highest are tied and the earliest leads."""
    from . import _kernels

    values = np.require(posterior, np.float64, _KERNEL_ARRAY)
    if values.size == 0:
        return None
    return int(_kernels.leader_of(values, TIE_TOLERANCE))


def disagreement_band(value: float) -> str:
    """Band of a disagreement: below 0.5 consensus, below 1.5 mild, below 2.0 large, otherwise extreme."""
    for limit, band in zip(DISAGREEMENT_LIMITS, DISAGREEMENT_BANDS, strict=False):
        if value < limit:
            return band
    return DISAGREEMENT_BANDS[-1]


def disagreement_bands(disagreement: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """``disagreement_band`` of every value, in an array of the same shape."""
    values = np.asarray(disagreement, dtype=np.float64)
    return np.array(DISAGREEMENT_BANDS)[np.searchsorted(DISAGREEMENT_LIMITS, values, side="right")]


def rank_hypotheses(weighted_inconsistency: npt.ArrayLike, posterior: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Hypothesis indices best first: weighted inconsistency ascending, then posterior descending, then index.

    Both comparisons use the module's tie groups (sorted values chained within ``TIE_TOLERANCE``): the
    weighted inconsistencies are grouped first, and inside each group the posteriors are grouped again.
    """
    inconsistency = np.asarray(weighted_inconsistency, dtype=np.float64)
    post = np.asarray(posterior, dtype=np.float64)
    if inconsistency.ndim != 1 or inconsistency.shape != post.shape:
        raise ValueError("weighted_inconsistency and posterior must be 1-D arrays of the same length")
    count = len(inconsistency)
    index = np.arange(count)
    if count == 0:
        return index
    by_inconsistency = np.argsort(inconsistency, kind="stable")
    group = np.empty(count, dtype=np.intp)
    group[by_inconsistency] = np.concatenate(([0], np.cumsum(np.diff(inconsistency[by_inconsistency]) > TIE_TOLERANCE)))
    by_posterior = np.lexsort((index, -post, group))
    starts = np.ones(count, dtype=bool)
    starts[1:] = (np.diff(group[by_posterior]) != 0) | (-np.diff(post[by_posterior]) > TIE_TOLERANCE)
    subgroup = np.empty(count, dtype=np.intp)
    subgroup[by_posterior] = np.cumsum(starts)
    return np.lexsort((index, subgroup))


def score_assessment(
    ratings: npt.ArrayLike,
    weights: npt.ArrayLike,
    priors: npt.ArrayLike,
    likelihoods: Mapping[str, float] | None = None,
    *,
    reliability: npt.ArrayLike | None = None,
    origins: npt.ArrayLike | None = None,
) -> AssessmentScores:
    """Score a matrix for each analyst and for the team.

    Rules, per analyst matrix and for the team's consensus matrix:

    1. Inconsistency (Heuer, *Psychology of Intelligence Analysis*, 1999, ch. 8): per hypothesis, 1 point for
       each I and 2 for each II. Fewer is more likely.
    2. Weighted inconsistency (PARC ACH): the same points, each times the item's weight w(e).
    3. Posterior, for analyst a, item e, hypothesis h:
       a. Rated likelihood ℓ(a,e,h): ``likelihoods`` for CC, C, N, I, II (``likelihoods_checked``: all five,
          in (0, 1), strictly decreasing; none given means ``DEFAULT_LIKELIHOODS``); for NA and blank, the
          mean ℓ of the hypotheses a rated CC…II in the row. A row where a rated none of CC…II contributes
          nothing.
       b. Discounted likelihood p = r(e)·ℓ + (1 − r(e))·½ (Schum): with probability 1 − r(e) the item is
          noise every hypothesis explains equally, so reliability can only shrink an item's effect.
       c. Dependence: items sharing an origin count together as one; each contributes log p / n, n the
          number of rows with that origin that a rated CC…II (Schum's redundant evidence).
       d. Analyst posterior ∝ prior(h) × exp(Σ_e log p(a,e,h) / n(e)), in log space, normalised.
       e. Team posterior: the linear opinion pool (Stone, 1961) of the analysts' posteriors, weighted by
          the number of cells each rated CC…II (``analyst_pool_weight``); the priors when nobody has.
    4. Consensus and disagreement of a cell (Open Synthesis, ``openach/metrics.py``), over the analysts who
       rated it: NA when more of them chose NA than a number; otherwise their mean value rounded to the
       nearest rating, halves toward N. Disagreement is the larger sample standard deviation of the NA-or-not
       indicator and of the values (each 0 over fewer than two).
    5. Diagnosticity (Open Synthesis): the population standard deviation across hypotheses of each cell's mean
       value over everyone who rated it, NA counting 0 and unrated cells skipped; 0 marks it not diagnostic.
       An item nobody rated has none (NaN): it is not rated yet, not "not diagnostic". An item that moves no
       posterior (no analyst rated two of its cells differently among CC…II, e.g. [CC, NA, NA], whose NA
       cells take CC's likelihood by rule 3a) has diagnosticity 0, so the two never contradict each other.
       An item some hypothesis of which nobody has rated yet is ``partly_rated``: never "not diagnostic".
    6. Linchpin: removing the item changes the leader, by weighted inconsistency (the first of the ranking) or
       by team posterior (``leader_of``). Without the item the matrix is scored again as if it never
       existed: its origin's n, the pool weights, the consensus and the ranking's posterior tie-break.
       Nothing is a linchpin with fewer than two hypotheses.
    7. Ranking: see ``rank_hypotheses``; the leader by posterior: see ``leader_of``.

    Team inconsistencies count the consensus I and II; consensus NA and blank count 0.

    ``ratings`` holds codes (A, E, H); ``weights`` w(e) (E,); ``priors`` (H,) summing to 1; ``reliability``
    r(e) in (0, 1] (E,), default 1 (no discount); ``origins`` (E,) group numbers from ``origin_groups``, −1
    for independent, default all independent. Malformed input (codes outside 0–6, mismatched shapes,
    negative weights, priors not summing to 1, a likelihood map ``likelihoods_checked`` refuses,
    reliabilities outside (0, 1]) raises ValueError.

    Long for its docstring: the method's rules are stated here, where they are applied; the body, about 55
    lines, runs them in order through the kernels and would only be scattered by a split.
    """
    from . import _kernels

    codes = _checked_ratings(ratings)
    _, n_evidence, n_hypotheses = codes.shape
    weight = _checked_weights(weights, n_evidence)
    prior = _checked_priors(priors, n_hypotheses)
    model = _model(likelihoods, reliability, origins, n_evidence)

    (
        consensus,
        disagreement,
        diagnosticity,
        analyst_inconsistency,
        analyst_weighted,
        analyst_filled,
        team_inconsistency,
        team_weighted,
    ) = _kernels.tally(codes, weight)
    state = _pool_state(codes, prior, model)
    team_posterior = state.team_posterior()
    ranking = rank_hypotheses(team_weighted, team_posterior)
    leader_by_inconsistency = leader_by_posterior = None
    if n_hypotheses:
        leader_by_inconsistency = int(ranking[0])
        leader_by_posterior = leader_of(team_posterior)
    linchpin_inconsistency = np.zeros(n_evidence, dtype=bool)
    linchpin_posterior = np.zeros(n_evidence, dtype=bool)
    if n_hypotheses >= 2 and n_evidence:
        without = _kernels.team_without_each(codes, *state.arrays(), *model.arrays())
        linchpin_inconsistency, linchpin_posterior = _kernels.linchpins(
            without, team_weighted, weight, consensus, leader_by_inconsistency, leader_by_posterior, TIE_TOLERANCE
        )

    diagnosticity, partly_rated = _diagnosticity_of_rows(codes, diagnosticity)
    unrated = np.isnan(diagnosticity)
    return AssessmentScores(
        analyst_inconsistency=analyst_inconsistency,
        analyst_weighted_inconsistency=analyst_weighted,
        analyst_posterior=state.posterior,
        analyst_rated_any=analyst_filled > 0,
        analyst_pool_weight=state.pool_weight,
        consensus=consensus,
        disagreement=disagreement,
        diagnosticity=diagnosticity,
        not_diagnostic=~unrated & ~partly_rated & (np.where(unrated, 1.0, diagnosticity) < NOT_DIAGNOSTIC_TOLERANCE),
        partly_rated=partly_rated,
        team_inconsistency=team_inconsistency,
        team_weighted_inconsistency=team_weighted,
        team_posterior=team_posterior,
        ranking=ranking,
        leader_by_inconsistency=leader_by_inconsistency,
        leader_by_posterior=leader_by_posterior,
        linchpin_inconsistency=linchpin_inconsistency,
        linchpin_posterior=linchpin_posterior,
    )


def cell_scores(ratings: npt.ArrayLike) -> tuple[npt.NDArray[np.int8], FloatArray, FloatArray]:
    """Rules 4 and 5 of ``score_assessment`` alone: consensus and disagreement (E, H), diagnosticity (E,).

    Each depends on its own row only, so the matrix page and a rated row get them without the leave-one-out
    work of linchpins, and scoring a single row gives exactly that row of the whole matrix's scores.
    """
    from . import _kernels

    codes = _checked_ratings(ratings)
    consensus, disagreement, diagnosticity, *_ = _kernels.tally(codes, np.ones(codes.shape[1]))
    return consensus, disagreement, _diagnosticity_of_rows(codes, diagnosticity)[0]


def rows_partly_rated(ratings: npt.ArrayLike) -> BoolArray:
    """Items (E,) that someone has rated but where some hypothesis nobody has rated yet."""
    codes = np.asarray(ratings)
    if codes.ndim != 3 or codes.shape[2] == 0:
        return np.zeros(codes.shape[1] if codes.ndim == 3 else 0, dtype=bool)
    rated = (codes != CODE_BLANK).any(axis=0)
    return rated.any(axis=1) & ~rated.all(axis=1)


def rows_moving(ratings: npt.ArrayLike) -> BoolArray:
    """Items (E,) that move some analyst's posterior: someone rated two of the item's cells differently
    among CC…II. Otherwise every hypothesis gets the same likelihood from the item (rule 3a)."""
    codes = np.asarray(ratings)
    if codes.ndim != 3 or codes.shape[2] == 0:
        return np.zeros(codes.shape[1] if codes.ndim == 3 else 0, dtype=bool)
    numeric = (codes >= CODE_CC) & (codes <= CODE_II)
    high = np.where(numeric, codes, -1).max(axis=2)
    low = np.where(numeric, codes, CODE_NA + 1).min(axis=2)
    return ((numeric.sum(axis=2) >= 2) & (high > low)).any(axis=0)


def _diagnosticity_of_rows(codes: npt.NDArray[np.int8], diagnosticity: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Rule 5's corrections: 0 for a rated item that moves no posterior; which items are partly rated."""
    rated = ~np.isnan(diagnosticity)
    corrected = np.where(rated & ~rows_moving(codes), 0.0, diagnosticity)
    return corrected, rows_partly_rated(codes)


def _checked_ratings(ratings: npt.ArrayLike) -> npt.NDArray[np.int8]:
    array = np.asarray(ratings)
    if array.ndim != 3:
        raise ValueError(f"ratings must be 3-D (analysts, evidence, hypotheses), not {array.ndim}-D")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"ratings must hold integer codes, not {array.dtype}")
    if array.size:
        # Read as unsigned bytes, a negative int8 code is above CODE_NA: one pass over the matrix instead of two.
        low, high = (CODE_BLANK, array.view(np.uint8).max()) if array.dtype == np.int8 else (array.min(), array.max())
        if low < CODE_BLANK or high > CODE_NA:
            raise ValueError(f"rating codes run from {CODE_BLANK} to {CODE_NA}")
    return np.require(array, np.int8, _KERNEL_ARRAY)


def _checked_weights(weights: npt.ArrayLike, n_evidence: int) -> FloatArray:
    weight = np.require(weights, np.float64, _KERNEL_ARRAY)
    if weight.shape != (n_evidence,):
        raise ValueError(f"weights must have shape ({n_evidence},), not {weight.shape}")
    if not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise ValueError("weights must be finite and non-negative")
    return weight


def _checked_priors(priors: npt.ArrayLike, n_hypotheses: int) -> FloatArray:
    prior = np.require(priors, np.float64, _KERNEL_ARRAY)
    if prior.shape != (n_hypotheses,):
        raise ValueError(f"priors must have shape ({n_hypotheses},), not {prior.shape}")
    if not np.all(np.isfinite(prior)) or np.any(prior < 0):
        raise ValueError("priors must be finite and non-negative")
    if n_hypotheses and abs(prior.sum() - 1.0) > 1e-6:
        raise ValueError(f"priors must sum to 1, not {prior.sum()}")
    return prior


@dataclass(frozen=True)
class _Model:
    """What the posterior needs of each item: its discounted likelihood per rated label, r(e), origin."""

    likelihood: FloatArray  # ℓ of CC…II (5,)
    reliability: FloatArray  # (E,)
    p: FloatArray  # r(e)·ℓ + (1 − r(e))·½ per item and rated label (E, 5)
    log_p: FloatArray
    origins: IntArray  # (E,), −1 independent
    # A hypothesis whose analyst log-posterior trails that analyst's leader by more than this stays negligible
    # without any one item (see ``_NEGLIGIBLE_LOG_ODDS``).
    cutoff: float

    def arrays(self) -> tuple[FloatArray, FloatArray, IntArray, float]:
        """The model's arguments of ``_kernels.team_without_each``."""
        return self.p, self.log_p, self.origins, self.cutoff


def _model(
    likelihoods: Mapping[str, float] | None,
    reliability: npt.ArrayLike | None,
    origins: npt.ArrayLike | None,
    n_evidence: int,
) -> _Model:
    table = likelihoods_checked(likelihoods)
    likelihood = np.array([table[label] for label in RATED_LABELS])
    r = np.ones(n_evidence) if reliability is None else np.require(reliability, np.float64, _KERNEL_ARRAY)
    if r.shape != (n_evidence,):
        raise ValueError(f"reliability must have shape ({n_evidence},), not {r.shape}")
    if not np.all((r > 0) & (r <= 1)):
        raise ValueError("reliabilities must lie in (0, 1]")
    group = np.full(n_evidence, -1, dtype=np.int64) if origins is None else np.require(origins, np.int64, _KERNEL_ARRAY)
    if group.shape != (n_evidence,) or (group.size and group.min() < -1):
        raise ValueError(f"origins must be ({n_evidence},) group numbers, −1 for independent")
    p = r[:, None] * likelihood + (1 - r[:, None]) * 0.5
    log_p = np.log(p)
    # The most one item can move an analyst's log-odds between two hypotheses.
    reach = float((log_p.max(axis=1) - log_p.min(axis=1)).max()) if n_evidence else 0.0
    return _Model(
        likelihood=likelihood,
        reliability=r,
        p=p,
        log_p=log_p,
        origins=group,
        cutoff=reach + _NEGLIGIBLE_LOG_ODDS,
    )


@dataclass
class _PoolState:
    """Each analyst's posterior over the items kept, and what removing one more item needs.

    log_posterior (A, H) unnormalised; row_rated (A, E) cells rated CC…II in each row; row_mean (A, E) the
    discounted row-mean likelihood that NA and blank cells take (rule 3a); origin_count (A, G) the n of each
    origin per analyst.
    """

    prior: FloatArray
    log_posterior: FloatArray
    posterior: FloatArray
    pool_weight: IntArray
    row_rated: IntArray
    row_mean: FloatArray
    origin_count: IntArray

    def team_posterior(self) -> FloatArray:
        return _pool(self.posterior, self.pool_weight, self.prior)

    def arrays(self) -> tuple[FloatArray, FloatArray, IntArray, IntArray, FloatArray, IntArray]:
        """The state's arguments of ``_kernels.team_without_each``."""
        return self.prior, self.log_posterior, self.pool_weight, self.row_rated, self.row_mean, self.origin_count


def _pool(posterior: FloatArray, pool_weight: npt.ArrayLike, prior: FloatArray) -> FloatArray:
    """Stone's linear pool weighted by rated cells; the priors when no weight remains."""
    weight = np.asarray(pool_weight, dtype=np.float64)
    total = weight.sum()
    if total <= 0:
        return prior.copy()
    return weight @ posterior / total


def _pool_state(codes: npt.NDArray[np.int8], prior: FloatArray, model: _Model) -> _PoolState:
    """Rules 3a–d for every analyst (``_kernels.pool_state``)."""
    from . import _kernels

    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    n_origins = int(model.origins.max()) + 1 if model.origins.size else 0
    log_posterior, row_rated, row_mean, origin_count = _kernels.pool_state(
        codes, log_prior, model.likelihood, model.reliability, model.log_p, model.origins, n_origins
    )
    return _PoolState(
        prior=prior,
        log_posterior=log_posterior,
        posterior=_normalised(log_posterior),
        pool_weight=row_rated.sum(axis=1),
        row_rated=row_rated,
        row_mean=row_mean,
        origin_count=origin_count,
    )


def _normalised(log_weights: FloatArray) -> FloatArray:
    if log_weights.shape[-1] == 0:
        return np.zeros_like(log_weights)
    shifted = np.exp(log_weights - log_weights.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


# --- Why the two leaders differ: each item's part in the log-odds between two hypotheses ----------------


def log_odds_contributions(
    ratings: npt.ArrayLike,
    first: int,
    second: int,
    likelihoods: Mapping[str, float] | None = None,
    *,
    reliability: npt.ArrayLike | None = None,
    origins: npt.ArrayLike | None = None,
) -> FloatArray:
    """Each item's contribution (A, E) to each analyst's log-odds ln(P(first) / P(second)), in nats.

    By rule 3: c(a, e) = [ln p(a,e,first) − ln p(a,e,second)] / n(a,e), p the discounted likelihood (NA
    and blank take the row's mean ℓ), n the analyst's count of rated rows sharing the item's origin; 0 for
    a row the analyst rated none of CC…II. So ln(prior ratio) + Σ_e c(a, e) is exactly the log-odds of the
    analyst's posterior: the split is exact for each analyst.
    """
    codes = _checked_ratings(ratings)
    n_analysts, n_evidence, n_hypotheses = codes.shape
    if not (0 <= first < n_hypotheses and 0 <= second < n_hypotheses):
        raise ValueError("first and second must be hypothesis indices")
    model = _model(likelihoods, reliability, origins, n_evidence)
    numeric = (codes >= CODE_CC) & (codes <= CODE_II)
    ell = np.where(numeric, model.likelihood[np.clip(codes, CODE_CC, CODE_II) - CODE_CC], 0.0)
    rated = numeric.sum(axis=2)
    row_mean = np.divide(ell.sum(axis=2), rated, out=np.zeros((n_analysts, n_evidence)), where=rated > 0)
    r = model.reliability[None, :]

    def log_p(h: int) -> FloatArray:
        own = np.where(numeric[:, :, h], ell[:, :, h], row_mean)
        # A row the analyst rated none of CC…II has no likelihood (log 0 at r = 1): masked out below.
        with np.errstate(divide="ignore"):
            return np.log(r * own + (1 - r) * 0.5)

    counts = np.ones((n_analysts, n_evidence))
    has_rows = rated > 0
    for group in np.unique(model.origins[model.origins >= 0]):
        members = model.origins == group
        counts[:, members] = np.maximum(has_rows[:, members].sum(axis=1, keepdims=True), 1)
    with np.errstate(invalid="ignore"):
        return np.where(has_rows, (log_p(first) - log_p(second)) / counts, 0.0)


def team_log_odds_contributions(contributions: npt.ArrayLike, pool_weight: npt.ArrayLike) -> FloatArray:
    """The team's (E,) split: each item's contribution averaged over the analysts with the pool weights
    (rule 3e). The team posterior is a linear pool, whose log-odds has no exact split by item; this is the
    weighted mean of the analysts' exact splits, which says which items move the analysts apart."""
    values = np.asarray(contributions, dtype=np.float64)
    weight = np.asarray(pool_weight, dtype=np.float64)
    if weight.sum() <= 0:
        return np.zeros(values.shape[1] if values.ndim == 2 else 0)
    return weight @ values / weight.sum()


def lead_rests_on_consistency(contributions: npt.ArrayLike, consensus: npt.ArrayLike, first: int, second: int) -> bool:
    """Whether ``first``'s lead over ``second`` rests only on consistent-versus-neutral evidence.

    Heuer (1999, ch. 8): evidence consistent with a hypothesis is weak support, because it is usually
    consistent with others too; only inconsistency tells hypotheses apart. True when the items whose
    consensus is I or II on either hypothesis, taken alone, favour ``second`` or neither (their summed
    contribution ≤ 0) while the whole sum favours ``first``.
    """
    c = np.asarray(contributions, dtype=np.float64)
    codes = np.asarray(consensus)
    inconsistent = np.isin(codes[:, [first, second]], (CODE_I, CODE_II)).any(axis=1) if c.size else np.zeros(0, bool)
    return bool(c.sum() > 0 and c[inconsistent].sum() <= 0)


# --- Sensitivity: how fragile the lead is --------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """``items_to_change_leader`` removals, or None when the lead held; ``removal_order`` item indices."""

    items_to_change_leader: int | None
    removal_order: list[int]
    searched: int


@dataclass(frozen=True)
class Overlap:
    first: int
    second: int
    shared: int
    either: int

    @property
    def warns(self) -> bool:
        return self.shared >= OVERLAP_MIN_SHARED and self.shared / self.either >= OVERLAP_MIN_RATIO


def items_to_change_leader(
    ratings: npt.ArrayLike,
    priors: npt.ArrayLike,
    likelihoods: Mapping[str, float] | None = None,
    *,
    reliability: npt.ArrayLike | None = None,
    origins: npt.ArrayLike | None = None,
    max_removals: int = MAX_REMOVALS,
) -> Sensitivity:
    """Greedy search for the fewest items whose removal changes the leader by team posterior.

    L0 leads the whole matrix. Repeatedly remove the item whose removal leaves the smallest margin
    p(L0) − max over h ≠ L0 of p(h), every removal re-scoring the reduced matrix (rule 7); margins within
    ``TIE_TOLERANCE`` of the smallest are tied and the earliest item in matrix order goes. Stop when the
    leader (``leader_of``) is no longer L0, after ``max_removals`` removals, or when no item is left
    (the priors, a change when their leader differs). With fewer than two hypotheses nothing can change.
    """
    from . import _kernels

    codes = _checked_ratings(ratings)
    _, n_evidence, n_hypotheses = codes.shape
    prior = _checked_priors(priors, n_hypotheses)
    model = _model(likelihoods, reliability, origins, n_evidence)
    if n_hypotheses < 2:
        return Sensitivity(items_to_change_leader=None, removal_order=[], searched=0)
    state = _pool_state(codes, prior, model)
    first = leader_of(state.team_posterior())
    removed, changed = _kernels.removals_to_change_leader(
        codes, *state.arrays(), *model.arrays(), first, max_removals, TIE_TOLERANCE
    )
    order = removed.tolist()
    return Sensitivity(items_to_change_leader=len(order) if changed else None, removal_order=order, searched=len(order))


# The reversal of ``source_sensitivity``: what each rating says if the source lies (CC↔II, C↔I; N, NA and blank stay).
REVERSED_CODES = np.array([CODE_BLANK, CODE_II, CODE_I, CODE_N, CODE_C, CODE_CC, CODE_NA], dtype=np.int8)


@dataclass(frozen=True)
class SourceSensitivity:
    """Team posteriors (G, H), one row per origin group: without the group's items, and with them reversed."""

    without: FloatArray
    reversed: FloatArray


def source_sensitivity(
    ratings: npt.ArrayLike,
    priors: npt.ArrayLike,
    likelihoods: Mapping[str, float] | None = None,
    *,
    reliability: npt.ArrayLike | None = None,
    origins: npt.ArrayLike | None = None,
) -> SourceSensitivity:
    """How much the team's posterior rests on each source (an origin group of rule 3c).

    Without: the team posterior with every item of the group left out, scored as if they never existed
    (each analyst's log-posterior loses the group's term Σ_e log p / n, and the cells rated CC…II in those
    rows leave the pool weights). Reversed ("what if this source lies?", Heuer & Pherson's deception
    check): every rating of the group's items turned around, CC↔II and C↔I, N, NA and blank unchanged,
    the pool weights as they are. Both are exact: the same as ``score_assessment`` of the reduced or
    reversed matrix, for one pass over the group's rows each instead of a whole rescoring.
    """
    codes = _checked_ratings(ratings)
    _, n_evidence, n_hypotheses = codes.shape
    prior = _checked_priors(priors, n_hypotheses)
    model = _model(likelihoods, reliability, origins, n_evidence)
    n_groups = int(model.origins.max()) + 1 if model.origins.size else 0
    without = np.empty((n_groups, n_hypotheses))
    reversed_ = np.empty((n_groups, n_hypotheses))
    if n_groups == 0:
        return SourceSensitivity(without=without, reversed=reversed_)
    state = _pool_state(codes, prior, model)
    for group in range(n_groups):
        members = np.flatnonzero(model.origins == group)
        rows = codes[:, members, :]
        term, rated = _group_term(rows, model, members)
        kept = state.log_posterior - term
        without[group] = _pool(_normalised(kept), state.pool_weight - rated, prior)
        flipped, _ = _group_term(REVERSED_CODES[rows], model, members)
        reversed_[group] = _pool(_normalised(kept + flipped), state.pool_weight, prior)
    return SourceSensitivity(without=without, reversed=reversed_)


def _group_term(rows: npt.NDArray[np.int8], model: "_Model", members: IntArray) -> tuple[FloatArray, IntArray]:
    """One origin group's part (A, H) of each analyst's log-posterior (rules 3a–c), and the cells (A,) of its
    rows rated CC…II."""
    numeric = (rows >= CODE_CC) & (rows <= CODE_II)
    ell = np.where(numeric, model.likelihood[np.clip(rows, CODE_CC, CODE_II) - CODE_CC], 0.0)
    counted = numeric.sum(axis=2)
    mean = np.divide(ell.sum(axis=2), counted, out=np.zeros(counted.shape), where=counted > 0)
    r = model.reliability[members][None, :, None]
    own = np.where(numeric, ell, mean[:, :, None])
    with np.errstate(divide="ignore"):
        log_p = np.where(counted[:, :, None] > 0, np.log(r * own + (1 - r) * 0.5), 0.0)
    n = np.maximum((counted > 0).sum(axis=1), 1)
    return log_p.sum(axis=1) / n[:, None], counted.sum(axis=1)


def team_without_analysts(
    analyst_posterior: npt.ArrayLike, pool_weight: npt.ArrayLike, priors: npt.ArrayLike
) -> FloatArray:
    """Team posterior (A, H) with each analyst in turn left out; the priors when nobody else counts."""
    posterior = np.asarray(analyst_posterior, dtype=np.float64)
    weight = np.asarray(pool_weight, dtype=np.float64)
    prior = np.asarray(priors, dtype=np.float64)
    return np.array(
        [
            _pool(posterior, np.where(np.arange(len(weight)) == left_out, 0.0, weight), prior)
            for left_out in range(len(weight))
        ]
    ).reshape(len(weight), len(prior))


def hypothesis_overlaps(consensus: npt.ArrayLike) -> list[Overlap]:
    """For each pair of hypotheses, the items whose consensus is C or CC for both and for either.

    A pair ``warns`` when shared ≥ 5 and shared / either ≥ 0.6: the hypotheses may not be mutually
    exclusive, which the posterior assumes (Heuer: hypotheses should compete).
    """
    codes = np.asarray(consensus)
    consistent = ((codes == CODE_CC) | (codes == CODE_C)).astype(np.int64)
    both = consistent.T @ consistent
    count = consistent.sum(axis=0)
    n_hypotheses = codes.shape[1] if codes.ndim == 2 else 0
    return [
        Overlap(first=i, second=j, shared=int(both[i, j]), either=int(count[i] + count[j] - both[i, j]))
        for i in range(n_hypotheses)
        for j in range(i + 1, n_hypotheses)
    ]


# --- Analysts' own probabilities and calibration -------------------------------------------------------


def stated_incoherence(percents: Sequence[float]) -> float:
    """|sum − 100|: how far an analyst's stated probabilities, in percent, are from adding up."""
    return abs(float(np.sum(np.asarray(percents, dtype=np.float64))) - 100.0)


def stated_normalised(percents: Sequence[float]) -> FloatArray:
    """Stated percentages as probabilities summing to 1. Each must be in [0, 100] and one above 0."""
    values = np.asarray(percents, dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values > 100):
        raise ValueError("each stated probability must be a percentage between 0 and 100")
    if values.sum() <= 0:
        raise ValueError("at least one stated probability must be above 0")
    return values / values.sum()


def stated_pool(normalised: Sequence[Sequence[float] | FloatArray]) -> FloatArray | None:
    """The mean of the analysts' latest normalised statements; None when nobody has stated any."""
    values = np.asarray(normalised, dtype=np.float64)
    return values.mean(axis=0) if len(values) else None


# Percentage points of incoherence that divide an analyst's weight by e: 10 points (numbers adding to 90 or 110).
COHERENCE_SCALE = 10.0


def coherence_weights(incoherence: Sequence[float]) -> FloatArray:
    """Weights of analysts' statements decreasing with their incoherence (Karvetski, Olson, Mandel & Twardy,
    "Probabilistic coherence weighting for optimizing expert forecasts", *Decision Analysis* 10(4), 2013:
    judges whose probabilities break the rules of probability more forecast worse, so they count less).

    w_a = exp(−d_a / s), d_a = |Σ_h stated_a(h) − 100| in percentage points, s = ``COHERENCE_SCALE`` (10):
    a coherent statement weighs 1, one adding to 110 % weighs e⁻¹ ≈ 0.37, one adding to 150 % e⁻⁵ ≈ 0.007.
    """
    d = np.asarray(incoherence, dtype=np.float64)
    return np.exp(-d / COHERENCE_SCALE)


def stated_pool_coherence_weighted(
    normalised: Sequence[Sequence[float] | FloatArray], incoherence: Sequence[float]
) -> FloatArray | None:
    """Σ_a w_a · p_a / Σ_a w_a over the analysts' normalised statements p_a, w_a from ``coherence_weights``."""
    values = np.asarray(normalised, dtype=np.float64)
    if not len(values):
        return None
    weights = coherence_weights(incoherence)
    return weights @ values / weights.sum()


def brier_score(probabilities: Sequence[float] | npt.NDArray[np.float64], outcome: int | None) -> float:
    """Brier (1950): Σ_h (p_h − o_h)², o_h 1 for the hypothesis that proved true, 0 for the others.

    ``outcome`` None is "none of these": every o_h is 0. 0 is perfect; 2 is confidently wrong.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    observed = np.zeros_like(p)
    if outcome is not None:
        observed[outcome] = 1.0
    return float(((p - observed) ** 2).sum())


def brier_skill_score(probabilities: Sequence[float], outcome: int | None) -> float:
    """Brier skill score against the uniform forecast: 1 − BS / BS_uniform (Murphy, 1973).

    The uniform forecast 1/n on each of n hypotheses scores BS_uniform = 1 − 1/n when one of them proved true
    (1/n when none did), so a raw Brier score grows with the number of hypotheses; the skill score does not.
    1 is perfect, 0 no better than spreading the probability evenly, below 0 worse than that.
    """
    n = len(probabilities)
    if n == 0:
        raise ValueError("no probabilities to score")
    uniform = brier_score(np.full(n, 1.0 / n), outcome)
    return 1.0 - brier_score(probabilities, outcome) / uniform


# A stated 0 % on what proved true would make the log score infinite: it is floored here (ln 10⁻⁴ ≈ −9.21).
LOG_SCORE_FLOOR = 1e-4


def log_score(probabilities: Sequence[float], outcome: int | None) -> float | None:
    """The logarithmic score (Good, 1952): ln p(true hypothesis), in nats; 0 is perfect, lower is worse.

    p is floored at ``LOG_SCORE_FLOOR``. None when no listed hypothesis proved true (nothing to score).
    """
    if outcome is None:
        return None
    return float(np.log(max(float(np.asarray(probabilities, dtype=np.float64)[outcome]), LOG_SCORE_FLOOR)))


RELIABILITY_BINS: tuple[float, ...] = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
RELIABILITY_MIN_FORECASTS = 10


@dataclass(frozen=True)
class ReliabilityRow:
    low: float
    high: float
    count: int
    mean_forecast: float | None
    observed: float | None  # the share of these forecasts whose hypothesis proved true


def reliability_table(forecasts: Iterable[tuple[float, bool]]) -> list[ReliabilityRow]:
    """A reliability diagram as a table (Murphy & Winkler, 1977): forecasts (p, came true) binned by p.

    Bins [0, .1), [.1, .3), [.3, .5), [.5, .7), [.7, .9), [.9, 1]; a calibrated forecaster's observed
    frequency in each bin is near its mean forecast. Every probability given to a hypothesis of a resolved
    assessment is one forecast (an assessment of n hypotheses gives n).
    """
    edges = RELIABILITY_BINS
    sums: list[tuple[int, float, int]] = [(0, 0.0, 0) for _ in range(len(edges) - 1)]
    for p, came_true in forecasts:
        index = min(int(np.searchsorted(edges, p, side="right")) - 1, len(edges) - 2)
        count, total, hits = sums[max(index, 0)]
        sums[max(index, 0)] = (count + 1, total + p, hits + int(came_true))
    return [
        ReliabilityRow(
            low=edges[i],
            high=edges[i + 1],
            count=count,
            mean_forecast=total / count if count else None,
            observed=hits / count if count else None,
        )
        for i, (count, total, hits) in enumerate(sums)
    ]


def misleading_evidence(consensus: npt.ArrayLike, outcome: int | None) -> list[int]:
    """Items whose consensus on the true hypothesis was I or II (none when no listed hypothesis was true)."""
    if outcome is None:
        return []
    column = np.asarray(consensus)[:, outcome]
    return np.flatnonzero((column == CODE_I) | (column == CODE_II)).tolist()


def kernels_warm() -> None:
    """Compile every scoring kernel, or load it from numba's cache, on a tiny matrix.

    A cold compile takes seconds: ``make install``, gunicorn's master and each Celery worker process call
    this at start, so no request or task pays for it (the compiled code is cached beside the module).
    """
    ratings = np.array([[[1, 2], [3, 6], [0, 5]], [[2, 1], [4, 3], [5, 0]]], dtype=np.int8)
    priors = np.full(2, 0.5)
    reliability = np.array([0.9, 0.5, 0.7])
    origins = np.array([-1, 0, 0])
    score_assessment(ratings, np.ones(3), priors, reliability=reliability, origins=origins)
    items_to_change_leader(ratings, priors, reliability=reliability, origins=origins)
    cell_scores(ratings)
    leader_of(priors)
