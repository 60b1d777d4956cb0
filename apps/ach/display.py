"""What the matrix page shows: rows, cells and score rows for one view of the matrix."""

import math
from dataclasses import dataclass, field

import numpy as np
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.comments.selectors import markers_for
from apps.core.charts import bar_chart

from . import scoring
from .results import scores_of
from .selectors import Matrix, matrix_get, notes_for_analyst

VIEWS = ("mine", "team", "analyst")
SORTS = {"order": "Matrix order", "diagnosticity": "Diagnosticity", "date": "Date", "weight": "Weight"}


@dataclass
class MatrixParams:
    view: str = "mine"
    analyst: str = ""
    sort: str = "order"
    hide_non_diagnostic: bool = False

    @classmethod
    def from_request(cls, data, *, can_review: bool) -> "MatrixParams":
        view = data.get("view", "mine")
        if view not in VIEWS or (view == "analyst" and not can_review):
            view = "mine"
        sort = data.get("sort", "order")
        return cls(
            view=view,
            analyst=data.get("analyst", ""),
            sort=sort if sort in SORTS else "order",
            hide_non_diagnostic=data.get("hide_nd") in ("1", "on", "true"),
        )

    def query(self) -> str:
        parts = [f"view={self.view}", f"sort={self.sort}"]
        if self.analyst:
            parts.append(f"analyst={self.analyst}")
        if self.hide_non_diagnostic:
            parts.append("hide_nd=1")
        return "&".join(parts)


@dataclass
class MatrixDisplay:
    matrix: Matrix
    scores: scoring.AssessmentScores
    params: MatrixParams
    editable: bool
    rows: list = field(default_factory=list)
    score_rows: list = field(default_factory=list)
    subject: str = ""
    linchpins: list = field(default_factory=list)
    chart: dict | None = None


def _cell_label(code: int) -> str:
    return scoring.RATING_LABELS[int(code)]


def _comments_link(row: dict, url: str, *, can_comment: bool) -> str:
    count, open_ = row["comments"], row["comments_open"]
    if not count:
        return f'<a class="small comment-link" href="{url}">Comment</a>' if can_comment else ""
    state = "open" if open_ else "resolved"
    return (
        f'<a class="badge comment-marker comment-{state}" href="{url}" '
        f'title="{count} comment thread{"s" if count > 1 else ""} ({state})">💬 {count}</a>'
    )


def _row_html(row: dict, cells: list[str], *, edit_url: str | None, comments: str = "") -> str:
    """One evidence row of the matrix (built here, not in the template, for the page's speed)."""
    evidence = row["evidence"]
    details = " · ".join(
        part
        for part in (
            escape(evidence.source),
            escape(evidence.citation),
            f"origin {escape(evidence.origin)}" if evidence.origin else "",
            evidence.date.strftime("%-d %b %Y") if evidence.date else "",
            f"cred. {evidence.credibility}",
            f"rel. {evidence.relevance}",
            f"weight {row['weight']:.2f}",
            "diag. not rated yet" if row["diagnosticity"] is None else f"diag. {row['diagnosticity']:.2f}",
        )
        if part
    )
    badges = (
        ('<span class="badge">not diagnostic</span>' if row["not_diagnostic"] else "")
        + ('<span class="badge warn">linchpin</span>' if row["linchpin"] else "")
        + comments
    )
    classes = " ".join(
        name for name, present in (("linchpin", row["linchpin"]), ("not-diagnostic", row["not_diagnostic"])) if present
    )
    key = escape(evidence.key)
    edit = ""
    if edit_url:
        url = edit_url.format(evidence.pk)
        move, delete = url.replace("/edit/", "/move/"), url.replace("/edit/", "/delete/")
        edit = (
            f'<div class="small row-actions"><button class="btn secondary small" hx-get="{url}" '
            f'hx-target="#ev-{evidence.pk} td.ev" hx-swap="innerHTML" aria-label="Edit {key}">✎ Edit</button> '
            f'<button class="btn secondary small" hx-post="{move}" hx-vals=\'{{"direction": "up"}}\' '
            f'aria-label="Move {key} up">▲</button> '
            f'<button class="btn secondary small" hx-post="{move}" hx-vals=\'{{"direction": "down"}}\' '
            f'aria-label="Move {key} down">▼</button> '
            f'<button class="btn danger small" hx-post="{delete}" hx-confirm="Delete {key} and its ratings?" '
            f'aria-label="Delete {key}">✕</button></div>'
        )
    return mark_safe(  # noqa: S308 - every user-entered part is escaped above
        f'<tr id="ev-{evidence.pk}" class="{classes}"><td class="ev"><strong>{escape(evidence.key)}</strong> '
        f'{escape(evidence.summary)}<div class="small muted">{details} {badges}</div>{edit}</td>{"".join(cells)}</tr>'
    )


def _cell_html(
    *,
    evidence_id: int,
    hypothesis_id: int,
    label: str,
    band: str,
    disagreement: float,
    note: str,
    hidden: bool,
    comment: bool | None = None,
) -> str:
    """One matrix cell; built here rather than in the template because a page has thousands."""
    if hidden:
        return (
            f'<td class="cell" tabindex="0" data-e="{evidence_id}" data-h="{hypothesis_id}" '
            'title="Rate this row yourself to see the team\'s ratings"><span class="hidden-rating">·</span></td>'
        )
    classes = _CELL_CLASSES[label, band]
    if comment is not None:
        # A comment thread on the cell: a corner marker, filled while the thread is open.
        classes += " commented comment-open" if comment else " commented"
    if band:
        title_attr = f' title="disagreement {disagreement:.2f} ({band})"'
    else:
        title_attr = f' title="{escape(note)}"' if note else ""
    return (
        f'<td class="{classes}" tabindex="0" data-e="{evidence_id}" data-h="{hypothesis_id}"{title_attr}>{label}</td>'
    )


_CELL_CLASSES = {
    (label, band): "cell" + (f" r-{label}" if label else "") + (f" d-{band}" if band else "")
    for label in scoring.RATING_LABELS
    for band in ("", *scoring.DISAGREEMENT_BANDS)
}


def matrix_display(*, assessment, user, membership, params: MatrixParams) -> MatrixDisplay:
    matrix = matrix_get(assessment=assessment)
    scores = scores_of(matrix)
    me = matrix.analyst_index(user.pk)
    editable = params.view == "mine" and membership.can_edit
    display = MatrixDisplay(matrix=matrix, scores=scores, params=params, editable=editable)
    n_evidence, n_hyp = len(matrix.evidence), len(matrix.hypotheses)
    subject_index = me
    if params.view == "analyst":
        subject_index = next((i for i, a in enumerate(matrix.analysts) if a.username == params.analyst), None)
        if subject_index is None and matrix.analysts:
            subject_index = 0
            params.analyst = matrix.analysts[0].username
    if params.view == "team":
        codes = scores.consensus
        display.subject = "Team consensus"
    else:
        codes = (
            matrix.ratings[subject_index] if subject_index is not None else np.zeros((n_evidence, n_hyp), dtype=np.int8)
        )
        display.subject = "My ratings" if params.view == "mine" else f"{params.analyst}’s ratings"
    bands = scoring.disagreement_bands(scores.disagreement) if n_evidence and n_hyp else None
    # Anchoring: an analyst sees the team's ratings of a row only once they have rated all of it.
    if params.view == "team" and not membership.can_review:
        own = matrix.ratings[me] if me is not None else np.zeros((n_evidence, n_hyp), dtype=np.int8)
        revealed = scoring.rows_revealed(own)
    else:
        revealed = np.ones(n_evidence, dtype=bool)
    notes = notes_for_analyst(assessment=assessment, user_id=user.pk) if params.view == "mine" else {}
    markers = markers_for(assessment_id=assessment.pk)
    # Anchoring for comments, whatever the view: an analyst sees cell threads only on rows they rated in full.
    if membership.can_review:
        threads_revealed = np.ones(n_evidence, dtype=bool)
    else:
        own = matrix.ratings[me] if me is not None else np.zeros((n_evidence, n_hyp), dtype=np.int8)
        threads_revealed = (own != 0).all(axis=1) if n_hyp else np.ones(n_evidence, dtype=bool)
    cell_threads_by_row: dict[int, list[bool]] = {}
    for (evidence_id, _hypothesis_id), open_ in markers.cells.items():
        cell_threads_by_row.setdefault(evidence_id, []).append(open_)
    for hypothesis in matrix.hypotheses:
        hypothesis.comment_marker = markers.columns.get(hypothesis.pk)
    comments_url = reverse("comments:list", args=[assessment.pk]) + "?evidence={}"
    hypothesis_ids = [h.pk for h in matrix.hypotheses]
    edit_url = reverse("assessments:evidence_edit", args=[assessment.pk, 0]).replace("/0/", "/{}/")
    code_rows = codes.tolist()
    band_rows = bands.tolist() if bands is not None else [[]] * n_evidence
    disagreement_rows = scores.disagreement.tolist()
    for i, evidence in enumerate(matrix.evidence):
        hidden = not revealed[i]
        cells = [
            _cell_html(
                evidence_id=evidence.pk,
                hypothesis_id=hypothesis_id,
                label="" if hidden else _cell_label(code_rows[i][j]),
                band=band_rows[i][j] if params.view == "team" and not hidden else "",
                disagreement=disagreement_rows[i][j],
                note=notes.get((evidence.pk, hypothesis_id), ""),
                hidden=hidden,
                comment=markers.cells.get((evidence.pk, hypothesis_id)) if threads_revealed[i] else None,
            )
            for j, hypothesis_id in enumerate(hypothesis_ids)
        ]
        row = {
            "evidence": evidence,
            "weight": float(matrix.weights[i]),
            "diagnosticity": None if np.isnan(scores.diagnosticity[i]) else float(scores.diagnosticity[i]),
            "not_diagnostic": bool(scores.not_diagnostic[i]),
            "linchpin": bool(scores.linchpin_inconsistency[i] or scores.linchpin_posterior[i]),
            "hidden": hidden,
        }
        cell_threads = cell_threads_by_row.get(evidence.pk, []) if threads_revealed[i] else []
        row_threads = cell_threads + ([markers.rows[evidence.pk]] if evidence.pk in markers.rows else [])
        row["comments"], row["comments_open"] = len(row_threads), any(row_threads)
        row["html"] = _row_html(
            row,
            cells,
            edit_url=edit_url if membership.can_edit else None,
            comments=_comments_link(row, comments_url.format(evidence.pk), can_comment=membership.can_review),
        )
        display.rows.append(row)
    _sort_rows(display.rows, params.sort)
    if params.hide_non_diagnostic:
        display.rows = [row for row in display.rows if not row["not_diagnostic"]]
    if params.view == "team" or subject_index is None:
        inconsistency = scores.team_inconsistency
        weighted = scores.team_weighted_inconsistency
        posterior = scores.team_posterior
    else:
        inconsistency = scores.analyst_inconsistency[subject_index]
        weighted = scores.analyst_weighted_inconsistency[subject_index]
        posterior = scores.analyst_posterior[subject_index]
    display.score_rows = [
        {"label": "Inconsistency", "values": [f"{v:g}" for v in inconsistency]},
        {"label": "Weighted inconsistency", "values": [f"{v:.2f}" for v in weighted]},
        {"label": "Posterior", "values": [f"{v * 100:.1f}%" for v in posterior]},
    ]
    display.linchpins = [
        {
            "evidence": matrix.evidence[i],
            "inconsistency": bool(scores.linchpin_inconsistency[i]),
            "posterior": bool(scores.linchpin_posterior[i]),
        }
        for i in np.flatnonzero(scores.linchpin_inconsistency | scores.linchpin_posterior)
    ]
    return display


def _sort_rows(rows: list, sort: str) -> None:
    if sort == "diagnosticity":
        # Items nobody rated yet have no diagnosticity: after every rated item.
        rows.sort(key=lambda row: math.inf if row["diagnosticity"] is None else -row["diagnosticity"])
    elif sort == "weight":
        rows.sort(key=lambda row: -row["weight"])
    elif sort == "date":
        rows.sort(key=lambda row: (row["evidence"].date is None, row["evidence"].date or 0), reverse=False)


def scores_chart(*, hypotheses_keys: list[str], results: dict) -> dict:
    """Bar chart data of team posterior and weighted inconsistency from snapshot results."""
    team = results.get("team", {})
    return {
        "posterior": bar_chart(
            [(key, team[key]["posterior"]) for key in hypotheses_keys if key in team], maximum=1.0, percent=True
        ),
        "weighted": bar_chart([(key, team[key]["weighted_inconsistency"]) for key in hypotheses_keys if key in team]),
    }
