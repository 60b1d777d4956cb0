"""What the indicator pages show: the board by hypothesis, the ranked list and one indicator's panels."""

from dataclasses import dataclass, field

from . import validator
from .charts import status_chart
from .models import Indicator
from .selectors import Board

TREND_SYMBOLS = {"up": "▲", "down": "▼", "steady": "▬", "new": "●", "lost": "?"}
TREND_TEXT = {
    "up": "moved towards present",
    "down": "moved away from present",
    "steady": "unchanged",
    "new": "first information",
    "lost": "no information now",
}
SORTS = {"rank": "Diagnosticity", "order": "List order"}


@dataclass
class Row:
    indicator: Indicator
    result: validator.IndicatorAssessment
    status_label: str
    threshold_label: str
    trend_symbol: str
    trend_text: str
    band_label: str
    cells: list[dict]
    against: list[str]
    # False when no hypothesis expects a negative indication: `against` then names those it costs most.
    against_expected: bool = True
    sparkline: dict | None = None


@dataclass
class BoardDisplay:
    board: Board
    assessed: validator.BoardAssessment
    rows: list[Row]
    columns: list[dict] = field(default_factory=list)
    negatives: list[Row] = field(default_factory=list)
    due: list[Row] = field(default_factory=list)
    non_diagnostic: list[Row] = field(default_factory=list)
    reached: list[Row] = field(default_factory=list)


def _cells(board: Board, result: validator.IndicatorAssessment) -> list[dict]:
    cells = []
    for hypothesis in board.hypotheses:
        value = result.team.get(hypothesis.key)
        code = validator.nearest_step(value)
        cells.append(
            {
                "hypothesis": hypothesis,
                "value": value,
                "code": code,
                "abbreviation": validator.LIKELIHOOD_ABBREVIATIONS.get(code, "·"),
                "expected": hypothesis.key in result.expected_by,
                "disagreement": result.disagreement.get(hypothesis.key, 0.0),
            }
        )
    return cells


def _counts_most_against(result: validator.IndicatorAssessment) -> list[str]:
    """The hypotheses a negative indication costs most: every one pays ln(1 - L), the likeliest the most."""
    rated = {key: value for key, value in result.team.items() if value is not None}
    if not rated:
        return []
    top = max(rated.values())
    return [key for key, value in rated.items() if value == top]


def row_of(board: Board, indicator: Indicator, result: validator.IndicatorAssessment, *, sparkline=False) -> Row:
    labels = board.labels
    if not result.negative:
        against, against_expected = [], True
    elif result.expected_by:
        against, against_expected = result.expected_by, True
    else:
        against, against_expected = _counts_most_against(result), False
    return Row(
        indicator=indicator,
        result=result,
        status_label=labels[result.status],
        threshold_label=labels[result.threshold],
        trend_symbol=TREND_SYMBOLS[result.trend],
        trend_text=TREND_TEXT[result.trend],
        band_label=validator.BAND_LABELS[result.band],
        cells=_cells(board, result),
        against=against,
        against_expected=against_expected,
        sparkline=status_chart([(o.date, o.status) for o in indicator.observations.all()], labels=labels, compact=True)
        if sparkline
        else None,
    )


def board_display(board: Board, *, sort: str = "rank") -> BoardDisplay:
    assessed = board.assess()
    results = {a.key: a for a in assessed.indicators}
    rows = [row_of(board, indicator, results[indicator.key], sparkline=True) for indicator in board.indicators]
    if sort == "rank":
        rows.sort(key=lambda row: row.result.rank)
    display = BoardDisplay(board=board, assessed=assessed, rows=rows)
    for hypothesis in board.hypotheses:
        # A non-diagnostic indicator is expected under every hypothesis alike: it cannot tell them apart.
        signposts = [row for row in rows if hypothesis.key in row.result.expected_by and not row.result.non_diagnostic]
        display.columns.append(
            {
                "hypothesis": hypothesis,
                "share": assessed.shares.get(hypothesis.key),
                "favoured": assessed.favoured == hypothesis.key,
                "rows": sorted(signposts, key=lambda row: -validator.status_rank(row.result.status)),
                "present": sum(1 for row in signposts if validator.status_rank(row.result.status) >= 2),
                "against": [row for row in rows if row.result.negative and hypothesis.key in row.result.expected_by],
            }
        )
    display.negatives = [row for row in rows if row.result.negative]
    display.due = [row for row in rows if row.result.due]
    display.non_diagnostic = [row for row in rows if row.result.non_diagnostic]
    display.reached = [row for row in rows if row.result.reached]
    return display


def indicator_detail(board: Board, indicator: Indicator) -> dict:
    assessed = board.assess()
    result = next(a for a in assessed.indicators if a.key == indicator.key)
    observations = list(indicator.observations.all())
    return {
        "row": row_of(board, indicator, result),
        "chart": status_chart(
            [(o.date, o.status) for o in observations], labels=board.labels, threshold=indicator.threshold
        ),
        "observations": observations[::-1],
    }


def validator_grid(board: Board, indicator: Indicator, user) -> dict:
    """The validator for one indicator: the user's own ratings (editable), each analyst's, the team's."""
    mine = {v.hypothesis_id: v.likelihood for v in indicator.validations.all() if v.analyst_id == user.pk}
    analysts: dict[str, dict[int, str]] = {}
    for v in sorted(indicator.validations.all(), key=lambda v: v.analyst.username):
        analysts.setdefault(v.analyst.username, {})[v.hypothesis_id] = v.likelihood
    return {
        "mine": [(h, mine.get(h.pk, "")) for h in board.hypotheses],
        "analysts": [
            (name, [validator.LIKELIHOOD_ABBREVIATIONS.get(ratings.get(h.pk), "·") for h in board.hypotheses])
            for name, ratings in analysts.items()
        ],
        "complete": len(mine) == len(board.hypotheses),
    }
