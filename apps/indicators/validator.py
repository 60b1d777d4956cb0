"""The Indicators Validator and the status logic of indicator lists: plain data in and out, no Django.

Sources. The validator follows Randolph H. Pherson's *Indicators Validator* (Pherson, *Handbook of
Analytic Tools and Techniques*; Heuer & Pherson, *Structured Analytic Techniques for Intelligence
Analysis*, "Indicators" and "Indicators Validator"): for each indicator and each hypothesis (or
scenario), how likely is the indicator to appear if that hypothesis were true, on the five-step scale
highly likely / likely / could / unlikely / highly unlikely. An indicator equally likely under every
hypothesis is not diagnostic; one highly likely under one hypothesis and unlikely under the rest is
highly diagnostic. Negative indications follow Cynthia Grabo, *Anticipating Surprise* (2002): that an
expected development has *not* occurred, when collection could have seen it, is itself evidence.

The rules, each a function below:

- Likelihood scale (``LIKELIHOODS``): highly likely 0.9, likely 0.7, could 0.5, unlikely 0.3, highly
  unlikely 0.1, read as the probability of seeing the indicator if the hypothesis were true.
- Team value of a cell (``team_likelihood``): the mean of the analysts' numbers for that indicator ×
  hypothesis (each analyst rates on their own; analysts who have not rated the cell are left out).
- Diagnosticity (``diagnosticity``): the range of the team values across hypotheses,
  ``max(L) - min(L)``, from 0 (equal under every hypothesis) to 0.8 (highly likely under one, highly
  unlikely under another). One step of the scale is 0.2, so the range reads as "how many steps apart
  the most and least expecting hypotheses are". Bands: below 0.2 not diagnostic (flagged: reword or
  remove), below 0.4 low, below 0.6 medium, from 0.6 high (e.g. highly likely vs unlikely).
- Ranking (``indicators_rank``): by diagnosticity, ties broken by the population standard deviation of
  the team values (more hypotheses separated from the mean first), then by list order; indicators
  with fewer than two rated hypotheses go last.
- Status (``STATUSES``): no information < not observed < emerging < partially present < fully
  present. The current status is the latest observation's (by date; the later entry wins a tie); with
  no observation it is "no information". A threshold is reached when the status is at or past it.
- Trend (``trend``): the current status against the status in force on the last review date, or,
  for an indicator never reviewed, against the previous observation. "up"/"down"/"steady"; "new"
  when there was no information before; "lost" when there is no information now.
- Review (``review_due_on``): an indicator is due for review (re-validation) ``cadence`` days after
  its last review (default 180 days); one never reviewed is due now.
- Negative indication (``negative_indication``, Grabo, *Anticipating Surprise*, 2002) on day d: the
  latest observation is "not observed" and dated within the review cadence before d (someone looked
  recently), and the unbroken run of "not observed" observations that ends with it began at least one
  cadence before d (analysts looked for a whole review period and did not see it). A single old look
  is not a negative indication: it is stale, however long ago it began. It
  counts against each hypothesis in proportion to how strongly that hypothesis expected the indicator.
  "No information" never counts: absence of collection is not absence of the event.
- As of a date (``indicator_assess``'s ``today``): the assessment's as-of date, or today without one.
  Every rule above judges the indicator as it stood that day: observations dated after it are left out
  (its status, trend and run of "not observed"), and staleness, negative indications and due reviews
  count from it. An assessment "as of mid-2013" is not judged against the day it is read.
- Support (``hypothesis_support``): each hypothesis scores the sum over observed indicators of
  ``w(status) × ln L`` plus, for each negative indication, ``ln(1 - L)`` (the probability of *not*
  seeing it), with L the team value and w = 0 not observed, 1/3 emerging, 2/3 partially present, 1
  fully present. This is a log-likelihood with partial statuses tempering the likelihood; the shares
  are the softmax of the scores (a posterior under equal priors). Indicators with an unrated
  hypothesis are left out.
- Tension (``tension``): the indicators favour a hypothesis (the single top score) other than the ACH
  leader by posterior.
"""

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

LIKELIHOODS: dict[str, float] = {
    "highly_likely": 0.9,
    "likely": 0.7,
    "could": 0.5,
    "unlikely": 0.3,
    "highly_unlikely": 0.1,
}
LIKELIHOOD_ABBREVIATIONS = {
    "highly_likely": "HL",
    "likely": "L",
    "could": "C",
    "unlikely": "U",
    "highly_unlikely": "HU",
}
# A hypothesis "expects" an indicator when the team value is nearer "likely" than "could".
EXPECTS_ABOVE = 0.6

STATUSES = ("no_information", "not_observed", "emerging", "partially_present", "fully_present")
DEFAULT_STATUS_LABELS = {
    "no_information": "No information",
    "not_observed": "Not observed",
    "emerging": "Emerging",
    "partially_present": "Partially present",
    "fully_present": "Fully present",
}
THRESHOLDS = STATUSES[2:]
STATUS_WEIGHTS = {"not_observed": 0.0, "emerging": 1 / 3, "partially_present": 2 / 3, "fully_present": 1.0}
DEFAULT_CADENCE_DAYS = 180

BANDS = ((0.2, "none"), (0.4, "low"), (0.6, "medium"))
BAND_LABELS = {"none": "not diagnostic", "low": "low", "medium": "medium", "high": "high", "unrated": "not rated"}
# Comparisons on sums of 0.1-steps need rounding: 0.7 - 0.5 is 0.19999999999999996 in floating point.
PRECISION = 9

Observation = tuple[date, str]


def team_likelihood(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), PRECISION) if values else None


def nearest_step(value: float | None) -> str | None:
    """The scale step nearest a team value; a tie goes to the step nearer "could" (the cautious reading)."""
    if value is None:
        return None
    return min(
        LIKELIHOODS, key=lambda code: (round(abs(LIKELIHOODS[code] - value), PRECISION), abs(LIKELIHOODS[code] - 0.5))
    )


def diagnosticity(team: Mapping[str, float | None]) -> float | None:
    rated = [value for value in team.values() if value is not None]
    if len(rated) < 2:
        return None
    return round(max(rated) - min(rated), PRECISION)


def spread(team: Mapping[str, float | None]) -> float:
    rated = [value for value in team.values() if value is not None]
    return round(statistics.pstdev(rated), PRECISION) if len(rated) >= 2 else 0.0


def diagnosticity_band(value: float | None) -> str:
    if value is None:
        return "unrated"
    for below, band in BANDS:
        if value < below:
            return band
    return "high"


def indicators_rank(items: Sequence[tuple[str, float | None, float]]) -> list[str]:
    """Keys of (key, diagnosticity, spread) items, most diagnostic first; see the module docstring."""
    ordered = sorted(
        enumerate(items), key=lambda pair: (pair[1][1] is None, -(pair[1][1] or 0.0), -pair[1][2], pair[0])
    )
    return [key for _, (key, _, _) in ordered]


def status_rank(status: str) -> int:
    return STATUSES.index(status)


def threshold_reached(status: str, threshold: str) -> bool:
    return status_rank(status) >= status_rank(threshold)


def _by_date(observations: Sequence[Observation]) -> list[Observation]:
    # sorted() is stable, so of two observations on one day the later entry stays last.
    return sorted(observations, key=lambda item: item[0])


def status_current(observations: Sequence[Observation]) -> str:
    ordered = _by_date(observations)
    return ordered[-1][1] if ordered else "no_information"


def status_on(observations: Sequence[Observation], day: date) -> str:
    """The status in force on a day: the latest observation dated on or before it."""
    return status_current([item for item in observations if item[0] <= day])


def trend(observations: Sequence[Observation], reviewed_on: date | None) -> str:
    ordered = _by_date(observations)
    if not ordered:
        return "steady"
    current = ordered[-1][1]
    baseline = status_on(ordered, reviewed_on) if reviewed_on else (ordered[-2][1] if len(ordered) > 1 else None)
    if baseline is None:
        return "new"
    if current == "no_information":
        return "steady" if baseline == "no_information" else "lost"
    if baseline == "no_information":
        return "new"
    difference = status_rank(current) - status_rank(baseline)
    return "up" if difference > 0 else "down" if difference < 0 else "steady"


def review_due_on(reviewed_on: date | None, cadence_days: int) -> date | None:
    """The next review date; None when the indicator has never been reviewed (due now)."""
    return reviewed_on + timedelta(days=cadence_days) if reviewed_on else None


def review_due(reviewed_on: date | None, cadence_days: int, today: date) -> bool:
    due_on = review_due_on(reviewed_on, cadence_days)
    return due_on is None or due_on <= today


def not_observed_since(observations: Sequence[Observation]) -> date | None:
    """The first date of the current unbroken run of "not observed" observations, if the status is that."""
    since = None
    for day, status in reversed(_by_date(observations)):
        if status != "not_observed":
            break
        since = day
    return since


def negative_indication(observations: Sequence[Observation], cadence_days: int, today: date) -> bool:
    since = not_observed_since(observations)
    if since is None:
        return False
    cadence = timedelta(days=cadence_days)
    latest = _by_date(observations)[-1][0]
    return today - cadence <= latest <= today and since + cadence <= today


def _clamp(value: float) -> float:
    # Team values lie in [0.1, 0.9]; the clamp only guards the logarithms against odd scales.
    return min(max(value, 1e-6), 1 - 1e-6)


def hypothesis_support(
    items: Iterable[tuple[str, Mapping[str, float | None], bool]], hypotheses: Sequence[str]
) -> tuple[dict[str, float], int]:
    """Scores per hypothesis from (status, team values, negative indication) items, and how many counted."""
    scores = dict.fromkeys(hypotheses, 0.0)
    counted = 0
    for status, team, negative in items:
        known = {key: value for key in hypotheses if (value := team.get(key)) is not None}
        if len(known) < len(hypotheses):
            continue
        weight = STATUS_WEIGHTS.get(status, 0.0)
        if weight > 0:
            for key in hypotheses:
                scores[key] += weight * math.log(_clamp(known[key]))
            counted += 1
        elif negative:
            for key in hypotheses:
                scores[key] += math.log(_clamp(1 - known[key]))
            counted += 1
    return {key: round(value, PRECISION) for key, value in scores.items()}, counted


def support_shares(scores: Mapping[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    top = max(scores.values())
    weights = {key: math.exp(value - top) for key, value in scores.items()}
    total = sum(weights.values())
    return {key: round(weight / total, PRECISION) for key, weight in weights.items()}


def favoured(scores: Mapping[str, float], counted: int) -> str | None:
    """The single best-supported hypothesis; None when no indicator counted or the top is shared."""
    if not counted or not scores:
        return None
    top = max(scores.values())
    leaders = [key for key, value in scores.items() if math.isclose(value, top, abs_tol=1e-9)]
    return leaders[0] if len(leaders) == 1 else None


def tension(indicators_favour: str | None, ach_leader: str | None) -> bool:
    return indicators_favour is not None and ach_leader is not None and indicators_favour != ach_leader


@dataclass
class IndicatorInput:
    key: str
    threshold: str
    cadence_days: int = DEFAULT_CADENCE_DAYS
    reviewed_on: date | None = None
    # (date, status) in entry order; the functions sort by date.
    observations: list[Observation] = field(default_factory=list)
    # analyst -> hypothesis key -> likelihood code
    ratings: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class IndicatorAssessment:
    key: str
    status: str
    threshold: str
    reached: bool
    trend: str
    team: dict[str, float | None]
    disagreement: dict[str, float]
    expected_by: list[str]
    diagnosticity: float | None
    spread: float
    band: str
    non_diagnostic: bool
    due: bool
    next_review: date | None
    negative: bool
    rank: int = 0


@dataclass
class BoardAssessment:
    hypotheses: list[str]
    indicators: list[IndicatorAssessment]
    ranking: list[str]
    support: dict[str, float]
    shares: dict[str, float]
    counted: int
    favoured: str | None


def indicator_assess(item: IndicatorInput, hypotheses: Sequence[str], today: date) -> IndicatorAssessment:
    """The indicator as of ``today`` (the assessment's as-of date): later observations do not count yet."""
    observations = [entry for entry in item.observations if entry[0] <= today]
    by_hypothesis: dict[str, list[float]] = {key: [] for key in hypotheses}
    for ratings in item.ratings.values():
        for key, code in ratings.items():
            if key in by_hypothesis:
                by_hypothesis[key].append(LIKELIHOODS[code])
    team = {key: team_likelihood(values) for key, values in by_hypothesis.items()}
    disagreement = {
        key: round(max(values) - min(values), PRECISION) for key, values in by_hypothesis.items() if len(values) > 1
    }
    value = diagnosticity(team)
    band = diagnosticity_band(value)
    status = status_current(observations)
    return IndicatorAssessment(
        key=item.key,
        status=status,
        threshold=item.threshold,
        reached=threshold_reached(status, item.threshold),
        trend=trend(observations, item.reviewed_on if item.reviewed_on is None or item.reviewed_on <= today else None),
        team=team,
        disagreement=disagreement,
        expected_by=[key for key, v in team.items() if v is not None and round(v, PRECISION) > EXPECTS_ABOVE],
        diagnosticity=value,
        spread=spread(team),
        band=band,
        non_diagnostic=band == "none",
        due=review_due(item.reviewed_on, item.cadence_days, today),
        next_review=review_due_on(item.reviewed_on, item.cadence_days),
        negative=negative_indication(observations, item.cadence_days, today),
    )


def board_assess(items: Sequence[IndicatorInput], hypotheses: Sequence[str], today: date) -> BoardAssessment:
    assessed = [indicator_assess(item, hypotheses, today) for item in items]
    ranking = indicators_rank([(a.key, a.diagnosticity, a.spread) for a in assessed])
    positions = {key: index + 1 for index, key in enumerate(ranking)}
    for a in assessed:
        a.rank = positions[a.key]
    scores, counted = hypothesis_support(((a.status, a.team, a.negative) for a in assessed), hypotheses)
    return BoardAssessment(
        hypotheses=list(hypotheses),
        indicators=assessed,
        ranking=ranking,
        support=scores,
        shares=support_shares(scores) if counted else {},
        counted=counted,
        favoured=favoured(scores, counted),
    )
