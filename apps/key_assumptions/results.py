"""Key Assumptions Check results as stored in score snapshots and exported: JSON-ready, keyed by A keys."""

from typing import Any

from . import spread
from .selectors import AssumptionRow, Check, check_get


def row_results(row: AssumptionRow) -> dict[str, Any]:
    a = row.assumption
    return {
        "team_spread": row.spread,
        "key_uncertainty": row.key_uncertainty,
        "disagreement": row.spread["disagreement"],
        "needs_recheck": row.needs_recheck,
        "challenged_by": [{"evidence": link.evidence.key, "note": link.note} for link in row.challenges],
        "rank": row.rank,
    } | ({"flag_reason": a.recheck_reason} if a.needs_recheck else {})


def results_from(check: Check) -> dict[str, Any]:
    return {
        "order": [row.assumption.key for row in check.rows],
        "assumptions": {
            row.assumption.key: {
                "confidence": row.assumption.confidence,
                "impact": row.assumption.impact,
                "status": row.assumption.status,
                **row_results(row),
                "new_challenges": [
                    {"evidence": link.evidence.key, "note": link.note, "version": link.version}
                    for link in row.new_challenges
                ],
            }
            for row in check.rows
        },
        "key_uncertainties": [row.assumption.key for row in check.key_uncertainties],
        "disagreements": [row.assumption.key for row in check.disagreements],
        "needs_recheck": [row.assumption.key for row in check.rows if row.needs_recheck],
        "open_requirements": sum(1 for r in check.requirements if r.status == "open"),
        "rounds_completed": len(check.rounds),
    }


def results_compute(assessment) -> dict[str, Any]:
    return results_from(check_get(assessment=assessment))


def results_visible(assessment, view, stored: dict[str, Any]) -> dict[str, Any]:
    """The check's results as an analyst's view shows them: no judgment of an assumption she has not
    judged counts in its spread or in the check order."""
    return results_from(check_get(assessment=assessment, hidden=view.hidden.get("key_assumptions", ())))


def alerts_for(previous: dict | None, current: dict) -> list[dict]:
    """A warning when an assumption becomes a key uncertainty (not on an assessment's first scoring)."""
    if not previous or "key_uncertainties" not in previous:
        return []
    before = set(previous["key_uncertainties"])
    return [
        {
            "kind": "warning",
            "code": "assumption_key_uncertainty",
            "assumption": key,
            "message": f"Key assumption {key} is now a key uncertainty: "
            + spread.key_uncertainty_reason(
                confidence=current["assumptions"][key]["confidence"], impact=current["assumptions"][key]["impact"]
            )
            + ".",
        }
        for key in current["key_uncertainties"]
        if key not in before
    ]
