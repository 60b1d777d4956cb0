"""Scores of an Analysis of Competing Hypotheses matrix: per analyst, for the team, per cell and per item.

Pure numpy, no Django. A matrix is an int8 array of rating codes shaped (analysts, evidence, hypotheses);
see ``RATING_LABELS`` for the codes. ``score_assessment`` computes every score in one call.

Ties are decided the same way everywhere. Values within ``TIE_TOLERANCE`` of each other are tied, and a
tie group is built by sorting the values and merging neighbours that are within the tolerance (so a group
may span more than the tolerance when it chains). Among tied hypotheses the lowest index wins.
"""

from collections.abc import Mapping
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
# move it contributes under e**-50 (about 2e-22) to any posterior without one item, far below the tie tolerance.
_NEGLIGIBLE_LOG_ODDS = 50.0

# Up to this w(e) × spread of log-likelihoods, P(e|h) ** -w(e) and its products stay well inside the float
# range; beyond it the posteriors without an item are computed from logs.
_SAFE_REACH = 300.0

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

    Shapes: analyst_* (A, H) and analyst_rated_any (A,); consensus, disagreement (E, H); diagnosticity,
    not_diagnostic, linchpin_* (E,); team_* and ranking (H,). Leaders are None when there are no hypotheses.
    """

    analyst_inconsistency: IntArray
    analyst_weighted_inconsistency: FloatArray
    analyst_posterior: FloatArray
    analyst_rated_any: BoolArray
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
) -> AssessmentScores:
    """Score a matrix for each analyst and for the team.

    Rules, per analyst matrix and for the team's consensus matrix:

    1. Inconsistency (Heuer, *Psychology of Intelligence Analysis*, 1999, ch. 8): per hypothesis, 1 point for
       each I and 2 for each II. Fewer is more likely.
    2. Weighted inconsistency (PARC ACH): the same points, each times the item's weight w(e).
    3. Posterior: prior(h) × Π_e P(e|h) ** w(e), in log space, normalised over the hypotheses; P(e|h) comes
       from ``likelihoods`` (labels missing from it keep ``DEFAULT_LIKELIHOODS``). The team posterior is the
       mean of the posteriors of the analysts who rated at least one cell, a linear opinion pool (Stone, 1961),
       or the priors when nobody has.
    4. Consensus and disagreement of a cell (Open Synthesis, ``openach/metrics.py``), over the analysts who
       rated it: NA when more of them chose NA than a number; otherwise their mean value rounded to the
       nearest rating, halves toward N. Disagreement is the larger sample standard deviation of the NA-or-not
       indicator and of the values (each 0 over fewer than two).
    5. Diagnosticity (Open Synthesis): the population standard deviation across hypotheses of each cell's mean
       value over everyone who rated it, NA counting 0 and unrated cells skipped; 0 marks it not diagnostic.
    6. Linchpin: removing the item changes the leader, by weighted inconsistency (the first of the ranking) or
       by team posterior. Without the item, the team scores are recomputed as if it never existed, including
       who counts in the pool. Nothing is a linchpin with fewer than two hypotheses.
    7. Ranking: see ``rank_hypotheses``. The leader by posterior is the lowest index in the top tie group.

    Team inconsistencies count the consensus I and II; consensus NA and blank count 0.

    ``ratings`` holds codes (A, E, H); ``weights`` w(e) (E,); ``priors`` (H,) summing to 1. Malformed input
    (codes outside 0–6, mismatched shapes, negative weights, priors not summing to 1, unknown likelihood
    labels or likelihoods outside (0, 1]) raises ValueError.
    """
    codes = _checked_ratings(ratings)
    n_analysts, n_evidence, n_hypotheses = codes.shape
    weight = _checked_weights(weights, n_evidence)
    prior = _checked_priors(priors, n_hypotheses)
    log_ratio = _log_likelihood_ratios(likelihoods)

    class_weights, class_index = np.unique(weight, return_inverse=True)
    cells, counts, rated_cells = _count_codes(codes, class_index, len(class_weights), log_ratio)

    points = counts[:, :, CODE_I] + 2 * counts[:, :, CODE_II]
    analyst_inconsistency = points.sum(axis=1)
    analyst_weighted = np.einsum("k,akh->ah", class_weights, points.astype(np.float64))
    weighted_counts = np.einsum("k,akch->ach", class_weights, counts.astype(np.float64))
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior)
    log_posterior = log_prior + np.einsum("c,ach->ah", log_ratio, weighted_counts)
    analyst_posterior = _normalised(log_posterior)
    rated_any = rated_cells > 0
    team_posterior = analyst_posterior[rated_any].mean(axis=0) if rated_any.any() else prior.copy()

    consensus, disagreement, diagnosticity = _cell_scores(cells, n_analysts)
    team_inconsistency, team_weighted = _team_inconsistency(consensus, weight)
    ranking = rank_hypotheses(team_weighted, team_posterior)
    leader_by_inconsistency = leader_by_posterior = None
    if n_hypotheses:
        leader_by_inconsistency = int(ranking[0])
        leader_by_posterior = int(_leaders(None, team_posterior[:, None])[0])
    linchpin_inconsistency = np.zeros(n_evidence, dtype=bool)
    linchpin_posterior = np.zeros(n_evidence, dtype=bool)
    if n_hypotheses >= 2 and n_evidence:
        posterior_without = _team_posterior_without_each(
            codes, log_posterior, log_ratio, class_weights, class_index, rated_cells, prior
        )
        for items in _blocks(n_evidence, n_hypotheses, _LEADER_CELLS_PER_BLOCK):
            weighted_without = team_weighted[:, None] - weight[items] * _POINTS.take(consensus[items].T)
            without_item = posterior_without[:, items]
            linchpin_inconsistency[items] = _leaders(weighted_without, without_item) != leader_by_inconsistency
            linchpin_posterior[items] = _leaders(None, without_item) != leader_by_posterior

    return AssessmentScores(
        analyst_inconsistency=analyst_inconsistency,
        analyst_weighted_inconsistency=analyst_weighted,
        analyst_posterior=analyst_posterior,
        analyst_rated_any=rated_any,
        consensus=consensus,
        disagreement=disagreement,
        diagnosticity=diagnosticity,
        not_diagnostic=diagnosticity < NOT_DIAGNOSTIC_TOLERANCE,
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
    if array.size and (array.min() < CODE_BLANK or array.max() > CODE_NA):
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


def _log_likelihood_ratios(likelihoods: Mapping[str, float] | None) -> FloatArray:
    """log P(rating) − log P(blank) for each code.

    The blank term is the same for every hypothesis of an item, so subtracting it leaves the normalised
    posteriors unchanged and lets every blank cell drop out of the sums.
    """
    table = {**DEFAULT_LIKELIHOODS, **(likelihoods or {})}
    unknown = set(table) - set(RATING_CODES)
    if unknown:
        raise ValueError(f"unknown rating labels in likelihoods: {sorted(unknown)}")
    probability = np.array([float(table[label]) for label in RATING_LABELS])
    if not np.all((probability > 0) & (probability <= 1)):
        raise ValueError("likelihoods must lie in (0, 1]")
    log_probability = np.log(probability)
    return log_probability - log_probability[CODE_BLANK]


def _blocks(n_evidence: int, width: int, cells: int = _CELLS_PER_BLOCK) -> list[slice]:
    """Slices of evidence items, each about ``cells`` cells of the given width."""
    rows = max(1, cells // max(width, 1))
    return [slice(start, min(start + rows, n_evidence)) for start in range(0, n_evidence, rows)]


def _count_codes(
    codes: npt.NDArray[np.int8], class_index: npt.NDArray[np.intp], n_classes: int, log_ratio: FloatArray
) -> tuple[npt.NDArray[np.integer], IntArray, IntArray]:
    """Code counts per cell over the analysts, and per analyst, weight class and hypothesis.

    Returns cells (len(_PLANES), E, H) in the order of ``_PLANES``; counts (A, classes, 7, H) by code, filled
    for I, II and every code whose likelihood differs from a blank's (the others never change a score); and
    each analyst's number of rated cells.

    Each analyst's rows are regrouped by weight class, each class padded with blank rows to whole groups of
    ``_GROUP``, so that a class's counts come from two fast byte-wise sums (see ``_class_sums``).
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    needed = {CODE_I, CODE_II} | {code for code in range(1, len(RATING_LABELS)) if log_ratio[code] != 0}
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
        diagnosticity[rows] = np.sqrt((deviation**2).sum(axis=1) / n_cells)
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


def _team_posterior_without_each(
    codes: npt.NDArray[np.int8],
    log_posterior: FloatArray,
    log_ratio: FloatArray,
    class_weights: FloatArray,
    class_index: npt.NDArray[np.intp],
    rated_cells: IntArray,
    prior: FloatArray,
) -> FloatArray:
    """Team posterior (H, E) with each item in turn removed; the priors for an item if nobody would remain.

    Without item e an analyst's posterior is q(h) × P(e|h) ** -w(e), renormalised. A hypothesis whose
    posterior trails the analyst's leader by ``_NEGLIGIBLE_LOG_ODDS`` nats more than one item can move it
    stays under e**-50 of the leader whichever item goes, so it is left out of that analyst's sums.
    """
    _, n_evidence, n_hypotheses = codes.shape
    # Hypothesis-major, so each analyst adds whole contiguous rows.
    pooled = np.zeros((n_hypotheses, n_evidence))
    n_remaining = np.zeros(n_evidence, dtype=np.int64)
    reach = class_weights.max() * (log_ratio.max() - log_ratio.min())
    # P(e|h) ** -w(e) relative to a blank, by weight class and code.
    in_logs = reach > _SAFE_REACH
    removal = -np.outer(class_weights, log_ratio).ravel()
    if not in_logs:
        removal = np.exp(removal)
    lookup_base = class_index * len(RATING_LABELS)
    for analyst in np.flatnonzero(rated_cells > 0):
        log_post = log_posterior[analyst]
        top = log_post.max()
        hypotheses = np.flatnonzero(log_post >= top - (reach + _NEGLIGIBLE_LOG_ODDS))
        # Only an analyst with no more rated cells than one item holds can leave the pool.
        if rated_cells[analyst] <= n_hypotheses:
            stays = np.count_nonzero(codes[analyst], axis=1) < rated_cells[analyst]
        else:
            stays = np.ones(n_evidence, dtype=bool)
        n_remaining += stays
        if hypotheses.size == 1:
            pooled[hypotheses[0]] += stays
            continue
        lookup = lookup_base + codes[analyst].T[hypotheses]
        share = removal.take(lookup, mode="clip")
        if in_logs:
            share += log_post[hypotheses, None]
            share = np.exp(share - share.max(axis=0))
        else:
            share *= np.exp(log_post[hypotheses] - top)[:, None]
        share *= stays / share.sum(axis=0)
        pooled[hypotheses] += share
    pooled /= np.maximum(n_remaining, 1)
    pooled[:, n_remaining == 0] = prior[:, None]
    return pooled
