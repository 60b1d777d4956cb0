"""What the matrix page shows: rows, cells and score rows for one view of the matrix."""

import functools
import math
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from html import escape  # Django's escape is this one behind a lazy-string wrapper: a page escapes ~1,000 texts
from typing import NamedTuple

import numpy as np
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from apps.comments.selectors import Markers, markers_for
from apps.core.charts import bar_chart
from apps.core.numbers import percent_text

from . import scoring
from .results import LINCHPIN_BASES
from .selectors import Matrix, matrix_frame_get, matrix_ratings_load, matrix_row_get, notes_for_analyst

VIEWS = ("mine", "team", "analyst")
DENSITIES = ("compact", "full")
COMPACT_FROM = 20
SORTS = {"order": "Matrix order", "diagnosticity": "Diagnosticity", "date": "Date", "weight": "Weight"}


@dataclass
class MatrixParams:
    view: str = "mine"
    analyst: str = ""
    sort: str = "order"
    hide_non_diagnostic: bool = False
    # "compact" (one line a row, details on demand), "full", or "" for the default by the matrix's size.
    density: str = ""

    @classmethod
    def from_request(cls, data, *, can_review: bool, can_rate: bool = True) -> "MatrixParams":
        # A member who rates nothing (a supervisor) has no "mine": they open on the team's matrix.
        default = "mine" if can_rate else "team"
        view = data.get("view", default)
        if view not in VIEWS or (view == "analyst" and not can_review) or (view == "mine" and not can_rate):
            view = default
        sort = data.get("sort", "order")
        return cls(
            view=view,
            analyst=data.get("analyst", ""),
            sort=sort if sort in SORTS else "order",
            hide_non_diagnostic=data.get("hide_nd") in ("1", "on", "true"),
            density=data.get("density", "") if data.get("density") in DENSITIES else "",
        )

    def query(self) -> str:
        parts = [f"view={self.view}", f"sort={self.sort}"]
        if self.analyst:
            parts.append(f"analyst={self.analyst}")
        if self.hide_non_diagnostic:
            parts.append("hide_nd=1")
        if self.density:
            parts.append(f"density={self.density}")
        return "&".join(parts)

    def compact(self, evidence_count: int) -> bool:
        """One line a row: chosen, or by default from COMPACT_FROM items (a real matrix fits on a screen)."""
        return self.density == "compact" or (not self.density and evidence_count >= COMPACT_FROM)


@dataclass
class MatrixDisplay:
    matrix: Matrix
    params: MatrixParams
    editable: bool
    rows: list = field(default_factory=list)
    score_rows: list = field(default_factory=list)
    subject: str = ""
    linchpins: list = field(default_factory=list)
    linchpins_unlisted: int = 0
    next_block: int | None = None


# Rows per block of the matrix page; the page opens with the first and loads the next as it scrolls into view.
BLOCK_ROWS = 100
# In a near-tie every item can be a linchpin: the page lists the first few (the rows carry the badge).
LINCHPINS_LISTED = 10


@functools.cache
def _comment_icon() -> str:
    # An SVG, not an emoji: it draws without an emoji font (one template for the page and the rows).
    return render_to_string("components/comment_icon.html").strip()


def _comments_link(row: dict, url: str, *, can_comment: bool) -> str:
    count, open_ = row["comments"], row["comments_open"]
    if not count:
        return f'<a class="small comment-link" href="{url}">Comment</a>' if can_comment else ""
    state = "open" if open_ else "resolved"
    return (
        f'<a class="badge comment-marker comment-{state}" href="{url}" '
        f'title="{count} comment thread{"s" if count > 1 else ""} ({state})">{_comment_icon()} {count}</a>'
    )


def _diagnosticity_text(row: dict) -> str:
    if row["figures_hidden"]:
        return "diag. shown once you rate the row"
    if row["diagnosticity"] is None:
        return "diag. not rated yet"
    return f"diag. {row['diagnosticity']:.2f}" + (", partly rated" if row.get("partly_rated") else "")


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
            _diagnosticity_text(row),
        )
        if part
    )
    # A retracted source's item stays listed, struck through: no score counts it (apps.assessments.grading).
    retracted = evidence.retracted_on is not None
    badges = (
        ('<span class="badge danger">source retracted: counts in no score</span>' if retracted else "")
        + ('<span class="badge">not diagnostic</span>' if row["not_diagnostic"] else "")
        + ('<span class="badge warn">linchpin</span>' if row["linchpin"] else "")
        + comments
    )
    classes = " ".join(
        name
        for name, present in (
            ("linchpin", row["linchpin"]),
            ("not-diagnostic", row["not_diagnostic"]),
            ("retracted", retracted),
        )
        if present
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
    evidence_id: int,
    hypothesis_id: int,
    name: str,
    label: str,
    band: str,
    disagreement: float,
    note: str,
    hidden: bool,
    comment: bool | None = None,
) -> str:
    """One matrix cell; built here rather than in the template because a page has thousands.

    ``name`` ("E12 × H3", escaped) starts the cell's accessible name; the matrix's script moves the one
    tabindex="0" of the grid (roving tabindex), so every cell is rendered out of the tab order.
    """
    if hidden:
        return (
            f'<td class="cell" tabindex="-1" data-e="{evidence_id}" data-h="{hypothesis_id}" '
            f'aria-label="{name}: hidden until you rate this row" '
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
    spoken = _CELL_WORDS[label, band] + _CELL_THREAD_WORDS[comment]
    return (
        f'<td class="{classes}" tabindex="-1" data-e="{evidence_id}" data-h="{hypothesis_id}" '
        f'aria-label="{name}: {spoken}"{title_attr}>{label}</td>'
    )


_CELL_CLASSES = {
    (label, band): "cell" + (f" r-{label}" if label else "") + (f" d-{band}" if band else "")
    for label in scoring.RATING_LABELS
    for band in ("", *scoring.DISAGREEMENT_BANDS)
}
_CELL_WORDS = {
    (label, band): word + ("" if not band else ", analysts agree" if band == "consensus" else f", {band} disagreement")
    for label, word in zip(scoring.RATING_LABELS, scoring.RATING_WORDS, strict=True)
    for band in ("", *scoring.DISAGREEMENT_BANDS)
}
_CELL_THREAD_WORDS = {None: "", True: ", open comment thread", False: ", resolved comment thread"}


class _Subject(NamedTuple):
    codes: np.ndarray  # (E, H) rating codes shown
    analyst: int | None  # the analyst shown (by index), None for the team
    revealed: np.ndarray  # (E,) rows whose ratings may be shown (anchoring)
    threads_revealed: np.ndarray  # (E,) rows whose cell comment threads may be shown (anchoring)


def _subject(matrix: Matrix, consensus: np.ndarray, *, user, membership, params: MatrixParams) -> _Subject:
    n_evidence, n_hyp = len(matrix.evidence), len(matrix.hypotheses)
    blank = np.zeros((n_evidence, n_hyp), dtype=np.int8)
    me = matrix.analyst_index(user.pk)
    index = me
    if params.view == "analyst":
        index = next((i for i, a in enumerate(matrix.analysts) if a.username == params.analyst), None)
        if index is None and matrix.analysts:
            index = 0
            params.analyst = matrix.analysts[0].username
    everything = np.ones(n_evidence, dtype=bool)
    # Anchoring: an analyst sees the team's ratings of a row, and the cell threads on it whatever the view,
    # only once they have rated all of it.
    own_rows = (
        everything if membership.can_review else scoring.rows_revealed(matrix.ratings[me] if me is not None else blank)
    )
    if params.view == "team":
        return _Subject(consensus, None, own_rows, own_rows)
    return _Subject(matrix.ratings[index] if index is not None else blank, index, everything, own_rows)


def _subject_label(params: MatrixParams) -> str:
    if params.view == "team":
        return "Team consensus"
    return "My ratings" if params.view == "mine" else f"{params.analyst}’s ratings"


def _rows_html(
    matrix: Matrix,
    indices,
    *,
    subject: _Subject,
    disagreement: np.ndarray,
    diagnosticity: np.ndarray,
    linchpin_keys: set[str],
    notes: dict,
    markers: Markers,
    comments_url: str,
    params: MatrixParams,
    membership,
    edit_url: str | None,
    figures_hidden: Collection[int] = (),
) -> list[dict]:
    hypothesis_ids = [h.pk for h in matrix.hypotheses]
    hypothesis_keys = [escape(h.key) for h in matrix.hypotheses]
    team = params.view == "team"
    cell_threads_by_row: dict[int, list[bool]] = {}
    for (evidence_id, _hypothesis_id), open_ in markers.cells.items():
        cell_threads_by_row.setdefault(evidence_id, []).append(open_)
    # The block's figures in one pass over its rows: per-row numpy calls cost more than the arithmetic.
    indices = list(indices)
    block_codes = subject.codes[indices].tolist()
    block_spread = disagreement[indices].tolist()
    block_bands = (
        scoring.disagreement_bands(disagreement[indices]).tolist() if team and hypothesis_ids else [[]] * len(indices)
    )
    block_partly = scoring.rows_partly_rated(matrix.ratings[:, indices]).tolist()
    block_diagnosticity = diagnosticity[indices].tolist()
    labels = scoring.RATING_LABELS
    rows = []
    for position, i in enumerate(indices):
        evidence = matrix.evidence[i]
        evidence_id = evidence.pk
        hidden = not subject.revealed[i]
        threads_revealed = bool(subject.threads_revealed[i])
        evidence_key = escape(evidence.key)
        codes, spread = block_codes[position], block_spread[position]
        bands = block_bands[position] if team and not hidden else None
        cells = [
            _cell_html(
                evidence_id,
                hypothesis_id,
                f"{evidence_key} × {hypothesis_keys[j]}",
                "" if hidden else labels[codes[j]],
                bands[j] if bands else "",
                spread[j],
                notes.get((evidence_id, hypothesis_id), ""),
                hidden,
                markers.cells.get((evidence_id, hypothesis_id)) if threads_revealed else None,
            )
            for j, hypothesis_id in enumerate(hypothesis_ids)
        ]
        row_diagnosticity = block_diagnosticity[position]
        unrated = math.isnan(row_diagnosticity) or evidence_id in figures_hidden
        # A hypothesis nobody has rated yet: the row is partly rated, never "not diagnostic".
        partly = not unrated and block_partly[position]
        row = {
            "evidence": evidence,
            "weight": float(matrix.weights[i]),
            "diagnosticity": None if unrated else row_diagnosticity,
            "partly_rated": partly,
            "not_diagnostic": not unrated and not partly and row_diagnosticity < scoring.NOT_DIAGNOSTIC_TOLERANCE,
            "linchpin": evidence.key in linchpin_keys,
            "hidden": hidden,
            # The visibility policy: no figure of a row computed from teammates' ratings before she rates it.
            "figures_hidden": evidence.pk in figures_hidden,
        }
        cell_threads = cell_threads_by_row.get(evidence.pk, []) if threads_revealed else []
        row_threads = cell_threads + ([markers.rows[evidence.pk]] if evidence.pk in markers.rows else [])
        row["comments"], row["comments_open"] = len(row_threads), any(row_threads)
        row["html"] = _row_html(
            row,
            cells,
            edit_url=edit_url,
            comments=_comments_link(
                row, comments_url.format(evidence.pk), can_comment=membership.can_review or membership.can_edit
            ),
        )
        rows.append(row)
    return rows


def _linchpin_keys(results: dict) -> dict[str, set[str]]:
    return {basis: set(results.get("linchpins", {}).get(basis, [])) for basis, _ in LINCHPIN_BASES}


def _edit_url(assessment, membership) -> str | None:
    if not membership.can_edit:
        return None
    return reverse("assessments:evidence_edit", args=[assessment.pk, 0]).replace("/0/", "/{}/")


def _comments_url(assessment) -> str:
    return reverse("comments:list", args=[assessment.pk]) + "?evidence={}"


def score_rows(*, matrix: Matrix, results: dict, params: MatrixParams, subject_index: int | None) -> list[dict]:
    """The matrix's score rows from the latest snapshot's results (blank until the first one)."""
    if params.view == "team" or subject_index is None:
        scores = results.get("team", {})
    else:
        scores = results.get("analysts", {}).get(matrix.analysts[subject_index].username, {})
    keys = [h.key for h in matrix.hypotheses]

    def values(metric: str, shown) -> list[str]:
        return [shown(scores[key][metric]) if key in scores else "—" for key in keys]

    return [
        {"label": "Inconsistency", "values": values("inconsistency", lambda v: f"{v:g}")},
        {"label": "Weighted inconsistency", "values": values("weighted_inconsistency", lambda v: f"{v:.2f}")},
        {"label": "Posterior", "values": values("posterior", lambda v: percent_text(v, 1))},
    ]


def matrix_display(
    *,
    assessment,
    user,
    membership,
    params: MatrixParams,
    results: dict,
    block: int = 0,
    hidden: Collection[int] = (),
) -> MatrixDisplay:
    """One block of rows of the matrix page, sorted and filtered over the whole matrix.

    Rows show what depends on the row alone (ratings, consensus, disagreement, diagnosticity, comment
    markers); the score rows and linchpins come from the latest snapshot's results, so no request
    re-scores the matrix. ``hidden``: evidence ids of the rows whose figures the viewer may not see yet
    (apps.assessments.visibility); they sort and filter as rows nobody has rated.
    """
    matrix = matrix_frame_get(assessment=assessment, for_page=True)
    if params.sort == "diagnosticity" or params.hide_non_diagnostic:
        # Sorting or filtering by diagnosticity needs every row's ratings.
        matrix_ratings_load(matrix)
        consensus, disagreement, diagnosticity = scoring.cell_scores(matrix.ratings)
        diagnosticity[_positions_of(matrix, hidden)] = np.nan
        order = _sorted_indices(matrix, diagnosticity, params.sort)
        if params.hide_non_diagnostic:
            # Items nobody rated yet, or partly rated, are not "not diagnostic": they stay.
            rated = diagnosticity[order]
            partly = scoring.rows_partly_rated(matrix.ratings)[order]
            order = order[np.isnan(rated) | partly | (rated >= scoring.NOT_DIAGNOSTIC_TOLERANCE)]
        shown = order[block * BLOCK_ROWS : (block + 1) * BLOCK_ROWS]
    else:
        # Any other order is known before the ratings: load the shown block's alone.
        order = _sorted_indices(matrix, np.zeros(0), params.sort)
        shown = order[block * BLOCK_ROWS : (block + 1) * BLOCK_ROWS]
        matrix_ratings_load(matrix, rows=shown.tolist())
        consensus, disagreement, diagnosticity = _block_cell_scores(matrix, shown)
    subject = _subject(matrix, consensus, user=user, membership=membership, params=params)
    display = MatrixDisplay(matrix=matrix, params=params, editable=params.view == "mine" and membership.can_edit)
    display.subject = _subject_label(params)
    if (block + 1) * BLOCK_ROWS < len(order):
        display.next_block = block + 1
    notes = notes_for_analyst(assessment=assessment, user_id=user.pk) if params.view == "mine" else {}
    markers = markers_for(assessment_id=assessment.pk)
    for hypothesis in matrix.hypotheses:
        hypothesis.comment_marker = markers.columns.get(hypothesis.pk)
    linchpins = _linchpin_keys(results)
    display.rows = _rows_html(
        matrix,
        shown.tolist(),
        subject=subject,
        disagreement=disagreement,
        diagnosticity=diagnosticity,
        linchpin_keys=set().union(*linchpins.values()),
        notes=notes,
        markers=markers,
        comments_url=_comments_url(assessment),
        params=params,
        membership=membership,
        edit_url=_edit_url(assessment, membership),
        figures_hidden=hidden,
    )
    display.score_rows = score_rows(matrix=matrix, results=results, params=params, subject_index=subject.analyst)
    _linchpins_list(display, linchpins)
    return display


def _linchpins_list(display: MatrixDisplay, linchpins: dict[str, set[str]]) -> None:
    listed = [e for e in display.matrix.evidence if any(e.key in keys for keys in linchpins.values())]
    display.linchpins_unlisted = max(len(listed) - LINCHPINS_LISTED, 0)
    display.linchpins = [
        {
            "evidence": evidence,
            "inconsistency": evidence.key in linchpins["linchpin_inconsistency"],
            "posterior": evidence.key in linchpins["linchpin_posterior"],
        }
        for evidence in listed[:LINCHPINS_LISTED]
    ]


def linchpins_token(results: dict) -> str:
    """Which rows carry the linchpin badge: the matrix redraws its rows only when this set changes."""
    keys = sorted(set().union(*_linchpin_keys(results).values()))
    return f"{zlib.crc32(' '.join(keys).encode()):08x}"


def matrix_scores_display(*, assessment, user, membership, params: MatrixParams, results: dict) -> MatrixDisplay:
    """The score rows and the linchpin list without any row: what a new snapshot changes beside the rows."""
    matrix = matrix_frame_get(assessment=assessment, for_page=True)
    # The analysts without their ratings: the subject (whose scores the rows show) is one of them.
    matrix_ratings_load(matrix, rows=[])
    blank = np.zeros((len(matrix.evidence), len(matrix.hypotheses)), dtype=np.int8)
    subject = _subject(matrix, blank, user=user, membership=membership, params=params)
    display = MatrixDisplay(matrix=matrix, params=params, editable=params.view == "mine" and membership.can_edit)
    display.score_rows = score_rows(matrix=matrix, results=results, params=params, subject_index=subject.analyst)
    _linchpins_list(display, _linchpin_keys(results))
    return display


def _block_cell_scores(matrix: Matrix, shown: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``scoring.cell_scores`` of the shown rows, placed in whole-matrix arrays (the other rows left empty)."""
    n_evidence, n_hypotheses = len(matrix.evidence), len(matrix.hypotheses)
    consensus = np.zeros((n_evidence, n_hypotheses), dtype=np.int8)
    disagreement = np.zeros((n_evidence, n_hypotheses))
    diagnosticity = np.full(n_evidence, np.nan)
    consensus[shown], disagreement[shown], diagnosticity[shown] = scoring.cell_scores(matrix.ratings[:, shown])
    return consensus, disagreement, diagnosticity


def matrix_row_display(
    *,
    assessment,
    user,
    membership,
    params: MatrixParams,
    results: dict,
    evidence_id: int,
    hidden: Collection[int] = (),
) -> MatrixDisplay:
    """The one row a rated cell changes, with its comment markers, and the score rows, at O(row) cost."""
    matrix = matrix_row_get(assessment=assessment, evidence_id=evidence_id)
    consensus, disagreement, diagnosticity = scoring.cell_scores(matrix.ratings)
    subject = _subject(matrix, consensus, user=user, membership=membership, params=params)
    display = MatrixDisplay(matrix=matrix, params=params, editable=params.view == "mine" and membership.can_edit)
    notes = (
        notes_for_analyst(assessment=assessment, user_id=user.pk, evidence_id=evidence_id)
        if params.view == "mine"
        else {}
    )
    display.rows = _rows_html(
        matrix,
        range(len(matrix.evidence)),
        subject=subject,
        disagreement=disagreement,
        diagnosticity=diagnosticity,
        linchpin_keys=set().union(*_linchpin_keys(results).values()),
        notes=notes,
        markers=markers_for(assessment_id=assessment.pk, evidence_id=evidence_id),
        comments_url=_comments_url(assessment),
        params=params,
        membership=membership,
        edit_url=_edit_url(assessment, membership),
        figures_hidden=hidden,
    )
    display.score_rows = score_rows(matrix=matrix, results=results, params=params, subject_index=subject.analyst)
    return display


def _positions_of(matrix: Matrix, evidence_ids: Collection[int]) -> np.ndarray:
    return np.array([i for i, e in enumerate(matrix.evidence) if e.pk in evidence_ids], dtype=np.intp)


def _sorted_indices(matrix: Matrix, diagnosticity: np.ndarray, sort: str) -> np.ndarray:
    n = len(matrix.evidence)
    if sort == "diagnosticity":
        # Items nobody rated yet have no diagnosticity (NaN): after every rated item, in matrix order.
        return np.argsort(np.where(np.isnan(diagnosticity), np.inf, -diagnosticity), kind="stable")
    if sort == "weight":
        return np.argsort(-matrix.weights, kind="stable")
    if sort == "date":
        return np.array(
            sorted(range(n), key=lambda i: (matrix.evidence[i].date is None, matrix.evidence[i].date or 0)),
            dtype=np.intp,
        )
    return np.arange(n)


def scores_chart(*, hypotheses_keys: list[str], results: dict) -> dict:
    """Bar chart data of team posterior and weighted inconsistency from snapshot results."""
    team = results.get("team", {})
    return {
        "posterior": bar_chart(
            [(key, team[key]["posterior"]) for key in hypotheses_keys if key in team], maximum=1.0, percent=True
        ),
        "weighted": bar_chart([(key, team[key]["weighted_inconsistency"]) for key in hypotheses_keys if key in team]),
    }
