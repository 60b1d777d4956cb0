"""Scores of an Analysis of Competing Hypotheses matrix: per analyst, for the team, per cell and per item.

Pure numpy, no Django. A matrix is an int8 array of rating codes shaped (analysts, evidence, hypotheses);
see ``RATING_LABELS`` for the codes. ``score_assessment`` computes every score in one call, ``sensitivity``
how fragile the lead is, and the helpers at the end the analysts' own probabilities and their calibration.

Sources of the rules: inconsistency counting, Heuer, *Psychology of Intelligence Analysis* (1999), ch. 8;
weights, PARC ACH; consensus, disagreement and diagnosticity, Open Synthesis; discounting an item by the
reliability of its source and counting dependent items once, Schum, *Evidential Foundations of
Probabilistic Reasoning* (1994), on credibility and redundant evidence; the team posterior, Stone's linear
opinion pool (1961); the score of stated probabilities, Brier (1950); negative indications, Grabo,
*Anticipating Surprise* (2002), in ``apps/indicators/validator.py``.

Ties of rankings are decided the same way everywhere. Values within ``TIE_TOLERANCE`` of each other are
tied, and a tie group is built by sorting the values and merging neighbours that are within the tolerance
(so a group may span more than the tolerance when it chains). Among tied hypotheses the lowest index wins.
The leader by posterior is simpler: every posterior within ``TIE_TOLERANCE`` of the highest is tied, and
the earliest hypothesis leads (``leader_of``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CODE_BLANK = 0
CODE_CC = 1
CODE_C = 2
CODE_N = 3
CODE_I = 4
CODE_II = 5
CODE_NA = 6

RATING_LABELS: list[str] = ["", "CC", "C", "N", "I", "II", "NA"]
RATING_CODES: dict[str, int] = {label: code for code, label in enumerate(RATING_LABELS)}
RATING_VALUES: dict[str, int] = {"CC": 2, "C": 1, "N": 0, "I": -1, "II": -2}

DEFAULT_LIKELIHOODS: dict[str, float] = {"CC": 0.95, "C": 0.80, "N": 0.50, "I": 0.20, "II": 0.05, "NA": 0.50, "": 0.50}
# The labels whose likelihood counts; NA and blank take the mean of the row's rated likelihoods (rule 1), so
# their entries in a likelihood map are accepted and ignored.
RATED_LABELS: tuple[str, ...] = ("CC", "C", "N", "I", "II")
_RATED_CODES = np.array([RATING_CODES[label] for label in RATED_LABELS], dtype=np.int8)
_RATED_SLICE = slice(CODE_CC, CODE_II + 1)  # the codes of RATED_LABELS are consecutive

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

_POINTS = np.array([0, 0, 0, 0, 1, 2, 0], dtype=np.int64)

# The codes counted cell by cell; N is whatever they leave over. Analysts' counts need only a prefix of
# these (see ``_count_codes``), so the codes every score needs come first.
_PLANES = [CODE_I, CODE_II, CODE_CC, CODE_C, CODE_NA, CODE_BLANK]

# A hypothesis whose analyst posterior trails that analyst's leader by this many nats more than one item can
# move it contributes under e**-40 (about 4e-18) to any posterior without one item: below float precision
# beside the leader, and far below the tie tolerance.
_NEGLIGIBLE_LOG_ODDS = 40.0

MAX_REMOVALS = 100
OVERLAP_MIN_SHARED = 5
OVERLAP_MIN_RATIO = 0.6

# Evidence is handled in blocks of about this many cells: small blocks stay in cache and let the allocator
# hand back the same memory, instead of faulting in fresh pages for every temporary array.
# Finding leaders makes fewer temporaries, so larger blocks pay off there (both sizes were measured).
_CELLS_PER_BLOCK = 1 << 14
_LEADER_CELLS_PER_BLOCK = 1 << 16

# Rows added at a time in bytes when counting codes per analyst; at most 255 so the byte sums cannot overflow.
_GROUP = 32

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class AssessmentScores:
    """All scores of one matrix of A analysts, E evidence items and H hypotheses; the arrays are read-only.

    Shapes: analyst_* (A, H), analyst_rated_any and analyst_pool_weight (A,); consensus, disagreement (E, H);
    diagnosticity, not_diagnostic, linchpin_* (E,); team_* and ranking (H,). Leaders are None when there are
    no hypotheses. Diagnosticity is NaN for an item nobody has rated ("not rated yet"), which is never
    ``not_diagnostic``.
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


def reliability_checked(setting: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float]]:
    """The reliability setting with the defaults filled in; every factor must lie in (0, 1].

    ``{"credibility": {"low": .5, "medium": .7, "high": .9}, "relevance": {"low": .5, "medium": .75,
    "high": 1.0}}`` are the defaults; a setting may give any part of it.
    """
    setting = setting or {}
    if not isinstance(setting, Mapping):
        raise ValueError("the reliability setting must map credibility and relevance to their factors")
    unknown = set(setting) - set(DEFAULT_RELIABILITY)
    if unknown:
        raise ValueError(f"unknown reliability factors {sorted(unknown)}; expected credibility and relevance")
    checked: dict[str, dict[str, float]] = {}
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
    return checked


def evidence_reliability(
    credibility: str, relevance: str, setting: Mapping[str, Mapping[str, float]] | None = None
) -> float:
    """r(e) = credibility factor × relevance factor (Schum: a source's reliability discounts its report)."""
    factors = reliability_checked(setting)
    try:
        return factors["credibility"][credibility.lower()] * factors["relevance"][relevance.lower()]
    except KeyError as unknown:
        raise ValueError(f"unknown level {unknown}; expected one of {list(LEVELS)}") from None


def origin_key(origin: str) -> str:
    """Origins are compared case-insensitively with whitespace collapsed; "" means independent."""
    return " ".join((origin or "").split()).casefold()


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
    values = np.asarray(posterior, dtype=np.float64)
    if values.size == 0:
        return None
    return int(np.argmax(values >= values.max() - TIE_TOLERANCE))


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
       a. Rated likelihood ℓ(a,e,h): ``likelihoods`` for CC, C, N, I, II (labels missing from it keep
          ``DEFAULT_LIKELIHOODS``); for NA and blank, the mean ℓ of the hypotheses a rated CC…II in the row.
          A row where a rated none of CC…II contributes nothing.
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
       An item nobody rated has none (NaN): it is not rated yet, not "not diagnostic".
    6. Linchpin: removing the item changes the leader, by weighted inconsistency (the first of the ranking) or
       by team posterior (``leader_of``). Without the item the matrix is scored again as if it never
       existed: its origin's n, the pool weights, the consensus and the ranking's posterior tie-break.
       Nothing is a linchpin with fewer than two hypotheses.
    7. Ranking: see ``rank_hypotheses``; the leader by posterior: see ``leader_of``.

    Team inconsistencies count the consensus I and II; consensus NA and blank count 0.

    ``ratings`` holds codes (A, E, H); ``weights`` w(e) (E,); ``priors`` (H,) summing to 1; ``reliability``
    r(e) in (0, 1] (E,), default 1 (no discount); ``origins`` (E,) group numbers from ``origin_groups``, −1
    for independent, default all independent. Malformed input (codes outside 0–6, mismatched shapes,
    negative weights, priors not summing to 1, unknown likelihood labels or likelihoods outside (0, 1],
    reliabilities outside (0, 1]) raises ValueError.
    """
    codes = _checked_ratings(ratings)
    n_analysts, n_evidence, n_hypotheses = codes.shape
    weight = _checked_weights(weights, n_evidence)
    prior = _checked_priors(priors, n_hypotheses)
    model = _model(likelihoods, reliability, origins, n_evidence)

    class_weights, class_index = np.unique(weight, return_inverse=True)
    cells, counts, rated_cells = _count_codes(codes, class_index, len(class_weights))

    points = counts[:, :, CODE_I] + 2 * counts[:, :, CODE_II]
    analyst_inconsistency = points.sum(axis=1)
    analyst_weighted = np.einsum("k,akh->ah", class_weights, points.astype(np.float64))
    state = _pool_state(codes, prior, model)
    team_posterior = state.team_posterior()

    consensus, disagreement, diagnosticity = _cell_scores(cells, n_analysts)
    team_inconsistency, team_weighted = _team_inconsistency(consensus, weight)
    ranking = rank_hypotheses(team_weighted, team_posterior)
    leader_by_inconsistency = leader_by_posterior = None
    if n_hypotheses:
        leader_by_inconsistency = int(ranking[0])
        leader_by_posterior = leader_of(team_posterior)
    linchpin_inconsistency = np.zeros(n_evidence, dtype=bool)
    linchpin_posterior = np.zeros(n_evidence, dtype=bool)
    if n_hypotheses >= 2 and n_evidence:
        posterior_without = _team_posterior_without_each(codes, state, model)
        for items in _blocks(n_evidence, n_hypotheses, _LEADER_CELLS_PER_BLOCK):
            weighted_without = team_weighted[:, None] - weight[items] * _POINTS.take(consensus[items].T)
            without_item = posterior_without[:, items]
            linchpin_inconsistency[items] = _leaders(weighted_without, without_item) != leader_by_inconsistency
            linchpin_posterior[items] = _posterior_leaders(without_item) != leader_by_posterior

    unrated = np.isnan(diagnosticity)
    return AssessmentScores(
        analyst_inconsistency=analyst_inconsistency,
        analyst_weighted_inconsistency=analyst_weighted,
        analyst_posterior=state.posterior,
        analyst_rated_any=rated_cells > 0,
        analyst_pool_weight=state.pool_weight,
        consensus=consensus,
        disagreement=disagreement,
        diagnosticity=diagnosticity,
        not_diagnostic=~unrated & (np.where(unrated, 1.0, diagnosticity) < NOT_DIAGNOSTIC_TOLERANCE),
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
    codes = _checked_ratings(ratings)
    cells = np.stack([(codes == code).sum(axis=0) for code in _PLANES])
    return _cell_scores(cells, codes.shape[0])


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
    return np.ascontiguousarray(array, dtype=np.int8)


def _checked_weights(weights: npt.ArrayLike, n_evidence: int) -> FloatArray:
    weight = np.asarray(weights, dtype=np.float64)
    if weight.shape != (n_evidence,):
        raise ValueError(f"weights must have shape ({n_evidence},), not {weight.shape}")
    if not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise ValueError("weights must be finite and non-negative")
    return weight


def _checked_priors(priors: npt.ArrayLike, n_hypotheses: int) -> FloatArray:
    prior = np.asarray(priors, dtype=np.float64)
    if prior.shape != (n_hypotheses,):
        raise ValueError(f"priors must have shape ({n_hypotheses},), not {prior.shape}")
    if not np.all(np.isfinite(prior)) or np.any(prior < 0):
        raise ValueError("priors must be finite and non-negative")
    if n_hypotheses and abs(prior.sum() - 1.0) > 1e-6:
        raise ValueError(f"priors must sum to 1, not {prior.sum()}")
    return prior


@dataclass(frozen=True)
class _Model:
    """What the posterior needs of each item: its discounted log-likelihood per rated label, r(e), origin."""

    likelihood: FloatArray  # ℓ of CC…II (5,)
    log_p: FloatArray  # log(r(e)·ℓ + (1 − r(e))·½) per item and rated label (E, 5)
    reliability: FloatArray  # (E,)
    origins: IntArray  # (E,), −1 independent
    n_origins: int
    reach: float  # the most one item can move an analyst's log-odds between two hypotheses


def _model(
    likelihoods: Mapping[str, float] | None,
    reliability: npt.ArrayLike | None,
    origins: npt.ArrayLike | None,
    n_evidence: int,
) -> _Model:
    table = {**DEFAULT_LIKELIHOODS, **(likelihoods or {})}
    unknown = set(table) - set(RATING_CODES)
    if unknown:
        raise ValueError(f"unknown rating labels in likelihoods: {sorted(unknown)}")
    probability = np.array([float(table[label]) for label in RATING_LABELS])
    if not np.all((probability > 0) & (probability <= 1)):
        raise ValueError("likelihoods must lie in (0, 1]")
    likelihood = probability[_RATED_CODES]
    r = np.ones(n_evidence) if reliability is None else np.asarray(reliability, dtype=np.float64)
    if r.shape != (n_evidence,):
        raise ValueError(f"reliability must have shape ({n_evidence},), not {r.shape}")
    if not np.all((r > 0) & (r <= 1)):
        raise ValueError("reliabilities must lie in (0, 1]")
    group = np.full(n_evidence, -1, dtype=np.int64) if origins is None else np.asarray(origins, dtype=np.int64)
    if group.shape != (n_evidence,) or (group.size and group.min() < -1):
        raise ValueError(f"origins must be ({n_evidence},) group numbers, −1 for independent")
    log_p = np.log(r[:, None] * likelihood + (1 - r[:, None]) * 0.5)
    return _Model(
        likelihood=likelihood,
        log_p=log_p,
        reliability=r,
        origins=group,
        n_origins=int(group.max()) + 1 if group.size else 0,
        reach=float((log_p.max(axis=1) - log_p.min(axis=1)).max()) if n_evidence else 0.0,
    )


@dataclass
class _PoolState:
    """Each analyst's posterior over the items still kept, and what removing one more item needs.

    log_posterior (A, H) unnormalised; row_rated (A, E) cells rated CC…II in each kept row (0 in the others);
    row_log (A, E) the log of the discounted row-mean likelihood that NA and blank cells take (rule 1);
    origin_count (A, G) the n of each origin per analyst.
    """

    prior: FloatArray
    log_posterior: FloatArray
    posterior: FloatArray
    pool_weight: IntArray
    row_rated: IntArray
    row_log: FloatArray
    origin_count: IntArray

    def team_posterior(self) -> FloatArray:
        return _pool(self.posterior, self.pool_weight, self.prior)


def _pool(posterior: FloatArray, pool_weight: npt.ArrayLike, prior: FloatArray) -> FloatArray:
    """Stone's linear pool weighted by rated cells; the priors when no weight remains."""
    weight = np.asarray(pool_weight, dtype=np.float64)
    total = weight.sum()
    if total <= 0:
        return prior.copy()
    return weight @ posterior / total


def _pool_state(codes: npt.NDArray[np.int8], prior: FloatArray, model: _Model) -> _PoolState:
    """Rules 3a–d for every analyst.

    Subtracting a per-row constant changes no normalised posterior, so each row's terms are taken relative
    to the value its NA and blank cells take: those cells drop out, and an analyst's log-posterior is
    Σ_e share(e)·log p(e, label) over rated cells − Σ_e share(e)·row value × (rated cells of the row).
    Independent items of equal reliability share their log p, so the first sum is counted per reliability
    class (the items sorted by class, each analyst transposed to (H, E) so that sums run over contiguous
    memory); items with an origin are summed cell by cell; the second sum is one matrix-vector product.
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    log_posterior = np.tile(log_prior, (n_analysts, 1))
    row_rated = np.zeros((n_analysts, n_evidence), dtype=np.int64)
    row_log = np.zeros((n_analysts, n_evidence))
    origin_count = np.zeros((n_analysts, model.n_origins), dtype=np.int64)
    order, starts, class_log_p, n_independent = _reliability_classes(model)
    origins = model.origins[order]
    reliability = model.reliability[order]
    grouped_log_p = model.log_p[order[n_independent:]].T
    sorted_codes = np.empty((n_evidence, n_hypotheses), dtype=np.int8)
    transposed = np.empty((n_hypotheses, n_evidence), dtype=np.int8)
    planes = np.empty((len(_RATED_CODES), n_hypotheses, n_evidence), dtype=bool)
    rated = np.empty((n_hypotheses, n_evidence), dtype=bool)
    row_type = np.uint8 if n_hypotheses < 256 else np.int64
    class_type = np.uint16 if n_evidence < 1 << 16 else np.int64
    planes_bytes = planes.view(np.uint8)
    ends = np.append(starts[1:], n_independent).astype(np.intp)
    by_class = np.empty((len(_RATED_CODES), n_hypotheses, len(starts)), dtype=class_type)
    for analyst in range(n_analysts):
        np.take(codes[analyst], order, axis=0, out=sorted_codes)
        np.copyto(transposed, sorted_codes.T)
        for plane, code in enumerate(_RATED_CODES):
            np.equal(transposed, code, out=planes[plane])
        by_label = planes.view(np.uint8).sum(axis=1, dtype=row_type).astype(np.float64)
        counted = by_label.sum(axis=0)
        contributes = counted > 0
        if not contributes.any():
            continue
        r = reliability[contributes]
        row_value = np.zeros(n_evidence)
        row_value[contributes] = np.log(
            r * (model.likelihood @ by_label)[contributes] / counted[contributes] + (1 - r) / 2
        )
        share = contributes.astype(np.float64)
        total = np.zeros(n_hypotheses)
        if n_independent:
            # A sum per class runs faster than np.add.reduceat, which casts every element on the way.
            for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
                planes_bytes[:, :, start:end].sum(axis=2, dtype=class_type, out=by_class[:, :, k])
            total += np.einsum("phk,kp->h", by_class.astype(np.float64), class_log_p)
        if n_independent < n_evidence:
            in_group = contributes[n_independent:]
            group = origins[n_independent:][in_group]
            n = np.bincount(group, minlength=model.n_origins)
            origin_count[analyst] = n
            share[n_independent:][in_group] = 1.0 / n[group]
            cells = planes[:, :, n_independent:].astype(np.float64)
            coefficients = (share[n_independent:] * grouped_log_p)[:, :, None]
            total += np.matmul(cells, coefficients).sum(axis=0)[:, 0]
        np.less(transposed.view(np.uint8) - np.uint8(1), len(_RATED_CODES), out=rated)
        total -= rated.astype(np.float64) @ (share * row_value)
        log_posterior[analyst] += total
        row_rated[analyst, order] = counted
        row_log[analyst, order] = row_value
    return _PoolState(
        prior=prior,
        log_posterior=log_posterior,
        posterior=_normalised(log_posterior),
        pool_weight=row_rated.sum(axis=1),
        row_rated=row_rated,
        row_log=row_log,
        origin_count=origin_count,
    )


def _reliability_classes(model: _Model) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray, int]:
    """Items ordered independent first, by reliability class, then those with an origin; class starts and log p."""
    independent = model.origins < 0
    n_independent = int(independent.sum())
    # An item's log p follows from its reliability alone; unique over the 1-D reliabilities is far quicker
    # than over the rows of log p.
    _, first, class_index = np.unique(model.reliability[independent], return_index=True, return_inverse=True)
    classes = model.log_p[independent][first]
    class_index = class_index.reshape(-1)
    order = np.concatenate(
        (np.flatnonzero(independent)[np.argsort(class_index, kind="stable")], np.flatnonzero(~independent))
    )
    sizes = np.bincount(class_index, minlength=len(classes))
    starts = (np.cumsum(sizes) - sizes).astype(np.intp)
    return order, starts, classes.reshape(-1, len(_RATED_CODES)), n_independent


def _remove_item(codes: npt.NDArray[np.int8], state: _PoolState, model: _Model, item: int) -> None:
    """Rule 7 for one item, in place: each analyst who counted it loses its term and its cells from the pool
    weight, and the other items of its origin count 1/(n − 1) each."""
    group = int(model.origins[item])
    for analyst in np.flatnonzero(state.row_rated[:, item]):
        counts = state.row_rated[analyst] > 0
        logs = _cell_logs(
            codes[analyst][item : item + 1],
            state.row_log[analyst, item : item + 1],
            counts[item : item + 1],
            model.log_p[item : item + 1],
        )[0]
        change = -logs
        if group >= 0 and state.origin_count[analyst, group] > 1:
            members = np.flatnonzero(counts & (model.origins == group))
            group_sum = _cell_logs(
                codes[analyst][members], state.row_log[analyst, members], counts[members], model.log_p[members]
            ).sum(axis=0)
            n = state.origin_count[analyst, group]
            change = (group_sum - logs) / (n - 1) - group_sum / n
        if group >= 0:
            state.origin_count[analyst, group] -= 1
        state.log_posterior[analyst] += change
        state.pool_weight[analyst] -= state.row_rated[analyst, item]
        state.row_rated[analyst, item] = 0
    state.posterior = _normalised(state.log_posterior)


def _cell_logs(
    codes: npt.NDArray[np.int8], row_log: FloatArray, rated_rows: BoolArray, log_p: FloatArray
) -> FloatArray:
    """log p − the row's NA/blank value for an analyst's (E, k) cells; 0 for NA, blank and rows that do not count."""
    table = np.zeros((codes.shape[0], len(RATING_LABELS)))
    table[:, _RATED_CODES] = log_p - row_log[:, None]
    table[~rated_rows] = 0.0
    return np.take_along_axis(table, codes.astype(np.intp), axis=1)


def _team_posterior_without_each(codes: npt.NDArray[np.int8], state: _PoolState, model: _Model) -> FloatArray:
    """Team posterior (H, E) with each item in turn removed (rule 7): the priors when no weight would remain.

    Without item e an analyst's log-posterior loses its term; an item sharing an origin with others also
    raises their share from 1/n to 1/(n − 1): with S the sum of the origin's terms, the change is
    (S − L_e)/(n − 1) − S/n. The pool weight loses the row's rated cells. A hypothesis trailing the
    analyst's leader by more than ``_NEGLIGIBLE_LOG_ODDS`` plus what one item can move stays negligible
    whichever item goes, so it is left out of that analyst's sums.
    """
    _, n_evidence, n_hypotheses = codes.shape
    pooled = np.zeros((n_hypotheses, n_evidence))
    total = np.zeros(n_evidence)
    grouped = np.flatnonzero(model.origins >= 0)
    by_origin = grouped[np.argsort(model.origins[grouped], kind="stable")]
    row_offsets = np.arange(n_evidence) * len(RATING_LABELS)
    for analyst in np.flatnonzero(state.pool_weight > 0):
        weight_without = state.pool_weight[analyst] - state.row_rated[analyst]
        total += weight_without
        log_post = state.log_posterior[analyst]
        hypotheses = np.flatnonzero(log_post >= log_post.max() - (model.reach + _NEGLIGIBLE_LOG_ODDS))
        if hypotheses.size == 1:
            pooled[hypotheses[0]] += weight_without
            continue
        counts = state.row_rated[analyst] > 0
        # exp(−term) of every label in every row, looked up cell by cell: no exp over the cells themselves.
        factor = np.ones((n_evidence, len(RATING_LABELS)))
        np.exp(state.row_log[analyst, :, None] - model.log_p, out=factor[:, _RATED_SLICE])
        factor[~counts] = 1.0
        # Hypothesis-major (k, E), so that each sum and each addition runs over contiguous rows.
        cells = codes[analyst].T[hypotheses].astype(np.intp)
        cells += row_offsets
        share = factor.take(cells)
        in_group = by_origin[counts[by_origin]]
        if in_group.size:
            logs = _cell_logs(
                codes[analyst][in_group][:, hypotheses],
                state.row_log[analyst, in_group],
                counts[in_group],
                model.log_p[in_group],
            )
            origin = model.origins[in_group]
            # Members of an origin are adjacent, so each origin's sum is one segment of a reduceat.
            starts = np.flatnonzero(np.concatenate(([True], origin[1:] != origin[:-1])))
            group_sum = np.repeat(np.add.reduceat(logs, starts, axis=0), np.diff(starts, append=len(origin)), axis=0)
            n = state.origin_count[analyst][origin][:, None].astype(np.float64)
            # (S − L_e)/(n − 1) − S/n, in place; an item alone in its origin loses its own term, −S.
            change = group_sum - logs
            change /= np.maximum(n - 1, 1)
            change -= np.divide(group_sum, n, out=logs)
            alone = n[:, 0] == 1
            change[alone] = -group_sum[alone]
            share[:, in_group] = np.exp(change, out=change).T
        share *= np.exp(log_post[hypotheses] - log_post.max())[:, None]
        share *= weight_without / share.sum(axis=0)
        # Row by row: adding into a fancy-indexed selection would copy it out and back.
        for row, hypothesis in enumerate(hypotheses):
            pooled[hypothesis] += share[row]
    pooled /= np.maximum(total, 1)
    pooled[:, total <= 0] = state.prior[:, None]
    return pooled


def _posterior_leaders(posterior: FloatArray) -> npt.NDArray[np.intp]:
    """``leader_of`` each column of (H, N) posteriors."""
    return np.argmax(posterior >= posterior.max(axis=0) - TIE_TOLERANCE, axis=0)


def _blocks(n_evidence: int, width: int, cells: int = _CELLS_PER_BLOCK) -> list[slice]:
    """Slices of evidence items, each about ``cells`` cells of the given width."""
    rows = max(1, cells // max(width, 1))
    return [slice(start, min(start + rows, n_evidence)) for start in range(0, n_evidence, rows)]


def _count_codes(
    codes: npt.NDArray[np.int8], class_index: npt.NDArray[np.intp], n_classes: int
) -> tuple[npt.NDArray[np.integer], IntArray, IntArray]:
    """Code counts per cell over the analysts, and per analyst, weight class and hypothesis.

    Returns cells (len(_PLANES), E, H) in the order of ``_PLANES``; counts (A, classes, 7, H) by code, filled
    for I and II (the others never change a score counted here); and
    each analyst's number of rated cells.

    Each analyst's rows are regrouped by weight class, each class padded with blank rows to whole groups of
    ``_GROUP``, so that a class's counts come from two fast byte-wise sums (see ``_class_sums``).
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    needed = {CODE_I, CODE_II}
    # N has no plane of its own: counting it per analyst means counting every other code.
    n_analyst_planes = len(_PLANES) if CODE_N in needed else 1 + max(_PLANES.index(code) for code in needed)
    blank_plane = _PLANES.index(CODE_BLANK)

    order = np.argsort(class_index, kind="stable")
    sizes = np.bincount(class_index, minlength=n_classes)
    padded = -(-sizes // _GROUP) * _GROUP
    sources = np.cumsum(sizes) - sizes
    starts = np.cumsum(padded) - padded
    position = np.empty(n_evidence, dtype=np.intp)
    position[order] = np.arange(n_evidence) + np.repeat(starts - sources, sizes)

    slab = np.zeros((padded.sum(), n_hypotheses), dtype=np.int8)
    one_hot = np.empty((len(_PLANES), *slab.shape), dtype=bool)
    one_hot_bytes = one_hot.view(np.uint8)
    # Byte counters are the fastest to add into; they are flushed to wider ones before 255 analysts overflow them.
    running = np.zeros(one_hot.shape, dtype=np.uint8)
    cells = running if n_analysts <= 255 else np.zeros(one_hot.shape, dtype=np.int32)
    by_plane = np.zeros((n_analysts, n_classes, n_analyst_planes, n_hypotheses), dtype=np.int64)
    blank_cells = np.zeros(n_analysts, dtype=np.int64)
    # One analyst at a time keeps the one-hot planes in cache, which is what makes this loop fast.
    for analyst in range(n_analysts):
        for source, start, size in zip(sources, starts, sizes, strict=True):
            np.take(codes[analyst], order[source : source + size], axis=0, out=slab[start : start + size])
        for plane, code in enumerate(_PLANES):
            np.equal(slab, code, out=one_hot[plane])
        np.add(running, one_hot_bytes, out=running)
        if cells is not running and analyst % 255 == 254:
            cells += running
            running.fill(0)
        blank_cells[analyst] = np.count_nonzero(one_hot[blank_plane])
        for weight_class, (start, rows) in enumerate(zip(starts, padded, strict=True)):
            by_plane[analyst, weight_class] = _class_sums(one_hot_bytes[:n_analyst_planes, start : start + rows])
    if cells is not running:
        cells += running

    counts = np.zeros((n_analysts, n_classes, len(RATING_LABELS), n_hypotheses), dtype=np.int64)
    counts[:, :, _PLANES[:n_analyst_planes]] = by_plane
    if CODE_N in needed:
        counts[:, :, CODE_N] = padded[None, :, None] - by_plane.sum(axis=2)
    rated_cells = slab.size - blank_cells
    return cells.take(position, axis=1), counts, rated_cells


def _class_sums(block: npt.NDArray[np.uint8]) -> IntArray:
    """Sum a (planes, rows, H) block of 0/1 bytes over its rows, a whole number of ``_GROUP`` rows.

    The first pass adds ``_GROUP`` rows at a time in bytes over long contiguous runs, which numpy does
    fastest; the partial sums left are then added in wider integers.
    """
    planes, n_rows, width = block.shape
    groups = n_rows // _GROUP
    partial = block.reshape(planes, _GROUP, groups * width).sum(axis=1, dtype=np.uint8)
    return partial.reshape(planes, groups, width).sum(axis=1, dtype=np.uint16 if n_rows < 1 << 16 else np.int64)


def _normalised(log_weights: FloatArray) -> FloatArray:
    if log_weights.shape[-1] == 0:
        return np.zeros_like(log_weights)
    shifted = np.exp(log_weights - log_weights.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _cell_scores(
    cells: npt.NDArray[np.integer], n_analysts: int
) -> tuple[npt.NDArray[np.int8], FloatArray, FloatArray]:
    """Consensus codes, disagreement (E, H) and diagnosticity (E,) from the per-cell code counts.

    Counts are small integers, so float arithmetic on them is exact up to the final divisions; a zero
    denominator always comes with a zero numerator here, which is why dividing by at least 1 is enough.
    """
    _, n_evidence, n_hypotheses = cells.shape
    consensus = np.empty((n_evidence, n_hypotheses), dtype=np.int8)
    disagreement = np.empty((n_evidence, n_hypotheses))
    diagnosticity = np.empty(n_evidence)
    for rows in _blocks(n_evidence, n_hypotheses):
        n_i, n_ii, n_cc, n_c, n_na, n_blank = cells[:, rows].astype(np.float64)
        n_rated = n_analysts - n_blank
        n_numeric = n_rated - n_na
        total = 2 * (n_cc - n_ii) + (n_c - n_i)
        total_squares = 4 * (n_cc + n_ii) + (n_c + n_i)

        # Round |mean| to the nearest integer with halves going down; exact, since a half is representable.
        value = np.copysign(np.ceil(np.abs(total) / np.maximum(n_numeric, 1) - 0.5), total)
        code = np.where(n_na > n_numeric, CODE_NA, CODE_N - value)
        consensus[rows] = np.where(n_rated == 0, CODE_BLANK, code)

        indicator_variance = n_na * n_numeric / np.maximum(n_rated * (n_rated - 1), 1)
        value_variance = (n_numeric * total_squares - total**2) / np.maximum(n_numeric * (n_numeric - 1), 1)
        disagreement[rows] = np.sqrt(np.maximum(indicator_variance, value_variance))

        rated = n_rated > 0
        cell_mean = total / np.maximum(n_rated, 1)
        n_cells = np.maximum(rated.sum(axis=1), 1)
        deviation = np.where(rated, cell_mean - (cell_mean.sum(axis=1) / n_cells)[:, None], 0.0)
        # Nobody rated the item: it is "not rated yet", which NaN keeps apart from "not diagnostic".
        diagnosticity[rows] = np.where(rated.any(axis=1), np.sqrt((deviation**2).sum(axis=1) / n_cells), np.nan)
    return consensus, disagreement, diagnosticity


def _team_inconsistency(consensus: npt.NDArray[np.int8], weight: FloatArray) -> tuple[IntArray, FloatArray]:
    n_evidence, n_hypotheses = consensus.shape
    inconsistency = np.zeros(n_hypotheses, dtype=np.int64)
    weighted = np.zeros(n_hypotheses)
    for rows in _blocks(n_evidence, n_hypotheses):
        points = _POINTS.take(consensus[rows])
        inconsistency += points.sum(axis=0)
        weighted += weight[rows] @ points
    return inconsistency, weighted


def _leaders(weighted_inconsistency: FloatArray | None, posterior: FloatArray) -> npt.NDArray[np.intp]:
    """The first hypothesis of ``rank_hypotheses`` for each column of (H, N) scores, vectorised over columns.

    Without weighted inconsistencies, the lowest index of the top posterior tie group.
    """
    if weighted_inconsistency is not None:
        # Posteriors lie in [0, 1], so -1 keeps the other hypotheses out of the top posterior group.
        posterior = np.where(_lowest_tie_group(weighted_inconsistency), posterior, -1.0)
    return np.argmax(_lowest_tie_group(-posterior), axis=0)


def _lowest_tie_group(values: FloatArray) -> BoolArray:
    """Mask of each column's tie group that holds the column's minimum.

    The group grows from the minimum by every value within the tolerance of its largest member, which is
    the chain that ``rank_hypotheses`` builds over sorted values, usually found in one or two passes.
    """
    bound = values.min(axis=0)
    while True:
        grown = np.where(values - bound <= TIE_TOLERANCE, values, -np.inf).max(axis=0)
        if np.array_equal(grown, bound):
            return values <= bound
        bound = grown


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
    codes = _checked_ratings(ratings)
    _, n_evidence, n_hypotheses = codes.shape
    prior = _checked_priors(priors, n_hypotheses)
    model = _model(likelihoods, reliability, origins, n_evidence)
    if n_hypotheses < 2:
        return Sensitivity(items_to_change_leader=None, removal_order=[], searched=0)
    keep = np.ones(n_evidence, dtype=bool)
    state = _pool_state(codes, prior, model)
    first = leader_of(state.team_posterior())
    others = np.arange(n_hypotheses) != first
    order: list[int] = []
    while len(order) < max_removals and keep.any():
        without = _team_posterior_without_each(codes, state, model)
        candidates = np.flatnonzero(keep)
        margins = without[first, candidates] - without[others][:, candidates].max(axis=0)
        chosen = int(candidates[np.argmax(margins <= margins.min() + TIE_TOLERANCE)])
        keep[chosen] = False
        order.append(chosen)
        if leader_of(without[:, chosen]) != first:
            return Sensitivity(items_to_change_leader=len(order), removal_order=order, searched=len(order))
        _remove_item(codes, state, model, chosen)
    return Sensitivity(items_to_change_leader=None, removal_order=order, searched=len(order))


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


def stated_pool(normalised: Sequence[Sequence[float]]) -> FloatArray | None:
    """The mean of the analysts' latest normalised statements; None when nobody has stated any."""
    values = np.asarray(normalised, dtype=np.float64)
    return values.mean(axis=0) if len(values) else None


def brier_score(probabilities: Sequence[float], outcome: int | None) -> float:
    """Brier (1950): Σ_h (p_h − o_h)², o_h 1 for the hypothesis that proved true, 0 for the others.

    ``outcome`` None is "none of these": every o_h is 0. 0 is perfect; 2 is confidently wrong.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    observed = np.zeros_like(p)
    if outcome is not None:
        observed[outcome] = 1.0
    return float(((p - observed) ** 2).sum())


def misleading_evidence(consensus: npt.ArrayLike, outcome: int | None) -> list[int]:
    """Items whose consensus on the true hypothesis was I or II (none when no listed hypothesis was true)."""
    if outcome is None:
        return []
    column = np.asarray(consensus)[:, outcome]
    return np.flatnonzero((column == CODE_I) | (column == CODE_II)).tolist()
