"""ACH on the shared surfaces (registered through apps.assessments.techniques): the supervisor's review
board and the report. Each reads the viewer's view: the rows it hides are scored as if nobody had rated
them, and the snapshot's figures are the ones results_for computed for that view."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from apps.assessments.models import Assessment, Hypothesis, ScoreSnapshot
from apps.assessments.techniques import SectionContext

from . import scoring
from .judgments import comparison_get, sensitivity_get
from .models import Rating
from .results import matrix_visible, scores_of
from .selectors import matrix_get


@dataclass
class Cell:
    consensus: str
    band: str
    analysts: list[str]  # each analyst's label, in the order of Grid.analysts ("" = not rated)
    changed: bool = False


@dataclass
class Row:
    evidence: Any
    cells: list[Cell]
    disagreement: float  # the row's largest cell disagreement
    diagnosticity: float
    linchpin: bool
    not_diagnostic: bool
    changed: bool = False
    # Anchoring: an analyst who has not rated the whole row does not see the team's ratings of it.
    hidden: bool = False


@dataclass
class Grid:
    """The consensus matrix with each analyst's rating of every cell, largest disagreements first."""

    hypotheses: list[Hypothesis]
    analysts: list[str]
    rows: list[Row]

    @property
    def linchpins(self) -> list[Row]:
        return [row for row in self.rows if row.linchpin]

    @property
    def non_diagnostic(self) -> list[Row]:
        return [row for row in self.rows if row.not_diagnostic]

    @property
    def diagnostic(self) -> list[Row]:
        return sorted(
            (row for row in self.rows if not row.not_diagnostic and not row.hidden), key=lambda row: -row.diagnosticity
        )

    @property
    def disagreements(self) -> list[tuple[Row, Hypothesis, Cell]]:
        return [
            (row, hypothesis, cell)
            for row in self.rows
            if not row.hidden
            for hypothesis, cell in zip(self.hypotheses, row.cells, strict=True)
            if cell.band in ("large", "extreme")
        ]

    @property
    def changed_count(self) -> int:
        return sum(row.changed for row in self.rows) + sum(h.changed for h in self.hypotheses)


def grid_get(*, assessment: Assessment, since: datetime | None = None, hidden: Collection[int] = ()) -> Grid:
    """Five queries: the matrix's four and, with `since`, the cells rated after it. ``hidden``: the rows a
    viewer may not see yet (apps.assessments.visibility), scored as if nobody had rated them."""
    matrix = matrix_visible(matrix_get(assessment=assessment), hidden)
    scores = scores_of(matrix)
    n_evidence, n_hyp = len(matrix.evidence), len(matrix.hypotheses)
    changed_cells: set[tuple[int, int]] = set()
    if since is not None:
        changed_cells = set(
            Rating.objects.filter(assessment=assessment, rated_at__gt=since).values_list("evidence_id", "hypothesis_id")
        )
    bands = scoring.disagreement_bands(scores.disagreement) if n_evidence and n_hyp else np.zeros((n_evidence, 0))
    labels = scoring.RATING_LABELS
    rows = []
    for i, evidence in enumerate(matrix.evidence):
        cells = [
            Cell(
                consensus=labels[int(scores.consensus[i, j])],
                band=str(bands[i, j]),
                analysts=[labels[int(matrix.ratings[a, i, j])] for a in range(len(matrix.analysts))],
                changed=(evidence.pk, hypothesis.pk) in changed_cells,
            )
            for j, hypothesis in enumerate(matrix.hypotheses)
        ]
        rows.append(
            Row(
                evidence=evidence,
                cells=cells,
                disagreement=float(scores.disagreement[i].max()) if n_hyp else 0.0,
                diagnosticity=float(scores.diagnosticity[i]),
                linchpin=bool(scores.linchpin_inconsistency[i] or scores.linchpin_posterior[i]),
                not_diagnostic=bool(scores.not_diagnostic[i]),
                changed=since is not None and (evidence.updated_at > since or any(cell.changed for cell in cells)),
                hidden=evidence.pk in hidden,
            )
        )
    rows.sort(key=lambda row: -row.disagreement)
    for hypothesis in matrix.hypotheses:
        hypothesis.changed = since is not None and hypothesis.updated_at > since
    return Grid(hypotheses=matrix.hypotheses, analysts=[a.username for a in matrix.analysts], rows=rows)


def ranking_with_statements(*, results: dict, hypotheses: list[Hypothesis]) -> list[dict]:
    """Hypotheses in the snapshot's ranking (``results``: ACH's, as the viewer may see them) with their
    statements, team scores and, when computed, their sensitivity."""
    team = results.get("team", {})
    statements = {h.key: h.statement for h in hypotheses}
    sensitivity = results.get("sensitivity") or {}
    return [
        {
            "key": key,
            "statement": statements.get(key, ""),
            **team[key],
            "sensitivity": sensitivity.get(key) if isinstance(sensitivity, dict) else None,
        }
        for key in results.get("ranking", [])
        if key in team
    ]


def _lead_sensitivity(snapshot: ScoreSnapshot | None, results: dict) -> dict | None:
    """The judgment panel's "how fragile is the lead" (greedy removals, the team without each analyst);
    None for a snapshot scored before it existed."""
    if snapshot is None or "without_analyst" not in (results.get("sensitivity") or {}):
        return None
    return sensitivity_get(snapshot, results)


def board_data(context: SectionContext) -> dict:
    """The review board (supervisors: their view hides nothing): each analyst beside the consensus, changes
    since the last visit flagged."""
    grid = grid_get(assessment=context.assessment, since=context.since, hidden=context.view.hidden.get("ach", ()))
    return {
        "grid": grid,
        "snapshot": context.snapshot,
        "ranking": ranking_with_statements(results=context.results, hypotheses=grid.hypotheses),
        "answer": context.results.get("answer"),
        "changed": grid.changed_count,
    }


def report_data(context: SectionContext) -> dict:
    """The report as the viewer may read it: an analyst's from her view."""
    grid = grid_get(assessment=context.assessment, hidden=context.view.hidden.get("ach", ()))
    return {
        "grid": grid,
        "snapshot": context.snapshot,
        "ranking": ranking_with_statements(results=context.results, hypotheses=grid.hypotheses),
        "view_notice": context.view.notice("ach"),
        "comparison": comparison_get(
            assessment=context.assessment,
            hypotheses=list(grid.hypotheses),
            snapshot=context.snapshot,
            user=context.user,
            sees_everyone=context.view.sees_all,
            results=context.results,
        ),
        "sensitivity": _lead_sensitivity(context.snapshot, context.results),
        "answer": context.results.get("answer"),
    }
