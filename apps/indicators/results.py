"""Indicator results as stored in score snapshots and exported, and the warnings they raise."""

from typing import Any

from . import validator
from .selectors import Board, board_get


def results_from(board: Board, assessed: validator.BoardAssessment) -> dict[str, Any]:
    statements = {indicator.key: indicator.statement for indicator in board.indicators}
    return {
        "as_of": board.judged_on.isoformat(),
        "hypotheses": assessed.hypotheses,
        "status_labels": board.labels,
        "indicators": {
            a.key: {
                "statement": statements[a.key][:160],
                "status": a.status,
                "threshold": a.threshold,
                "reached": a.reached,
                "trend": a.trend,
                "team": a.team,
                "expected_by": a.expected_by,
                "diagnosticity": a.diagnosticity,
                "band": a.band,
                "non_diagnostic": a.non_diagnostic,
                "rank": a.rank,
                "due": a.due,
                "next_review": a.next_review.isoformat() if a.next_review else None,
                "negative": a.negative,
            }
            for a in assessed.indicators
        },
        "ranking": assessed.ranking,
        "support": assessed.support,
        "shares": assessed.shares,
        "counted": assessed.counted,
        "favoured": assessed.favoured,
    }


def results_compute(assessment) -> dict[str, Any]:
    board = board_get(assessment=assessment)
    return results_from(board, board.assess())


def _label(results: dict, status: str) -> str:
    return results.get("status_labels", {}).get(status) or validator.DEFAULT_STATUS_LABELS.get(status, status)


def alerts_for(previous: dict | None, current: dict) -> list[dict]:
    """A warning for each indicator that has reached its threshold since the previous snapshot.

    With no previous indicator results (the first snapshot, e.g. right after a JSON import) nothing
    has "just" crossed, but the team must still learn which indicators already stand at or past their
    thresholds: one summary warning lists them all, so importing the demo sends one notice, not six.
    """
    indicators = current.get("indicators", {})
    reached = [key for key, item in indicators.items() if item["reached"]]
    if previous is None:
        if not reached:
            return []
        listed = ", ".join(f"{key} ({_label(current, indicators[key]['status'])})" for key in reached)
        return [
            {
                "kind": "warning",
                "code": "indicators_at_threshold",
                "message": f"{len(reached)} indicator{'s' if len(reached) != 1 else ''} already at or past "
                f"{'their' if len(reached) != 1 else 'its'} warning threshold: {listed}.",
            }
        ]
    before = previous.get("indicators", {})
    return [
        {
            "kind": "warning",
            "code": f"indicator_threshold:{key}",
            "message": f"Indicator {key} reached its warning threshold "
            f"({_label(current, indicators[key]['threshold'])}): now {_label(current, indicators[key]['status'])}. "
            f"{indicators[key]['statement']}",
        }
        for key in reached
        if not before.get(key, {}).get("reached", False)
    ]


def tension_of(results: dict | None, leader: str | None) -> tuple[str, str] | None:
    favoured = (results or {}).get("favoured")
    if favoured is None or leader is None or not validator.tension(favoured, leader):
        return None
    return (favoured, leader)


def tension_apply(assessment, results: dict, snapshot: dict, previous: dict | None) -> list[dict]:
    """An alert when the indicators start to favour a hypothesis other than the ACH leader.

    The registry hands over the whole snapshot's results, so the ACH leader is the one scored with
    these indicator results (technique apps never import each other).
    """
    ach_now, ach_before = snapshot.get("ach", {}), (previous or {}).get("ach", {})
    # Without a single ACH rating the "leader" is only the first hypothesis: no tension to report.
    if ach_now.get("analysts") == {}:
        return []
    now = tension_of(results, ach_now.get("leader_by_posterior"))
    before = (
        tension_of(previous.get("indicators"), ach_before.get("leader_by_posterior"))
        if previous and ach_before.get("analysts") != {}
        else None
    )
    if now is None or now == before:
        return []
    favoured, leader = now
    return [
        {
            "kind": "alert",
            "code": f"indicators_tension:{favoured}:{leader}",
            "message": f"The observed indicators favour {favoured}, but the ACH leader by posterior is {leader}. "
            "Re-examine the evidence and the indicators' validator ratings.",
        }
    ]


def assessments_with_indicators() -> list[int]:
    """Their negative indications and due reviews depend on today's date, unless the assessment is judged
    as of a fixed date: then nothing changes from one day to the next."""
    from .models import Indicator

    return list(
        Indicator.objects.filter(assessment__as_of__isnull=True).values_list("assessment_id", flat=True).distinct()
    )
