"""What the supervisor's review view and the assessment report read: every technique, read-only."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Q

from apps.accounts.models import Membership
from apps.ach import scoring
from apps.ach.judgments import comparison_get, sensitivity_get
from apps.ach.models import Rating
from apps.ach.results import matrix_visible, scores_of
from apps.ach.selectors import matrix_get
from apps.assessments.models import Activity, Assessment, Hypothesis, ScoreSnapshot
from apps.assessments.selectors import snapshot_latest
from apps.assessments.visibility import results_for, view_for
from apps.comments.selectors import ThreadList, threads_for
from apps.indicators.models import Indicator
from apps.key_assumptions import spread
from apps.key_assumptions.models import Assumption

from .models import ReviewMark

REVIEW_ACTIONS = ("submit", "approve", "return", "reopen")
HISTORY_LIMIT = 50


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


def key_uncertainties(*, assessment: Assessment, since: datetime | None = None) -> list[Assumption]:
    """The Key Assumptions Check's key uncertainties in its order (spread.key_uncertainties: unsupported,
    most impact first, then high impact with caveats)."""
    assumptions = {a.key: a for a in Assumption.objects.filter(assessment=assessment)}
    facts = (
        spread.AssumptionFacts(key=a.key, confidence=a.confidence, impact=a.impact, status=a.status, order=a.order)
        for a in assumptions.values()
    )
    chosen = [assumptions[key] for key in spread.key_uncertainties(facts)]
    for assumption in chosen:
        assumption.changed = since is not None and assumption.updated_at > since
    return chosen


def assumptions_all(*, assessment: Assessment) -> list[Assumption]:
    return list(Assumption.objects.filter(assessment=assessment).exclude(status="retired").order_by("order", "id"))


def indicators_of(*, snapshot: ScoreSnapshot | None) -> list[dict]:
    """Every indicator as the latest snapshot assessed it (status, threshold, whether it is reached)."""
    results = (snapshot.results.get("indicators") or {}) if snapshot else {}
    labels = results.get("status_labels", {})
    return [
        {
            "key": key,
            **item,
            "status_label": labels.get(item.get("status"), item.get("status")),
            "threshold_label": labels.get(item.get("threshold"), item.get("threshold")),
        }
        for key, item in (results.get("indicators") or {}).items()
    ]


def _indicators_changed(*, assessment: Assessment, since: datetime | None) -> set[str]:
    if since is None:
        return set()
    return set(
        Indicator.objects.filter(assessment=assessment)
        .filter(Q(updated_at__gt=since) | Q(observations__created_at__gt=since))
        .order_by()
        .values_list("key", flat=True)
        .distinct()
    )


def ranking_of(
    *, snapshot: ScoreSnapshot | None, hypotheses: list[Hypothesis], results: dict | None = None
) -> list[dict]:
    """Hypotheses in the snapshot's ranking with their team scores and, when computed, their sensitivity;
    from ``results`` (the snapshot's as a viewer may see them) when given."""
    if results is None:
        results = (snapshot.results.get("ach") or {}) if snapshot else {}
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


def approval_record(*, assessment: Assessment) -> list[Activity]:
    """Every review step (submitted, approved, returned, reopened): who and when, oldest first."""
    return list(
        Activity.objects.filter(assessment=assessment, kind=Activity.Kind.REVIEW, data__action__in=REVIEW_ACTIONS)
        .select_related("actor")
        .order_by("created_at", "id")
    )


@dataclass
class Review:
    assessment: Assessment
    mark: ReviewMark | None
    grid: Grid
    key_uncertainties: list[Assumption]
    indicators_at_threshold: list[dict]
    threads: ThreadList
    snapshot: ScoreSnapshot | None
    ranking: list[dict]
    snapshots: list[ScoreSnapshot] = field(default_factory=list)
    # The team's answer (apps.ach.results.answer_of): both leaders and why they differ.
    answer: dict | None = None

    @property
    def changed_count(self) -> int:
        return (
            sum(row.changed for row in self.grid.rows)
            + sum(h.changed for h in self.grid.hypotheses)
            + sum(a.changed for a in self.key_uncertainties)
            + sum(i["changed"] for i in self.indicators_at_threshold)
            + sum(t.changed for t in self.threads.threads)
        )


def review_get(*, assessment: Assessment, user, membership: Membership) -> Review:
    """Everything the review view shows, in a fixed number of queries; changes since the user's last visit
    (their ReviewMark) are flagged with `changed`."""
    mark = ReviewMark.objects.filter(assessment=assessment, user=user).first()
    since = mark.seen_at if mark else None
    grid = grid_get(assessment=assessment, since=since)
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    changed_indicators = _indicators_changed(assessment=assessment, since=since)
    at_threshold = [
        {**item, "changed": item["key"] in changed_indicators}
        for item in indicators_of(snapshot=snapshot)
        if item.get("reached")
    ]
    threads = threads_for(assessment=assessment, user=user, membership=membership, unresolved_only=True)
    for thread in threads.threads:
        thread.changed = since is not None and thread.updated_at > since
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version")[:HISTORY_LIMIT])[::-1]
    return Review(
        assessment=assessment,
        mark=mark,
        grid=grid,
        key_uncertainties=key_uncertainties(assessment=assessment, since=since),
        indicators_at_threshold=at_threshold,
        threads=threads,
        snapshot=snapshot,
        ranking=ranking_of(snapshot=snapshot, hypotheses=grid.hypotheses),
        snapshots=snapshots,
        answer=((snapshot.results.get("ach") or {}).get("answer") if snapshot else None),
    )


@dataclass
class Report:
    assessment: Assessment
    marking: Any
    snapshot: ScoreSnapshot | None
    ranking: list[dict]
    grid: Grid
    assumptions: list[Assumption]
    key_uncertainties: list[Assumption]
    indicators: list[dict]
    # The analysts' stated probabilities beside the computed ones (as the judgment panel shows them).
    comparison: Any
    approvals: list[Activity]
    sensitivity: dict | None = None
    view_notice: str = ""
    answer: dict | None = None

    @property
    def approved(self) -> Activity | None:
        """The approval in force: the last review step, when it is an approval."""
        return self.approvals[-1] if self.approvals and self.approvals[-1].data.get("action") == "approve" else None


def _lead_sensitivity(snapshot: ScoreSnapshot | None, results: dict) -> dict | None:
    """The judgment panel's "how fragile is the lead" (greedy removals, the team without each analyst);
    None for a snapshot scored before it existed."""
    if snapshot is None or "without_analyst" not in (results.get("sensitivity") or {}):
        return None
    return sensitivity_get(snapshot, results)


def report_get(*, assessment: Assessment, user, membership: Membership) -> Report:
    """The report as the user may read it: an analyst's from her view (apps.assessments.visibility)."""
    view = view_for(assessment=assessment, user=user, role=membership.role)
    grid = grid_get(assessment=assessment, hidden=view.hidden.get("ach", ()))
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    results = results_for(view=view, snapshot=snapshot, assessment=assessment) if snapshot else {}
    return Report(
        assessment=assessment,
        # Handling markings arrive with another branch; until then the report shows a placeholder.
        marking=getattr(assessment, "marking", None),
        snapshot=snapshot,
        ranking=ranking_of(snapshot=snapshot, hypotheses=grid.hypotheses, results=results.get("ach") or {}),
        grid=grid,
        view_notice=view.notice("ach"),
        assumptions=assumptions_all(assessment=assessment),
        key_uncertainties=key_uncertainties(assessment=assessment),
        indicators=indicators_of(snapshot=snapshot),
        comparison=comparison_get(
            assessment=assessment,
            hypotheses=list(grid.hypotheses),
            snapshot=snapshot,
            user=user,
            sees_everyone=membership.can_review,
            results=results.get("ach") or {},
        ),
        sensitivity=_lead_sensitivity(snapshot, results.get("ach") or {}),
        approvals=approval_record(assessment=assessment),
        answer=(results.get("ach") or {}).get("answer"),
    )
