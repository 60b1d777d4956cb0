"""The ACH matrix as arrays: the frame (hypotheses, evidence and what scoring needs of each item), the
ratings, and one row of it for a rated cell's response."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.expressions import RawSQL

from apps.assessments.grading import credibility_factor
from apps.assessments.models import Assessment, Evidence, Hypothesis

from .. import scoring
from ..models import Rating


@dataclass
class Matrix:
    """An assessment's ACH matrix as arrays, with the rows and columns they index."""

    assessment: Assessment
    hypotheses: list[Hypothesis]
    # Model instances, or EvidenceLine rows where the matrix page lists hundreds (for_page).
    evidence: list[Evidence] | list["EvidenceLine"]
    analysts: list["AnalystRow"]  # users who rated at least one cell, by username
    ratings: np.ndarray  # (analysts, evidence, hypotheses) codes of apps.ach.scoring
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    priors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reliability: np.ndarray = field(default_factory=lambda: np.zeros(0))  # r(e) of apps.ach.scoring
    origins: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # origin groups, −1 none
    left_out: int = 0  # items of retracted sources the scoring frame leaves out

    def analyst_index(self, user_id: int) -> int | None:
        for index, analyst in enumerate(self.analysts):
            if analyst.pk == user_id:
                return index
        return None


def priors_of(hypotheses: list[Hypothesis]) -> np.ndarray:
    if not hypotheses:
        return np.zeros(0)
    if all(h.prior is None for h in hypotheses):
        return np.full(len(hypotheses), 1.0 / len(hypotheses))
    priors = np.array([h.prior or 0.0 for h in hypotheses], dtype=float)
    return priors / priors.sum() if priors.sum() > 0 else np.full(len(hypotheses), 1.0 / len(hypotheses))


class AnalystRow(NamedTuple):
    """An analyst as the matrix needs them: no user model instance to build per analyst."""

    pk: int
    username: str


class EvidenceRow(NamedTuple):
    """The columns scoring needs, without the cost of model instances."""

    pk: int
    key: str
    credibility: str
    relevance: str
    origin: str
    source_id: int | None
    source_key: str | None
    grade: str | None
    information: int | None


class EvidenceLine(NamedTuple):
    """An evidence item as the matrix page shows it: a page lists hundreds, too many for model instances."""

    pk: int
    key: str
    summary: str
    source: str
    citation: str
    origin: str
    date: Any
    credibility: str
    relevance: str
    information: int | None
    source_entry_id: int | None
    grade: str | None
    retracted_on: Any


# The columns of EvidenceLine, in its order.
_LINE_COLUMNS = (
    "id",
    "key",
    "summary",
    "source",
    "citation",
    "origin",
    "date",
    "credibility",
    "relevance",
    "information",
    "source_entry_id",
    "source_entry__grade",
    "source_entry__retracted_on",
)


def matrix_get(*, assessment: Assessment, for_scoring: bool = False) -> Matrix:
    """Load the whole matrix in four queries, whatever its size.

    for_scoring=True loads only the evidence columns the scores need, as plain rows. The matrix page, which
    shows one block of rows, loads the frame and that block's ratings itself (``matrix_ratings_load``).
    """
    matrix = matrix_frame_get(assessment=assessment, for_scoring=for_scoring)
    matrix_ratings_load(matrix)
    return matrix


def matrix_frame_get(*, assessment: Assessment, for_scoring: bool = False, for_page: bool = False) -> Matrix:
    """The hypotheses, the evidence and what scoring needs of each item, without any ratings yet.

    Scoring leaves out the items of retracted sources, as if they did not exist; the page lists them.
    for_page=True loads the evidence as the matrix page shows it (EvidenceLine rows, not model instances).
    """
    hypotheses = list(Hypothesis.objects.filter(assessment=assessment).order_by("order", "id"))
    evidence_query = Evidence.objects.filter(assessment=assessment).order_by("order", "id")
    evidence: list[Any]
    left_out = 0
    if for_scoring:
        rows = evidence_query.values_list(
            "id",
            "key",
            "credibility",
            "relevance",
            "origin",
            "source_entry_id",
            "source_entry__key",
            "source_entry__grade",
            "information",
            "source_entry__retracted_on",
        )
        evidence = [EvidenceRow(*row[:-1]) for row in rows if row[-1] is None]
        left_out = len(rows) - len(evidence)
        sources = [(e.source_id, e.grade or "", e.information) for e in evidence]
    elif for_page:
        evidence = [EvidenceLine(*row) for row in evidence_query.values_list(*_LINE_COLUMNS)]
        sources = [(e.source_entry_id, e.grade or "", e.information) for e in evidence]
    else:
        evidence = list(evidence_query.select_related("source_entry"))
        sources = [(e.source_entry_id, e.source_entry.grade if e.source_entry else "", e.information) for e in evidence]
    weight_of, reliability_of = {}, {}
    factors = scoring.reliability_checked(assessment.reliability)
    for e in evidence:
        pair = (e.credibility, e.relevance)
        if pair not in weight_of:
            weight_of[pair] = scoring.evidence_weight(*pair)
            reliability_of[pair] = scoring.evidence_reliability(*pair, factors)
    reliability = [
        # A graded source's item: its grade pair in place of low / medium / high (apps.assessments.grading).
        credibility_factor(grade, information, factors["grades"]) * factors["relevance"][e.relevance]
        if grade
        else reliability_of[e.credibility, e.relevance]
        for e, (_, grade, information) in zip(evidence, sources, strict=True)
    ]
    return Matrix(
        assessment=assessment,
        hypotheses=hypotheses,
        evidence=evidence,
        analysts=[],
        ratings=np.zeros((0, len(evidence), len(hypotheses)), dtype=np.int8),
        weights=np.array([weight_of[e.credibility, e.relevance] for e in evidence], dtype=float),
        priors=priors_of(hypotheses),
        reliability=np.array(reliability, dtype=float),
        # Items of one source count together (rule 3c of apps.ach.scoring).
        origins=scoring.origin_groups(str(source_id or "") for source_id, _, _ in sources),
        left_out=left_out,
    )


def matrix_ratings_load(matrix: Matrix, *, rows: Sequence[int] | None = None) -> None:
    """Fill the frame's analysts and ratings: every row's, or only those of ``rows`` (positions in matrix
    order), the others left blank; ``analysts`` lists everyone who rated any cell either way."""
    evidence_ids = np.array([e.pk for e in matrix.evidence], dtype=np.int64)
    if rows is None:
        ratings = ratings_rows(assessment_id=matrix.assessment.pk)
        if matrix.left_out and len(ratings):
            # Ratings of items the frame leaves out (a retracted source's) are not the matrix's.
            ratings = ratings[_present(evidence_ids, ratings[:, 1])]
        analyst_filter = {"pk__in": _distinct(ratings[:, 0]).tolist()}
    else:
        ratings = ratings_rows(assessment_id=matrix.assessment.pk, evidence_ids=evidence_ids[list(rows)].tolist())
        analyst_filter = {"pk__in": RawSQL(_ANALYSTS_SQL, [matrix.assessment.pk, matrix.assessment.pk])}
    matrix.analysts = [
        AnalystRow(*row)
        for row in get_user_model().objects.filter(**analyst_filter).order_by("username").values_list("pk", "username")
    ]
    matrix.ratings = np.zeros((len(matrix.analysts), len(matrix.evidence), len(matrix.hypotheses)), dtype=np.int8)
    if len(ratings) and matrix.analysts:
        analyst_order = np.array([a.pk for a in matrix.analysts], dtype=np.int64)
        hypothesis_ids = np.array([h.pk for h in matrix.hypotheses], dtype=np.int64)
        matrix.ratings[
            _positions(analyst_order, ratings[:, 0]),
            _positions(evidence_ids, ratings[:, 1]),
            _positions(hypothesis_ids, ratings[:, 2]),
        ] = ratings[:, 3]


# Everyone who rated a cell of the assessment, one index probe per analyst on (assessment, analyst) rather
# than a pass over every rating: a loose index scan, which PostgreSQL and SQLite do not plan by themselves.
_ANALYSTS_SQL = f"""
WITH RECURSIVE rated(analyst_id) AS (
    SELECT MIN(analyst_id) FROM {Rating._meta.db_table} WHERE assessment_id = %s
    UNION ALL
    SELECT (
        SELECT MIN(analyst_id) FROM {Rating._meta.db_table}
        WHERE assessment_id = %s AND analyst_id > rated.analyst_id
    )
    FROM rated WHERE rated.analyst_id IS NOT NULL
)
SELECT analyst_id FROM rated WHERE analyst_id IS NOT NULL
"""


def matrix_row_get(*, assessment: Assessment, evidence_id: int) -> Matrix:
    """One evidence row of the matrix, with every analyst who rated it: what a rated cell's response shows.

    Three queries and O(analysts × hypotheses) work, whatever the size of the rest of the matrix.
    """
    hypotheses = list(Hypothesis.objects.filter(assessment=assessment).order_by("order", "id"))
    evidence = [
        EvidenceLine(*row)
        for row in Evidence.objects.filter(assessment=assessment, pk=evidence_id).values_list(*_LINE_COLUMNS)
    ]
    rows = list(
        Rating.objects.filter(assessment=assessment, evidence_id=evidence_id).values_list(
            "analyst_id", "analyst__username", "hypothesis_id", "value"
        )
    )
    analysts = sorted({AnalystRow(pk, username) for pk, username, _, _ in rows}, key=lambda analyst: analyst.username)
    analyst_index = {analyst.pk: a for a, analyst in enumerate(analysts)}
    hypothesis_index = {h.pk: j for j, h in enumerate(hypotheses)}
    ratings = np.zeros((len(analysts), len(evidence), len(hypotheses)), dtype=np.int8)
    for analyst_id, _, hypothesis_id, value in rows:
        ratings[analyst_index[analyst_id], 0, hypothesis_index[hypothesis_id]] = value
    weights = np.array([scoring.evidence_weight(e.credibility, e.relevance) for e in evidence], dtype=float)
    return Matrix(
        assessment=assessment,
        hypotheses=hypotheses,
        evidence=evidence,
        analysts=analysts,
        ratings=ratings,
        weights=weights,
        priors=priors_of(hypotheses),
    )


def ratings_rows(*, assessment_id: int, evidence_ids: list[int] | None = None) -> np.ndarray:
    """Every rating of the assessment (or of those evidence items) as an (n, 4) array: analyst, evidence,
    hypothesis, value.

    This is the one query whose time is the floor of a rescoring. On PostgreSQL the ratings come back as
    one bytea of packed binary records, which numpy reads in place: parsing them as text arrays and converting
    them into Python ints cost twice the CPU (bench/bench_matrix_page.py).
    """
    if connection.vendor == "postgresql":
        sql = (
            "SELECT string_agg(int8send(analyst_id) || int8send(evidence_id) || int8send(hypothesis_id) "
            f"|| int2send(value::smallint), ''::bytea) FROM {Rating._meta.db_table} WHERE "
        )
        # Items belong to one assessment: filtering by them alone leaves the planner the evidence index, which
        # it would otherwise pass over for the assessment's whenever statistics are stale.
        params: list[Any] = [assessment_id] if evidence_ids is None else [evidence_ids]
        sql += "assessment_id = %s" if evidence_ids is None else "evidence_id = ANY(%s)"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (packed,) = cursor.fetchone()
        if packed is None:
            return np.zeros((0, 4), dtype=np.int64)
        records = np.frombuffer(packed, dtype=_PACKED_RATING)
        return np.column_stack([records[name] for name in _PACKED_FIELDS]).astype(np.int64)
    ratings = Rating.objects.filter(assessment_id=assessment_id)
    if evidence_ids is not None:
        ratings = ratings.filter(evidence_id__in=evidence_ids)
    return np.array(ratings.values_list("analyst_id", "evidence_id", "hypothesis_id", "value"), dtype=np.int64).reshape(
        -1, 4
    )


# One rating as ratings_rows' query packs it: int8send and int2send write big-endian.
_PACKED_FIELDS = ("analyst", "evidence", "hypothesis", "value")
_PACKED_RATING = np.dtype(list(zip(_PACKED_FIELDS, (">i8", ">i8", ">i8", ">i2"), strict=True)))


def _positions(ordered_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Index of each id in ordered_ids (every id is present; ordered_ids need not be sorted)."""
    if not len(ids):
        return np.zeros(0, dtype=np.intp)
    low, high = int(ordered_ids.min()), int(ordered_ids.max())
    if high - low < _LOOKUP_LIMIT:
        # A lookup table is linear in the ratings; ids of one assessment sit close together.
        lookup = np.empty(high - low + 1, dtype=np.intp)
        lookup[ordered_ids - low] = np.arange(len(ordered_ids))
        return lookup[ids - low]
    sorter = np.argsort(ordered_ids)
    return sorter[np.searchsorted(ordered_ids, ids, sorter=sorter)]


def _present(ordered_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Whether each id is one of ordered_ids."""
    if not len(ordered_ids):
        return np.zeros(len(ids), dtype=bool)
    low, high = int(ordered_ids.min()), int(ordered_ids.max())
    if high - low >= _LOOKUP_LIMIT:
        return np.isin(ids, ordered_ids)
    table = np.zeros(high - low + 1, dtype=bool)
    table[ordered_ids - low] = True
    inside = (ids >= low) & (ids <= high)
    present = np.zeros(len(ids), dtype=bool)
    present[inside] = table[ids[inside] - low]
    return present


def _distinct(ids: np.ndarray) -> np.ndarray:
    if not len(ids):
        return ids
    low, high = int(ids.min()), int(ids.max())
    if high - low >= _LOOKUP_LIMIT:
        return np.unique(ids)
    present = np.zeros(high - low + 1, dtype=bool)
    present[ids - low] = True
    return np.flatnonzero(present) + low


_LOOKUP_LIMIT = 5_000_000
