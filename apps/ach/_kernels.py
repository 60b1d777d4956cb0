"""The loops of ``scoring``, compiled with numba; the rules and their sources are stated there.

A kernel is compiled on its first call in a process and the machine code cached in ``__pycache__``
(``cache=True``), so later processes only load it. Nothing runs in parallel: numba's threading layer is
not fork-safe, and gunicorn and the Celery worker fork. numba's cache is keyed on this file alone, so what
may change in ``scoring`` (tolerances, cut-offs) comes in as arguments; only the rating codes, fixed by
stored data, are compiled in.
"""

import math

import numba
import numpy as np

from .codes import CODE_BLANK, CODE_C, CODE_CC, CODE_I, CODE_II, CODE_N, CODE_NA

# Evidence rows counted together over all the analysts: their counts stay in cache while each analyst's
# rows are read in order.
_BLOCK = 32

# Counts of the seven codes packed in one integer, a field of _BITS bits each: adding ``_one_hot(code)``
# counts a cell. Added this way the counting vectorises, about three times faster than adding into an
# array cell by cell; a loop over more than _MOST cells unpacks in between so that no field overflows.
_BITS = 9
_MOST = (1 << _BITS) - 1


@numba.njit
def _points(code):
    """Rule 1: 1 point for I, 2 for II."""
    return np.int64(code == CODE_I) + 2 * np.int64(code == CODE_II)


@numba.njit
def _one_hot(code):
    return np.uint64(1) << np.uint64(_BITS * code)


@numba.njit
def _field(packed, code):
    return np.int64((packed >> np.uint64(_BITS * code)) & np.uint64(_MOST))


@numba.njit
def _term(code, log_p, e, row_log):
    """log p − the row's NA/blank value of a cell of item e (rule 3a–b); 0 for NA and blank."""
    if CODE_CC <= code <= CODE_II:
        return log_p[e, code - CODE_CC] - row_log
    return 0.0


@numba.njit(cache=True)
def tally(codes, weight):
    """Rules 1, 2, 4 and 5.

    Returns consensus, disagreement (E, H), diagnosticity (E,); each analyst's inconsistency and weighted
    inconsistency (A, H) and whether they filled any cell (A,); the team's inconsistencies (H,).

    One kernel, not one per rule: a single pass over the (A, E, H) codes, a block of rows at a time, feeds
    all four rules from the same counts while they are in cache; split, each rule would read the array again.
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    consensus = np.zeros((n_evidence, n_hypotheses), np.int8)
    disagreement = np.zeros((n_evidence, n_hypotheses))
    diagnosticity = np.empty(n_evidence)
    analyst_points = np.zeros((n_analysts, n_hypotheses), np.int64)
    analyst_weighted = np.zeros((n_analysts, n_hypotheses))
    team_points = np.zeros(n_hypotheses, np.int64)
    team_weighted = np.zeros(n_hypotheses)
    packed = np.zeros((_BLOCK, n_hypotheses), np.uint64)
    counts = np.zeros((_BLOCK, n_hypotheses, CODE_NA + 1), np.int64)
    cell_mean = np.zeros(n_hypotheses)
    for start in range(0, n_evidence, _BLOCK):
        stop = min(start + _BLOCK, n_evidence)
        counts[:] = 0
        for first in range(0, n_analysts, _MOST):
            packed[:] = 0
            for a in range(first, min(first + _MOST, n_analysts)):
                points = analyst_points[a]
                weighted = analyst_weighted[a]
                for e in range(start, stop):
                    row = codes[a, e]
                    cells = packed[e - start]
                    # Three loops over the row, each simple enough to vectorise.
                    for h in range(n_hypotheses):
                        cells[h] += _one_hot(row[h])
                    for h in range(n_hypotheses):
                        points[h] += _points(row[h])
                    for h in range(n_hypotheses):
                        weighted[h] += weight[e] * _points(row[h])
            for e in range(start, stop):
                for h in range(n_hypotheses):
                    for code in range(CODE_NA + 1):
                        counts[e - start, h, code] += _field(packed[e - start, h], code)

        for e in range(start, stop):
            row_counts = counts[e - start]
            n_cells = 0
            mean_sum = 0.0
            for h in range(n_hypotheses):
                n_cc = row_counts[h, CODE_CC]
                n_c = row_counts[h, CODE_C]
                n_i = row_counts[h, CODE_I]
                n_ii = row_counts[h, CODE_II]
                n_na = row_counts[h, CODE_NA]
                n_rated = n_analysts - row_counts[h, CODE_BLANK]
                n_numeric = n_rated - n_na
                total = 2 * (n_cc - n_ii) + (n_c - n_i)
                total_squares = 4 * (n_cc + n_ii) + (n_c + n_i)
                if n_rated == 0:
                    code = CODE_BLANK
                elif n_na > n_numeric:
                    code = CODE_NA
                else:
                    # The nearest rating to the mean, halves toward N.
                    value = np.int64(np.ceil(abs(total) / max(n_numeric, 1) - 0.5))
                    code = CODE_N - value if total >= 0 else CODE_N + value
                consensus[e, h] = code
                indicator_variance = n_na * n_numeric / max(n_rated * (n_rated - 1), 1)
                value_variance = (n_numeric * total_squares - total * total) / max(n_numeric * (n_numeric - 1), 1)
                disagreement[e, h] = math.sqrt(max(indicator_variance, value_variance))
                cell_mean[h] = total / max(n_rated, 1)
                if n_rated > 0:
                    n_cells += 1
                    mean_sum += cell_mean[h]
                team_points[h] += _points(code)
                team_weighted[h] += weight[e] * _points(code)
            if n_cells == 0:
                diagnosticity[e] = np.nan
                continue
            mean = mean_sum / n_cells
            squares = 0.0
            for h in range(n_hypotheses):
                if row_counts[h, CODE_BLANK] < n_analysts:
                    squares += (cell_mean[h] - mean) ** 2
            diagnosticity[e] = math.sqrt(squares / n_cells)

    filled = np.zeros(n_analysts, np.bool_)
    for a in range(n_analysts):
        for cell in codes[a].ravel():
            if cell != CODE_BLANK:
                filled[a] = True
                break
    return (
        consensus,
        disagreement,
        diagnosticity,
        analyst_points,
        analyst_weighted,
        filled,
        team_points,
        team_weighted,
    )


@numba.njit(cache=True)
def pool_state(codes, log_prior, likelihood, reliability, log_p, origins, n_origins):
    """Rules 3a–d for every analyst.

    Subtracting a per-row constant changes no normalised posterior, so each row's terms are taken relative
    to the value its NA and blank cells take (``_term``): those cells add nothing. An origin's terms are
    summed apart and added divided by the number of its rows the analyst rated CC…II.

    Returns the unnormalised log-posteriors (A, H); per analyst and item the cells rated CC…II and the
    discounted row-mean likelihood p̄ (A, E); per analyst and origin that number of rows (A, G).
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    log_posterior = np.empty((n_analysts, n_hypotheses))
    row_rated = np.zeros((n_analysts, n_evidence), np.int64)
    row_mean = np.zeros((n_analysts, n_evidence))
    origin_count = np.zeros((n_analysts, n_origins), np.int64)
    group_sum = np.zeros((n_origins, n_hypotheses))
    terms = np.zeros(CODE_NA + 1)
    for a in range(n_analysts):
        total = log_posterior[a]
        total[:] = log_prior
        group_sum[:] = 0.0
        for e in range(n_evidence):
            row = codes[a, e]
            counted = 0
            likelihood_sum = 0.0
            for first in range(0, n_hypotheses, _MOST):
                packed = np.uint64(0)
                for code in row[first : first + _MOST]:
                    packed += _one_hot(code)
                for code in range(CODE_CC, CODE_II + 1):
                    counted += _field(packed, code)
                    likelihood_sum += likelihood[code - CODE_CC] * _field(packed, code)
            if counted == 0:
                continue
            r = reliability[e]
            row_mean[a, e] = r * likelihood_sum / counted + (1 - r) / 2
            row_rated[a, e] = counted
            value = math.log(row_mean[a, e])
            for code in range(CODE_CC, CODE_II + 1):
                terms[code] = _term(code, log_p, e, value)
            group = origins[e]
            if group < 0:
                for h in range(n_hypotheses):
                    total[h] += terms[row[h]]
            else:
                origin_count[a, group] += 1
                for h in range(n_hypotheses):
                    group_sum[group, h] += terms[row[h]]
        for group in range(n_origins):
            if origin_count[a, group]:
                for h in range(n_hypotheses):
                    total[h] += group_sum[group, h] / origin_count[a, group]
    return log_posterior, row_rated, row_mean, origin_count


@numba.njit(cache=True)
def team_without_each(
    codes, prior, log_posterior, pool_weight, row_rated, row_mean, origin_count, p, log_p, origins, cutoff
):
    """Team posterior (E, H) with each item in turn removed (rule 6): the priors when no weight would remain.

    Without item e an analyst's log-posterior loses its term L_e; an item sharing an origin with n − 1
    others also raises their share from 1/n to 1/(n − 1): with S the sum of the origin's terms, the change
    is (S − L_e)/(n − 1) − S/n = S/(n(n − 1)) − L_e/(n − 1). The pool weight loses the row's rated cells.
    Hypotheses trailing the analyst's leader by more than ``cutoff`` in log-posterior stay negligible
    whichever item goes, and are left out.

    One kernel: the per-analyst origin sums and the kept hypotheses are computed once and used by every
    row's removal; split into functions, they would be passed around or recomputed per row.
    """
    n_analysts, n_evidence, n_hypotheses = codes.shape
    n_origins = origin_count.shape[1]
    # exp(−L) of each code in each row, times a factor common to the row that the normalisation removes:
    # 1/p for CC…II; 1/p̄ for NA and blank, which differs by analyst and is set as each row comes.
    factor = np.empty((n_evidence, CODE_NA + 1))
    factor[:, CODE_CC : CODE_II + 1] = 1.0 / p
    group_row = np.ones(CODE_NA + 1)
    pooled = np.zeros((n_evidence, n_hypotheses))
    total = np.zeros(n_evidence)
    kept = np.empty(n_hypotheses, np.int64)
    base = np.empty(n_hypotheses)
    share = np.empty(n_hypotheses)
    group_base = np.empty((n_origins, n_hypotheses))
    for a in range(n_analysts):
        weight = pool_weight[a]
        if weight <= 0:
            continue
        top = log_posterior[a].max()
        k = 0
        for h in range(n_hypotheses):
            if log_posterior[a, h] >= top - cutoff:
                kept[k] = h
                base[k] = math.exp(log_posterior[a, h] - top)
                k += 1
        if k == 1:
            for e in range(n_evidence):
                total[e] += weight - row_rated[a, e]
                pooled[e, kept[0]] += weight - row_rated[a, e]
            continue

        # Each origin's S over the kept hypotheses, then the part of exp(change) its rows share:
        # exp(S/(n(n − 1))), taken into the hypotheses' base.
        group_base[:] = 0.0
        for e in range(n_evidence):
            if origins[e] >= 0 and row_rated[a, e] > 0:
                row_log = math.log(row_mean[a, e])
                for j in range(k):
                    group_base[origins[e], j] += _term(codes[a, e, kept[j]], log_p, e, row_log)
        for group in range(n_origins):
            n = origin_count[a, group]
            for j in range(k):
                group_base[group, j] = base[j] * math.exp(group_base[group, j] / max(n * (n - 1), 1))

        for e in range(n_evidence):
            without = weight - row_rated[a, e]
            total[e] += without
            group = origins[e]
            n = origin_count[a, group] if group >= 0 else 1
            if row_rated[a, e] == 0:
                for j in range(k):
                    share[j] = base[j]
            elif n == 1:
                factor[e, CODE_BLANK] = factor[e, CODE_NA] = 1.0 / row_mean[a, e]
                for j in range(k):
                    share[j] = base[j] * factor[e, codes[a, e, kept[j]]]
            else:
                # exp(−L/(n − 1)) of each code: the part of exp(change) that is the row's own.
                row_log = math.log(row_mean[a, e])
                for code in range(CODE_CC, CODE_II + 1):
                    group_row[code] = math.exp(-_term(code, log_p, e, row_log) / (n - 1))
                for j in range(k):
                    share[j] = group_base[group, j] * group_row[codes[a, e, kept[j]]]
            norm = 0.0
            for j in range(k):
                norm += share[j]
            scale = without / norm
            for j in range(k):
                pooled[e, kept[j]] += share[j] * scale
    for e in range(n_evidence):
        for h in range(n_hypotheses):
            pooled[e, h] = prior[h] if total[e] <= 0 else pooled[e, h] / total[e]
    return pooled


@numba.njit(cache=True)
def leader_of(posterior, tolerance):
    """``scoring.leader_of``: the earliest posterior within the tolerance of the highest."""
    top = posterior.max()
    for h in range(len(posterior)):
        if posterior[h] >= top - tolerance:
            return h
    return -1


@numba.njit
def _first_ranked(weighted, posterior, tolerance):
    """The first hypothesis of ``scoring.rank_hypotheses``, without sorting.

    The tie group of the lowest weighted inconsistency grows from it by every value within the tolerance of
    its largest member, which is the chain ``rank_hypotheses`` builds over sorted values; among its members
    the top posterior group grows downward alike, and its earliest hypothesis is first.
    """
    bound = weighted.min()
    while True:
        grown = bound
        for h in range(len(weighted)):
            if weighted[h] - bound <= tolerance and weighted[h] > grown:
                grown = weighted[h]
        if grown == bound:
            break
        bound = grown
    lower = -np.inf
    for h in range(len(weighted)):
        if weighted[h] <= bound and posterior[h] > lower:
            lower = posterior[h]
    while True:
        grown = lower
        for h in range(len(weighted)):
            if weighted[h] <= bound and lower - posterior[h] <= tolerance and posterior[h] < grown:
                grown = posterior[h]
        if grown == lower:
            break
        lower = grown
    for h in range(len(weighted)):
        if weighted[h] <= bound and posterior[h] >= lower:
            return h
    return -1


@numba.njit(cache=True)
def linchpins(without, team_weighted, weight, consensus, leader_by_inconsistency, leader_by_posterior, tolerance):
    """Rule 6: whether removing each item changes the leader by weighted inconsistency, and by posterior.

    ``without`` is ``team_without_each``; without an item, the team's weighted inconsistency loses the
    points of the item's consensus.
    """
    n_evidence, n_hypotheses = without.shape
    by_inconsistency = np.zeros(n_evidence, np.bool_)
    by_posterior = np.zeros(n_evidence, np.bool_)
    weighted = np.empty(n_hypotheses)
    for e in range(n_evidence):
        for h in range(n_hypotheses):
            weighted[h] = team_weighted[h] - weight[e] * _points(consensus[e, h])
        by_inconsistency[e] = _first_ranked(weighted, without[e], tolerance) != leader_by_inconsistency
        by_posterior[e] = leader_of(without[e], tolerance) != leader_by_posterior
    return by_inconsistency, by_posterior


@numba.njit
def _remove_item(codes, log_posterior, pool_weight, row_rated, row_mean, origin_count, log_p, origins, item):
    """Rule 6 for one item, in place: each analyst who counted it loses its term and its cells from the pool
    weight, and the other items of its origin count 1/(n − 1) each."""
    n_analysts, n_evidence, n_hypotheses = codes.shape
    group = origins[item]
    # S of the item's origin for each analyst, summed in the order ``team_without_each`` sums it.
    whole = np.zeros((n_analysts, n_hypotheses))
    if group >= 0:
        for e in range(n_evidence):
            if origins[e] == group:
                for a in range(n_analysts):
                    if row_rated[a, e] > 0:
                        row_log = math.log(row_mean[a, e])
                        for h in range(n_hypotheses):
                            whole[a, h] += _term(codes[a, e, h], log_p, e, row_log)
    for a in range(n_analysts):
        if row_rated[a, item] == 0:
            continue
        n = origin_count[a, group] if group >= 0 else 1
        row_log = math.log(row_mean[a, item])
        for h in range(n_hypotheses):
            own = _term(codes[a, item, h], log_p, item, row_log)
            log_posterior[a, h] += -own if n == 1 else (whole[a, h] - own) / (n - 1) - whole[a, h] / n
        if group >= 0:
            origin_count[a, group] -= 1
        pool_weight[a] -= row_rated[a, item]
        row_rated[a, item] = 0


@numba.njit(cache=True)
def removals_to_change_leader(
    codes,
    prior,
    log_posterior,
    pool_weight,
    row_rated,
    row_mean,
    origin_count,
    p,
    log_p,
    origins,
    cutoff,
    first,
    max_removals,
    tolerance,
):
    """The greedy search of ``scoring.items_to_change_leader`` from the whole matrix's pool state, which it
    updates in place as items go. Returns the items removed, in order, and whether the leader changed."""
    n_evidence, n_hypotheses = codes.shape[1], codes.shape[2]
    keep = np.ones(n_evidence, np.bool_)
    margin = np.empty(n_evidence)
    order = np.empty(max(0, min(max_removals, n_evidence)), np.int64)
    for step in range(len(order)):
        without = team_without_each(
            codes, prior, log_posterior, pool_weight, row_rated, row_mean, origin_count, p, log_p, origins, cutoff
        )
        lowest = np.inf
        for e in range(n_evidence):
            if keep[e]:
                rival = -np.inf
                for h in range(n_hypotheses):
                    if h != first:
                        rival = max(rival, without[e, h])
                margin[e] = without[e, first] - rival
                lowest = min(lowest, margin[e])
        chosen = 0
        while not (keep[chosen] and margin[chosen] <= lowest + tolerance):
            chosen += 1
        keep[chosen] = False
        order[step] = chosen
        if leader_of(without[chosen], tolerance) != first:
            return order[: step + 1], True
        _remove_item(codes, log_posterior, pool_weight, row_rated, row_mean, origin_count, log_p, origins, chosen)
    return order, False
