from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.expressions import RawSQL

from apps.assessments.grading import credibility_factor
from apps.assessments.models import Assessment, Evidence, Hypothesis, ScoreSnapshot
from apps.assessments.selectors import snapshot_for_version
from apps.assessments.services import EVIDENCE_FIELDS, HYPOTHESIS_FIELDS

from . import scoring
from .models import VALUE_TO_LABEL, Rating, RatingConflict, Statement


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


# The matrix as it stood at a snapshot, and what changed between two snapshots (from the history tables).

ItemFields = dict[str, Any]


@dataclass
class MatrixAsOf:
    snapshot: ScoreSnapshot
    hypotheses: dict[str, ItemFields]  # key -> the fields analysts edit, in matrix order
    evidence: dict[str, ItemFields]
    ratings: dict[tuple[str, str, str], str]  # (username, evidence key, hypothesis key) -> label


def matrix_as_of(*, assessment: Assessment, version: int) -> MatrixAsOf:
    """Items and ratings as they stood when the snapshot of `version` was taken."""
    snapshot = snapshot_for_version(assessment=assessment, version=version)
    at = snapshot.created_at
    hypotheses = sorted(Hypothesis.history.as_of(at).filter(assessment_id=assessment.pk), key=lambda h: (h.order, h.pk))
    evidence = sorted(Evidence.history.as_of(at).filter(assessment_id=assessment.pk), key=lambda e: (e.order, e.pk))
    hkeys = {h.pk: h.key for h in hypotheses}
    ekeys = {e.pk: e.key for e in evidence}
    rows = list(
        Rating.history.as_of(at)
        .filter(assessment_id=assessment.pk)
        .values_list("analyst_id", "evidence_id", "hypothesis_id", "value")
    )
    usernames = dict(get_user_model().objects.filter(pk__in={row[0] for row in rows}).values_list("pk", "username"))
    ratings = {
        (usernames.get(analyst_id, str(analyst_id)), ekeys[evidence_id], hkeys[hypothesis_id]): VALUE_TO_LABEL[value]
        for analyst_id, evidence_id, hypothesis_id, value in rows
        if evidence_id in ekeys and hypothesis_id in hkeys
    }
    return MatrixAsOf(
        snapshot=snapshot,
        hypotheses={h.key: {name: getattr(h, name) for name in HYPOTHESIS_FIELDS} for h in hypotheses},
        evidence={e.key: {name: getattr(e, name) for name in EVIDENCE_FIELDS} for e in evidence},
        ratings=ratings,
    )


@dataclass
class ItemsDiff:
    added: list[str]
    removed: list[str]
    edited: dict[str, list[tuple[str, Any, Any]]]  # key -> (field, before, after)


@dataclass
class VersionDiff:
    before: MatrixAsOf
    after: MatrixAsOf
    hypotheses: ItemsDiff
    evidence: ItemsDiff
    ratings: list[tuple[str, str, str, str | None, str | None]]  # analyst, E, H, before, after (None: unrated)
    scores: dict[str, dict[str, tuple[float | None, float | None]]]  # H -> measure -> (before, after)
    ranking: tuple[list[str], list[str]]


def _items_diff(before: dict[str, ItemFields], after: dict[str, ItemFields]) -> ItemsDiff:
    edited = {}
    for key in before.keys() & after.keys():
        fields = [
            (name, before[key][name], after[key][name]) for name in after[key] if before[key][name] != after[key][name]
        ]
        if fields:
            edited[key] = fields
    return ItemsDiff(
        added=[k for k in after if k not in before], removed=[k for k in before if k not in after], edited=edited
    )


def version_diff(*, assessment: Assessment, before: int, after: int) -> VersionDiff:
    """What changed between two snapshot versions: items, ratings, team scores and the ranking."""
    old = matrix_as_of(assessment=assessment, version=before)
    new = matrix_as_of(assessment=assessment, version=after)
    ratings = [
        (*cell, old.ratings.get(cell), new.ratings.get(cell))
        for cell in sorted(old.ratings.keys() | new.ratings.keys())
        if old.ratings.get(cell) != new.ratings.get(cell)
    ]
    old_ach, new_ach = old.snapshot.results.get("ach", {}), new.snapshot.results.get("ach", {})
    scores = {}
    for hkey in dict.fromkeys([*old_ach.get("hypotheses", []), *new_ach.get("hypotheses", [])]):
        a, b = old_ach.get("team", {}).get(hkey, {}), new_ach.get("team", {}).get(hkey, {})
        changed = {m: (a.get(m), b.get(m)) for m in ("weighted_inconsistency", "posterior") if a.get(m) != b.get(m)}
        if changed:
            scores[hkey] = changed
    return VersionDiff(
        before=old,
        after=new,
        hypotheses=_items_diff(old.hypotheses, new.hypotheses),
        evidence=_items_diff(old.evidence, new.evidence),
        ratings=ratings,
        scores=scores,
        ranking=(old_ach.get("ranking", []), new_ach.get("ranking", [])),
    )


def rows_judged(assessment_id: int, user_id: int) -> tuple[dict[int, str], set[int]]:
    """The anchoring rule's test, the visibility policy's question (apps.assessments.visibility): every
    evidence row by id, and the rows this user has rated in every hypothesis, in one query (it runs on every
    page)."""
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_JUDGED_SQL, [user_id, assessment_id, assessment_id])
        rows = cursor.fetchall()
    return {pk: key for pk, key, _ in rows}, {pk for pk, _, rated in rows if rated}


# Written out: every page runs it, and the ORM's compilation of its two subqueries cost ten
# times the CPU of the query. Per row, an index probe on (analyst, evidence) of the one-rating-per-cell
# constraint; with no hypothesis, every row counts as rated.
_ROWS_JUDGED_SQL = f"""
SELECT e.id, e.key, (
    SELECT COUNT(*) FROM {Rating._meta.db_table} r WHERE r.evidence_id = e.id AND r.analyst_id = %s
) >= (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s)
FROM {Evidence._meta.db_table} e WHERE e.assessment_id = %s
"""


def rows_judged_by(assessment_id: int, user_ids: list[int]) -> tuple[dict[int, str], dict[int, set[int]]]:
    """rows_judged for several users in one query (a snapshot's alerts reach every member): every evidence row
    by id, and by user the rows she has rated in every hypothesis."""
    judged: dict[int, set[int]] = {pk: set() for pk in user_ids}
    if not user_ids:
        return {}, judged
    with connection.cursor() as cursor:
        cursor.execute(
            _ROWS_JUDGED_BY_SQL.format(users=", ".join(["%s"] * len(user_ids))),
            [assessment_id, assessment_id, *user_ids, assessment_id, assessment_id],
        )
        rows = cursor.fetchall()
    items = {}
    for pk, key, analyst_id, no_hypotheses in rows:
        items[pk] = key
        if no_hypotheses:
            for rows_of in judged.values():
                rows_of.add(pk)
        elif analyst_id is not None:
            judged[analyst_id].add(pk)
    return items, judged


# rows_judged's question for a list of users: the (evidence, analyst) pairs with a rating in every hypothesis,
# from the (assessment, analyst) index; with no hypothesis, every row counts as rated by everyone.
_ROWS_JUDGED_BY_SQL = f"""
SELECT e.id, e.key, r.analyst_id, (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s) = 0
FROM {Evidence._meta.db_table} e LEFT JOIN (
    SELECT evidence_id, analyst_id FROM {Rating._meta.db_table}
    WHERE assessment_id = %s AND analyst_id IN ({{users}})
    GROUP BY evidence_id, analyst_id
    HAVING COUNT(*) >= (SELECT COUNT(*) FROM {Hypothesis._meta.db_table} WHERE assessment_id = %s)
) r ON r.evidence_id = e.id
WHERE e.assessment_id = %s
"""


def rating_conflicts_for(*, assessment_id: int, user_id: int) -> list[RatingConflict]:
    """What merges left this analyst to settle: her own cells only, never a teammate's (one query when there
    are none, as on almost every page; three when there are)."""
    return list(
        RatingConflict.objects.filter(assessment_id=assessment_id, analyst_id=user_id).prefetch_related(
            "evidence", "hypothesis"
        )
    )
