"""The matrix as it stood at a snapshot, and what changed between two snapshots (from the history tables)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from apps.assessments.models import Assessment, Evidence, Hypothesis, ScoreSnapshot
from apps.assessments.selectors import snapshot_for_version
from apps.assessments.services import EVIDENCE_FIELDS, HYPOTHESIS_FIELDS

from ..models import VALUE_TO_LABEL, Rating

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
