from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection

from apps.assessments.models import Assessment, Evidence, Hypothesis

from . import scoring
from .models import Rating


@dataclass
class Matrix:
    """An assessment's ACH matrix as arrays, with the rows and columns they index."""

    assessment: Assessment
    hypotheses: list[Hypothesis]
    evidence: list[Evidence]
    analysts: list  # users who rated at least one cell, by username
    ratings: np.ndarray  # (analysts, evidence, hypotheses) codes of apps.ach.scoring
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    priors: np.ndarray = field(default_factory=lambda: np.zeros(0))

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


class EvidenceRow(NamedTuple):
    """The columns scoring needs, without the cost of model instances."""

    pk: int
    key: str
    credibility: str
    relevance: str


def matrix_get(*, assessment: Assessment, for_scoring: bool = False) -> Matrix:
    """Load the whole matrix in four queries, whatever its size.

    for_scoring=True loads only the evidence columns the scores need, as plain rows.
    """
    hypotheses = list(Hypothesis.objects.filter(assessment=assessment).order_by("order", "id"))
    evidence_query = Evidence.objects.filter(assessment=assessment).order_by("order", "id")
    if for_scoring:
        evidence = [EvidenceRow(*row) for row in evidence_query.values_list("id", "key", "credibility", "relevance")]
    else:
        evidence = list(evidence_query)
    rows = ratings_rows(assessment_id=assessment.pk)
    analyst_ids = _distinct(rows[:, 0])
    analysts = list(get_user_model().objects.filter(pk__in=analyst_ids.tolist()).order_by("username"))
    ratings = np.zeros((len(analysts), len(evidence), len(hypotheses)), dtype=np.int8)
    if len(rows) and analysts:
        analyst_order = np.array([a.pk for a in analysts], dtype=np.int64)
        evidence_ids = np.array([e.pk for e in evidence], dtype=np.int64)
        hypothesis_ids = np.array([h.pk for h in hypotheses], dtype=np.int64)
        ratings[
            _positions(analyst_order, rows[:, 0]),
            _positions(evidence_ids, rows[:, 1]),
            _positions(hypothesis_ids, rows[:, 2]),
        ] = rows[:, 3]
    weight_of = {}
    for e in evidence:
        pair = (e.credibility, e.relevance)
        if pair not in weight_of:
            weight_of[pair] = scoring.evidence_weight(*pair)
    weights = np.array([weight_of[e.credibility, e.relevance] for e in evidence], dtype=float)
    return Matrix(
        assessment=assessment,
        hypotheses=hypotheses,
        evidence=evidence,
        analysts=analysts,
        ratings=ratings,
        weights=weights,
        priors=priors_of(hypotheses),
    )


def matrix_row_get(*, assessment: Assessment, evidence_id: int) -> Matrix:
    """One evidence row of the matrix, with every analyst who rated it: what a rated cell's response shows.

    Three queries and O(analysts × hypotheses) work, whatever the size of the rest of the matrix.
    """
    hypotheses = list(Hypothesis.objects.filter(assessment=assessment).order_by("order", "id"))
    evidence = list(Evidence.objects.filter(assessment=assessment, pk=evidence_id))
    rows = list(
        Rating.objects.filter(assessment=assessment, evidence_id=evidence_id)
        .select_related("analyst")
        .only("value", "hypothesis_id", "analyst__username")
    )
    analysts = sorted({rating.analyst for rating in rows}, key=lambda user: user.username)
    analyst_index = {user.pk: a for a, user in enumerate(analysts)}
    hypothesis_index = {h.pk: j for j, h in enumerate(hypotheses)}
    ratings = np.zeros((len(analysts), len(evidence), len(hypotheses)), dtype=np.int8)
    for rating in rows:
        ratings[analyst_index[rating.analyst_id], 0, hypothesis_index[rating.hypothesis_id]] = rating.value
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


def ratings_rows(*, assessment_id: int) -> np.ndarray:
    """Every rating of the assessment as an (n, 4) array: analyst, evidence, hypothesis, value.

    This is the one query whose time is the floor of a rescoring. On PostgreSQL four array_agg
    columns come back as one row, which psycopg converts far faster than n row tuples.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT array_agg(analyst_id), array_agg(evidence_id), array_agg(hypothesis_id), array_agg(value) "
                f"FROM {Rating._meta.db_table} WHERE assessment_id = %s",
                [assessment_id],
            )
            columns = cursor.fetchone()
        if columns[0] is None:
            return np.zeros((0, 4), dtype=np.int64)
        return np.array(columns, dtype=np.int64).T
    return np.array(
        Rating.objects.filter(assessment_id=assessment_id).values_list(
            "analyst_id", "evidence_id", "hypothesis_id", "value"
        ),
        dtype=np.int64,
    ).reshape(-1, 4)


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


def notes_for_analyst(
    *, assessment: Assessment, user_id: int, evidence_id: int | None = None
) -> dict[tuple[int, int], str]:
    ratings = Rating.objects.filter(assessment=assessment, analyst_id=user_id)
    if evidence_id is not None:
        ratings = ratings.filter(evidence_id=evidence_id)
    return {
        (evidence_id, hypothesis_id): note
        for evidence_id, hypothesis_id, note in ratings.exclude(note="").values_list(
            "evidence_id", "hypothesis_id", "note"
        )
    }
