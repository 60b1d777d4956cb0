"""What the matrix page's judgment panels show: the lead's sensitivity and stated vs computed probabilities.

Everything computed comes from the latest snapshot (no re-scoring in a request); statements are read live.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from apps.assessments.models import Assessment, Hypothesis, ScoreSnapshot

from .models import Resolution, Statement
from .selectors import stated_summary


@dataclass
class Comparison:
    """One row per hypothesis: the team's computed and pooled stated probability, and analysts' pairs."""

    keys: list[str]
    team_computed: dict[str, float]
    team_stated: dict[str, float] | None
    # The same statements pooled with weights decreasing with incoherence (scoring.coherence_weights).
    team_stated_weighted: dict[str, float] | None = None
    # username -> {"stated": {hkey: p} | None, "computed": {hkey: p} | None, "incoherence", "percent"}
    pairs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "team_computed": self.team_computed.get(key),
                "team_stated": (self.team_stated or {}).get(key),
                "team_stated_weighted": (self.team_stated_weighted or {}).get(key),
                "pairs": [
                    (
                        username,
                        (pair["stated"] or {}).get(key),
                        (pair["computed"] or {}).get(key),
                    )
                    for username, pair in self.pairs.items()
                ],
            }
            for key in self.keys
        ]


def sensitivity_get(snapshot: ScoreSnapshot | None, results: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The snapshot's sensitivity section, with the without-each-analyst table as rows. ``results``: the
    snapshot's ACH results as the viewer may see them (apps.assessments.visibility), when not the stored ones."""
    if snapshot is None:
        return None
    results = snapshot.results.get("ach", {}) if results is None else results
    sensitivity = results.get("sensitivity")
    if sensitivity is None:
        return None
    return {
        **sensitivity,
        "leader": results.get("leader_by_posterior"),
        "hypotheses": results.get("hypotheses", []),
        "without": [
            {"username": username, **entry} for username, entry in sorted(sensitivity["without_analyst"].items())
        ],
    }


def comparison_get(
    *,
    assessment: Assessment,
    hypotheses: list[Hypothesis],
    snapshot: ScoreSnapshot | None,
    user,
    sees_everyone: bool,
    results: dict[str, Any] | None = None,
) -> Comparison:
    """Stated vs computed; anchoring: an analyst sees their own pair, supervisors every analyst's; the team's
    computed figures are ``results`` (the viewer's, apps.assessments.visibility) when given."""
    keys = [h.key for h in hypotheses]
    if results is None:
        results = snapshot.results.get("ach", {}) if snapshot else {}
    stated = stated_summary(assessment=assessment, hypothesis_keys=keys)
    computed = {
        username: {key: value["posterior"] for key, value in scores.items()}
        for username, scores in results.get("analysts", {}).items()
    }
    usernames = sorted(set(stated["analysts"]) | set(computed))
    if not sees_everyone:
        usernames = [user.get_username()]
    comparison = Comparison(
        keys=keys,
        team_computed={key: value["posterior"] for key, value in results.get("team", {}).items()},
        team_stated=stated["team"],
        team_stated_weighted=stated["team_coherence_weighted"],
    )
    for username in usernames:
        own = stated["analysts"].get(username)
        comparison.pairs[username] = {
            "stated": own["probability"] if own else None,
            "computed": computed.get(username),
            "percent": own["percent"] if own else None,
            "stated_at": dt.datetime.fromisoformat(own["stated_at"]) if own else None,
            "incoherence": stated["incoherence"].get(username),
        }
    return comparison


def judgments_token(*, assessment: Assessment, snapshot: ScoreSnapshot | None) -> str:
    """What the polled panel shows depends on the snapshot, the statements and the resolution."""
    latest = Statement.objects.filter(assessment=assessment).order_by("-id").values_list("id", flat=True).first()
    resolved = Resolution.objects.filter(assessment=assessment).exists()
    return f"{snapshot.version if snapshot else 0}-{latest or 0}-{int(resolved)}"


def calibration_seen(calibration: dict[str, Any] | None, view) -> dict[str, Any] | None:
    """The post-mortem as a view may read it (apps.assessments.visibility): while she has rows to rate, her
    own scores and forecast, no computed figure of the team's, and no misleading item among those rows (all
    of which her teammates' ratings of them moved)."""
    if not calibration or not view.hides("ach"):
        return calibration
    hidden = view.hidden_keys.get("ach", frozenset())
    seen = {
        **calibration,
        "forecasts": {name: f for name, f in calibration.get("forecasts", {}).items() if name == view.username},
        "misleading_evidence": [key for key in calibration["misleading_evidence"] if key not in hidden],
        "misleading_summaries": {
            key: text for key, text in calibration.get("misleading_summaries", {}).items() if key not in hidden
        },
    }
    for measure in ("brier", "skill", "log"):
        if measure in calibration:
            seen[measure] = {
                "analysts": {n: s for n, s in calibration[measure]["analysts"].items() if n == view.username},
                "team": {**calibration[measure]["team"], "computed": None},
            }
    return seen
