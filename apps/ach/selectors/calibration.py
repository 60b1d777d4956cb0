"""The analysts' stated probabilities: each one's latest statement and the team's pools of them."""

from datetime import datetime

from apps.assessments.models import Assessment

from .. import scoring
from ..models import Statement


def statements_latest(*, assessment: Assessment, before: datetime | None = None) -> dict[str, tuple]:
    """Each analyst's latest statement (before a moment, if given): username -> (stated_at, {hkey: percent})."""
    statements = Statement.objects.filter(assessment=assessment).select_related("analyst")
    if before is not None:
        statements = statements.filter(stated_at__lt=before)
    latest: dict[str, tuple] = {}
    for statement in statements.order_by("analyst__username", "-stated_at", "-id").prefetch_related(
        "probabilities__hypothesis"
    ):
        username = statement.analyst.get_username()
        if username not in latest:
            percents = {p.hypothesis.key: p.percent for p in statement.probabilities.all()}
            latest[username] = (statement.stated_at, percents)
    return latest


def stated_summary(*, assessment: Assessment, hypothesis_keys: list[str], before: datetime | None = None) -> dict:
    """The export's ``"stated"`` section: each analyst's latest statement as entered and normalised, the
    pooled statement (mean of the normalised ones), the pool weighted by coherence
    (``scoring.stated_pool_coherence_weighted``) and each analyst's incoherence |sum − 100|."""
    analysts, incoherence, normalised = {}, {}, []
    for username, (stated_at, percents) in statements_latest(assessment=assessment, before=before).items():
        # A hypothesis added after the statement has no probability in it: it counts 0 until restated.
        values = [percents.get(key, 0.0) for key in hypothesis_keys]
        if not hypothesis_keys or sum(values) <= 0:
            continue
        probability = scoring.stated_normalised(values)
        normalised.append(probability)
        incoherence[username] = round(scoring.stated_incoherence(values), 12)
        analysts[username] = {
            "stated_at": stated_at.isoformat(),
            "percent": dict(zip(hypothesis_keys, values, strict=True)),
            "probability": {key: round(float(p), 12) for key, p in zip(hypothesis_keys, probability, strict=True)},
        }
    pooled = scoring.stated_pool(normalised)
    team = (
        None if pooled is None else {key: round(float(p), 12) for key, p in zip(hypothesis_keys, pooled, strict=True)}
    )
    weighted = scoring.stated_pool_coherence_weighted(normalised, list(incoherence.values()))
    team_weighted = (
        None
        if weighted is None
        else {key: round(float(p), 12) for key, p in zip(hypothesis_keys, weighted, strict=True)}
    )
    return {"analysts": analysts, "team": team, "team_coherence_weighted": team_weighted, "incoherence": incoherence}
