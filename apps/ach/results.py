"""ACH results as stored in score snapshots and exported: JSON-ready dicts keyed by H/E keys."""

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import numpy as np

from . import scoring
from .selectors import Matrix, matrix_get


def scores_of(matrix: Matrix) -> scoring.AssessmentScores:
    return scoring.score_assessment(
        matrix.ratings,
        matrix.weights,
        matrix.priors,
        likelihoods=matrix.assessment.likelihoods,
        reliability=matrix.reliability,
        origins=matrix.origins,
    )


def _posterior(hkeys: list[str], values) -> dict[str, float]:
    return {hkey: round(float(value), 12) for hkey, value in zip(hkeys, values, strict=True)}


def sensitivity_of(matrix: Matrix, scores: scoring.AssessmentScores) -> dict[str, Any]:
    """How fragile the lead is: the export's and the snapshot's ``"sensitivity"`` section."""
    hkeys = [h.key for h in matrix.hypotheses]
    ekeys = [e.key for e in matrix.evidence]
    search = scoring.items_to_change_leader(
        matrix.ratings,
        matrix.priors,
        matrix.assessment.likelihoods,
        reliability=matrix.reliability,
        origins=matrix.origins,
    )
    without = scoring.team_without_analysts(scores.analyst_posterior, scores.analyst_pool_weight, matrix.priors)
    without_analyst = {}
    for a, analyst in enumerate(matrix.analysts):
        if scores.analyst_rated_any[a]:
            leader = scoring.leader_of(without[a])
            without_analyst[analyst.username] = {
                "leader": hkeys[leader] if leader is not None else None,
                "posterior": _posterior(hkeys, without[a]),
            }
    return {
        "items_to_change_leader": search.items_to_change_leader,
        "removal_order": [ekeys[i] for i in search.removal_order],
        "searched": search.searched,
        "without_analyst": without_analyst,
        "overlaps": [
            {"hypotheses": [hkeys[o.first], hkeys[o.second]], "shared": o.shared, "either": o.either}
            for o in scoring.hypothesis_overlaps(scores.consensus)
            if o.warns
        ],
    }


def _triple(inconsistency, weighted, posterior) -> dict[str, float]:
    return {
        "inconsistency": float(inconsistency),
        "weighted_inconsistency": round(float(weighted), 12),
        "posterior": round(float(posterior), 12),
    }


def results_from(matrix: Matrix, scores: scoring.AssessmentScores, *, with_cells: bool = False) -> dict[str, Any]:
    hkeys = [h.key for h in matrix.hypotheses]
    ekeys = [e.key for e in matrix.evidence]
    team = {
        hkey: _triple(scores.team_inconsistency[j], scores.team_weighted_inconsistency[j], scores.team_posterior[j])
        for j, hkey in enumerate(hkeys)
    }
    analysts = {
        analyst.username: {
            hkey: _triple(
                scores.analyst_inconsistency[a, j],
                scores.analyst_weighted_inconsistency[a, j],
                scores.analyst_posterior[a, j],
            )
            for j, hkey in enumerate(hkeys)
        }
        for a, analyst in enumerate(matrix.analysts)
        if scores.analyst_rated_any[a]
    }
    evidence_metrics = {
        ekey: {
            # None: nobody has rated the item yet, which is not "not diagnostic".
            "diagnosticity": None if np.isnan(scores.diagnosticity[i]) else round(float(scores.diagnosticity[i]), 12),
            "linchpin_inconsistency": bool(scores.linchpin_inconsistency[i]),
            "linchpin_posterior": bool(scores.linchpin_posterior[i]),
        }
        for i, ekey in enumerate(ekeys)
    }
    bands = scoring.disagreement_bands(scores.disagreement) if len(ekeys) and len(hkeys) else None
    strong_disagreements = {}
    if bands is not None:
        for i, j in zip(*((bands == "large") | (bands == "extreme")).nonzero(), strict=True):
            strong_disagreements[f"{ekeys[i]}|{hkeys[j]}"] = str(bands[i, j])
    results: dict[str, Any] = {
        "hypotheses": hkeys,
        "team": team,
        "analysts": analysts,
        "ranking": [hkeys[j] for j in scores.ranking],
        "leader_by_inconsistency": hkeys[scores.leader_by_inconsistency]
        if scores.leader_by_inconsistency is not None
        else None,
        "leader_by_posterior": hkeys[scores.leader_by_posterior] if scores.leader_by_posterior is not None else None,
        "evidence_metrics": evidence_metrics,
        "strong_disagreements": strong_disagreements,
    }
    if with_cells:
        results["cells"] = {
            ekey: {
                hkey: {
                    "consensus": scoring.RATING_LABELS[scores.consensus[i, j]] or None,
                    "disagreement": round(float(scores.disagreement[i, j]), 12),
                }
                for j, hkey in enumerate(hkeys)
            }
            for i, ekey in enumerate(ekeys)
        }
    return results


LINCHPIN_BASES = (("linchpin_inconsistency", "weighted inconsistency"), ("linchpin_posterior", "posterior"))


def results_compute(assessment) -> dict[str, Any]:
    """The snapshot's ACH results: as exported, but linchpins as key lists instead of per-item metrics
    (a snapshot is stored on every change; per-item rows would dominate its size)."""
    return results_of_matrix(matrix_get(assessment=assessment, for_scoring=True))


def matrix_visible(matrix: Matrix, hidden: Collection[int]) -> Matrix:
    """The matrix as a view of it sees it: every rating of a hidden row (evidence ids) left out, the
    viewer's own included, so that the team figures are over the rows the viewer has rated."""
    if not hidden:
        return matrix
    rows = np.array([e.pk in hidden for e in matrix.evidence], dtype=bool)
    ratings = matrix.ratings.copy()
    ratings[:, rows, :] = 0
    return replace(matrix, ratings=ratings)


def results_visible(assessment, view, stored: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's ACH results as an analyst's view shows them (apps.assessments.visibility): the team's
    figures scored over the rows she has rated in full, and no analyst's own scores (results_own adds hers)."""
    matrix = matrix_visible(matrix_get(assessment=assessment, for_scoring=True), view.hidden.get("ach", ()))
    results = results_of_matrix(matrix)
    results["analysts"] = {}
    return results


def results_own(view, stored: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    """Of the analysts' own scores, the viewer's: they depend on her ratings alone, so the stored ones."""
    own = stored.get("analysts", {}).get(view.username)
    return {**shown, "analysts": {view.username: own} if own else {}}


# The answer card names this many of the items that move the top two apart.
ANSWER_ITEMS = 8


def contributions_of(matrix: Matrix, scores: scoring.AssessmentScores, first: int, second: int) -> np.ndarray:
    """The team's split (E,) of the log-odds between two hypotheses by item (scoring.team_log_odds_contributions)."""
    per_analyst = scoring.log_odds_contributions(
        matrix.ratings,
        first,
        second,
        matrix.assessment.likelihoods,
        reliability=matrix.reliability,
        origins=matrix.origins,
    )
    return scoring.team_log_odds_contributions(per_analyst, scores.analyst_pool_weight)


def answer_of(matrix: Matrix, scores: scoring.AssessmentScores) -> dict[str, Any]:
    """The team's answer: the leader by inconsistency and by posterior side by side; the two hypotheses the
    card compares (the two leaders when they differ, else the leader and the runner-up by posterior); the
    items that move them apart most, with their log-odds contributions; and whether the posterior's lead
    rests only on consistent-versus-neutral evidence (``scoring.lead_rests_on_consistency``)."""
    hkeys = [h.key for h in matrix.hypotheses]
    by_inconsistency, by_posterior = scores.leader_by_inconsistency, scores.leader_by_posterior
    answer: dict[str, Any] = {
        "leader_by_inconsistency": hkeys[by_inconsistency] if by_inconsistency is not None else None,
        "leader_by_posterior": hkeys[by_posterior] if by_posterior is not None else None,
        "agree": by_inconsistency == by_posterior,
        "pair": None,
        "items": [],
        "consistent_only": False,
    }
    if len(hkeys) < 2 or by_posterior is None or not scores.analyst_pool_weight.sum():
        return answer
    if by_inconsistency is not None and by_inconsistency != by_posterior:
        second = by_inconsistency
    else:
        others = [j for j in np.argsort(-scores.team_posterior, kind="stable") if j != by_posterior]
        second = int(others[0])
    contributions = contributions_of(matrix, scores, by_posterior, second)
    order = np.argsort(-np.abs(contributions), kind="stable")
    answer["pair"] = [hkeys[by_posterior], hkeys[second]]
    answer["items"] = [
        {"key": matrix.evidence[i].key, "contribution": round(float(contributions[i]), 6)}
        for i in order[:ANSWER_ITEMS]
        if abs(contributions[i]) > 1e-12
    ]
    answer["toward_first"] = round(float(contributions[contributions > 0].sum()), 6)
    answer["toward_second"] = round(float(contributions[contributions < 0].sum()), 6)
    answer["consistent_only"] = scoring.lead_rests_on_consistency(contributions, scores.consensus, by_posterior, second)
    return answer


def _source_key(evidence) -> str:
    return evidence.source_key if hasattr(evidence, "source_key") else evidence.source_entry.key


def _leader_and_posterior(hkeys: list[str], posterior, current: int | None) -> dict[str, Any]:
    """The leader of a posterior and what it gives the leader and the current leader (the snapshot stores no
    more of each source's runs: at 50 hypotheses and hundreds of sources they would dwarf the rest)."""
    leader = scoring.leader_of(posterior)
    shown = {j for j in (leader, current) if j is not None}
    return {
        "leader": hkeys[leader] if leader is not None else None,
        "posterior": {hkeys[j]: round(float(posterior[j]), 12) for j in sorted(shown)},
    }


def sources_of(matrix: Matrix, scores: scoring.AssessmentScores) -> dict[str, Any]:
    """How much the team's posterior rests on each source (scoring.source_sensitivity): by source key, its
    items, and the leader and posterior without them and with them reversed ("what if this source lies?")."""
    hkeys = [h.key for h in matrix.hypotheses]
    if not hkeys or not matrix.origins.size or matrix.origins.max() < 0:
        return {}
    runs = scoring.source_sensitivity(
        matrix.ratings,
        matrix.priors,
        matrix.assessment.likelihoods,
        reliability=matrix.reliability,
        origins=matrix.origins,
    )
    current = scores.leader_by_posterior
    sources = {}
    for group in range(len(runs.without)):
        members = np.flatnonzero(matrix.origins == group)
        sources[_source_key(matrix.evidence[members[0]])] = {
            "items": [matrix.evidence[i].key for i in members],
            "without": _leader_and_posterior(hkeys, runs.without[group], current),
            "reversed": _leader_and_posterior(hkeys, runs.reversed[group], current),
        }
    return sources


def results_of_matrix(matrix: Matrix) -> dict[str, Any]:
    scores = scores_of(matrix)
    results = results_from(matrix, scores)
    results["sensitivity"] = sensitivity_of(matrix, scores)
    results["sources"] = sources_of(matrix, scores)
    results["answer"] = answer_of(matrix, scores)
    metrics = results.pop("evidence_metrics")
    results["linchpins"] = {basis: [key for key, m in metrics.items() if m[basis]] for basis, _ in LINCHPIN_BASES}
    return results


# More new linchpins (or newly strong disagreements) than this in one rescoring make one alert that names
# the first few: a flood of alerts (a near-tie makes every item a linchpin) buries the one worth reading.
ALERTS_LISTED = 5


def _listed(keys: list[str]) -> str:
    shown = ", ".join(keys[:ALERTS_LISTED])
    return f"{shown} and {len(keys) - ALERTS_LISTED} more" if len(keys) > ALERTS_LISTED else shown


def alerts_for(previous: dict | None, current: dict) -> list[dict]:
    """Alert rules: the leader changed, an item became a linchpin, a cell's disagreement became large.

    Linchpins and disagreements move with single ratings (a one-item lead flips them back and forth): members
    hear of them as a digest, at most once per NOTIFICATION_DIGEST_MINUTES ("notify": "digest"); of a leader
    change at once.

    More than ALERTS_LISTED new linchpins on one basis, or cells newly at one disagreement band, make one
    alert naming the first of them. The first snapshot of an assessment is the baseline and raises nothing.
    """
    if previous is None:
        return []
    # A matrix nobody has rated has no leader, linchpin or disagreement to speak of; and the "leader" of
    # an unrated baseline was only the first hypothesis, so the first ratings do not "change" it.
    if not current.get("analysts", True):
        return []
    rated_before = bool(previous.get("analysts", True))
    alerts = []
    for basis, label in (("leader_by_inconsistency", "weighted inconsistency"), ("leader_by_posterior", "posterior")):
        before, after = previous.get(basis), current.get(basis)
        if rated_before and before != after and after is not None:
            alerts.append(
                {
                    "kind": "alert",
                    "code": f"leader_changed:{basis}",
                    "message": f"Leading hypothesis by {label} changed from {before or '—'} to {after}.",
                }
            )
    for basis, label in LINCHPIN_BASES:
        known = set(previous.get("linchpins", {}).get(basis, []))
        new = [ekey for ekey in current.get("linchpins", {}).get(basis, []) if ekey not in known]
        if len(new) > ALERTS_LISTED:
            alerts.append(
                {
                    "kind": "alert",
                    "code": f"new_linchpins:{basis}:{len(new)}",
                    "notify": "digest",
                    "message": f"{len(new)} items are now linchpins ({label}): {_listed(new)}. Removing any one of "
                    "them changes the leading hypothesis: the lead is fragile.",
                }
            )
            continue
        for ekey in new:
            alerts.append(
                {
                    "kind": "alert",
                    "code": f"new_linchpin:{basis}:{ekey}",
                    "notify": "digest",
                    "message": f"{ekey} is now a linchpin ({label}): removing it changes the leading "
                    "hypothesis. Check its source first.",
                }
            )
    previous_strong = previous.get("strong_disagreements", {})
    risen: dict[str, list[str]] = {}
    for cell, band in current.get("strong_disagreements", {}).items():
        if previous_strong.get(cell) != band and not (previous_strong.get(cell) == "extreme" and band == "large"):
            risen.setdefault(band, []).append(cell)
    for band, cells in risen.items():
        if len(cells) > ALERTS_LISTED:
            named = [cell.replace("|", " × ") for cell in cells]
            alerts.append(
                {
                    "kind": "alert",
                    "code": f"disagreements:{band}:{len(cells)}",
                    "notify": "digest",
                    "message": f"Analysts' disagreement is now {band} on {len(cells)} cells: {_listed(named)}.",
                }
            )
            continue
        for cell in cells:
            ekey, hkey = cell.split("|")
            alerts.append(
                {
                    "kind": "alert",
                    "code": f"disagreement:{cell}:{band}",
                    "notify": "digest",
                    "message": f"Analysts' disagreement on {ekey} × {hkey} is now {band}.",
                }
            )
    return alerts


def alert_visible(alert: dict, view) -> bool:
    """An alert an analyst who has not rated every row may see: a cell's disagreement on a row she has
    rated (it is that row's alone). The leader, linchpins and grouped alerts come from every row."""
    parts = alert.get("code", "").split(":")
    if parts[0] != "disagreement" or len(parts) != 3:
        return False
    return parts[1].split("|")[0] not in view.hidden_keys.get("ach", ())


def trigger_shown(trigger: str, view) -> str:
    """A trigger naming a teammate's cell of a row the viewer has not rated says only that a teammate rated."""
    who, rated, cell = trigger.partition(" rated ")
    if rated and who != view.username and "×" in cell and cell.split("×")[0] in view.hidden_keys.get("ach", ()):
        return "a teammate rated a row you have not rated"
    return trigger
