"""The post-mortem of a resolved assessment: computed once when resolving, read back by the pages, the
export and each analyst's profile.

It reads the matrix as it stands (``selectors``) and scores it (``results``, ``scoring``), so it sits above
both; the resolution itself is written by ``services.calibration``.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.assessments.models import Assessment

from . import scoring
from .models import Rating, Resolution, Statement
from .results import scores_of
from .selectors import matrix_get, stated_summary


def statements_cutoff(resolved_on: dt.date) -> dt.datetime:
    """Statements count when made on or before the outcome date: before the start of the next day."""
    return timezone.make_aware(dt.datetime.combine(resolved_on + dt.timedelta(days=1), dt.time.min))


def _scores(probabilities: dict[str, float] | None, keys: list[str], outcome: int | None) -> dict[str, float | None]:
    if not probabilities or set(probabilities) != set(keys):
        return {"brier": None, "skill": None, "log": None}
    values = [probabilities[key] for key in keys]
    log = scoring.log_score(values, outcome)
    return {
        "brier": round(scoring.brier_score(values, outcome), 12),
        "skill": round(scoring.brier_skill_score(values, outcome), 12),
        "log": None if log is None else round(log, 12),
    }


def calibration_compute(*, assessment: Assessment, outcome: str | None, resolved_on: dt.date) -> dict[str, Any]:
    """The post-mortem, computed once when resolving and stored with the resolution (``Resolution.record``).

    Stated: each analyst's latest statement made on or before the outcome date (a later one is hindsight),
    the team's as the pooled statements. Computed: the posteriors of the matrix as it stands when resolving;
    an analyst who rated no cell CC…II has none (their "posterior" would only be the priors). Each gets the
    Brier score, the skill score against the uniform forecast and the log score (``apps.ach.scoring``).
    Misleading evidence: items whose consensus on the true hypothesis is I or II, with their summaries then.
    """
    matrix = matrix_get(assessment=assessment, for_scoring=True)
    keys = [h.key for h in matrix.hypotheses]
    index = keys.index(outcome) if outcome is not None else None
    stated = stated_summary(assessment=assessment, hypothesis_keys=keys, before=statements_cutoff(resolved_on))
    scores = scores_of(matrix)
    computed = {
        analyst.username: dict(zip(keys, map(float, scores.analyst_posterior[a]), strict=True))
        for a, analyst in enumerate(matrix.analysts)
        if scores.analyst_pool_weight[a] > 0
    }
    team_computed = dict(zip(keys, map(float, scores.team_posterior), strict=True)) if computed else None
    forecasts: dict[str, dict[str, Any]] = {}
    for username in sorted(set(stated["analysts"]) | set(computed)):
        forecasts[username] = {
            "stated": (stated["analysts"].get(username) or {}).get("probability"),
            "computed": computed.get(username),
        }
    misleading = [matrix.evidence[i].key for i in scoring.misleading_evidence(scores.consensus, index)] if keys else []
    summaries = dict(assessment.evidence.filter(key__in=misleading).values_list("key", "summary"))
    return {
        "outcome": outcome,
        "resolved_on": resolved_on.isoformat(),
        "hypotheses": keys,
        "scores": {
            "analysts": {
                username: {kind: _scores(pair[kind], keys, index) for kind in ("stated", "computed")}
                for username, pair in forecasts.items()
            },
            "team": {
                "stated": _scores(stated["team"], keys, index),
                "computed": _scores(team_computed, keys, index),
            },
        },
        "forecasts": forecasts,
        "misleading_evidence": misleading,
        "misleading_summaries": summaries,
    }


def calibration_get(*, assessment: Assessment) -> dict | None:
    """The post-mortem of a resolved assessment (the export's ``"calibration"``); None while unresolved.

    As stored when it was resolved (``calibration_compute``): the Brier, skill and
    log scores of each analyst's and the team's stated and computed probabilities, and the misleading
    evidence. A later change to the matrix (after an un-resolve) does not rewrite it.
    """
    resolution = Resolution.objects.filter(assessment=assessment).select_related("outcome", "resolved_by").first()
    if resolution is None:
        return None
    outcome = resolution.outcome.key if resolution.outcome is not None else None
    # Resolutions recorded before the post-mortem was stored are computed from what stands now.
    record = resolution.record or calibration_compute(
        assessment=assessment, outcome=outcome, resolved_on=resolution.resolved_on
    )
    scores = record["scores"]

    def by(kind: str) -> dict:
        return {
            "analysts": {
                username: {source: pair[source][kind] for source in ("stated", "computed")}
                for username, pair in scores["analysts"].items()
            },
            "team": {source: scores["team"][source][kind] for source in ("stated", "computed")},
        }

    return {
        "outcome": outcome,
        "resolved_at": resolution.resolved_at.isoformat(),
        "resolved_on": resolution.resolved_on.isoformat(),
        "resolved_by": resolution.resolved_by.get_username() if resolution.resolved_by else None,
        "note": resolution.note,
        "brier": by("brier"),
        "skill": by("skill"),
        "log": by("log"),
        "forecasts": record["forecasts"],
        "hypotheses": record["hypotheses"],
        "misleading_evidence": record["misleading_evidence"],
        "misleading_summaries": record["misleading_summaries"],
    }


def calibration_for_user(*, user) -> dict[str, Any]:
    """The user's scores across resolved assessments (for their profile), newest resolution first, and
    their reliability table once they have made ``scoring.RELIABILITY_MIN_FORECASTS`` stated forecasts."""
    rows = []
    forecasts: dict[str, list[tuple[float, bool]]] = {"stated": [], "computed": []}
    # Whoever stated probabilities or rated cells has a score; Exists keeps one row per resolution.
    took_part = Exists(Statement.objects.filter(assessment=OuterRef("assessment"), analyst=user)) | Exists(
        Rating.objects.filter(assessment=OuterRef("assessment"), analyst=user)
    )
    for resolution in (
        Resolution.objects.filter(took_part, assessment__team__memberships__user=user)
        .select_related("assessment", "outcome", "resolved_by")
        .order_by("-resolved_at")
    ):
        calibration = calibration_get(assessment=resolution.assessment)
        if calibration is None:
            continue
        username = user.get_username()
        scores = calibration["brier"]["analysts"].get(username)
        if scores:
            rows.append(
                {
                    "assessment": resolution.assessment,
                    "outcome": calibration["outcome"],
                    **scores,
                    "skill": calibration["skill"]["analysts"][username],
                    "log": calibration["log"]["analysts"][username],
                }
            )
        for source in ("stated", "computed"):
            probabilities = (calibration["forecasts"].get(username) or {}).get(source) or {}
            forecasts[source].extend((p, key == calibration["outcome"]) for key, p in probabilities.items())
    count = max(len(forecasts["stated"]), len(forecasts["computed"]))
    return {
        "rows": rows,
        "forecasts": count,
        "min_forecasts": scoring.RELIABILITY_MIN_FORECASTS,
        "reliability": list(
            zip(
                scoring.reliability_table(forecasts["stated"]),
                scoring.reliability_table(forecasts["computed"]),
                strict=True,
            )
        )
        if count >= scoring.RELIABILITY_MIN_FORECASTS
        else None,
    }


def brier_scores_for_user(*, user) -> list[dict]:
    """The user's Brier scores across resolved assessments, newest resolution first."""
    return calibration_for_user(user=user)["rows"]
