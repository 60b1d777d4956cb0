"""ACH's part of a merge (apps.assessments.services.items_merge): each analyst's ratings of the pair reconcile."""

from apps.assessments.models import Evidence
from apps.assessments.techniques import Merge

from ..models import Rating, RatingConflict, Resolution, StatedProbability


def ratings_merge(merge: Merge) -> dict[str, int]:
    """Per analyst and cell: the kept item's rating stays; where only the duplicate was rated, its rating
    moves; the same rating twice is one; two different ones leave hers standing and list the duplicate's as a
    RatingConflict for her to settle. Every change is in the ratings' history, by the merging admin.

    Nothing is counted for the feed: how many teammates rated what would tell an analyst of judgments of rows
    she has not rated yet (the anchoring rule)."""
    item = "evidence" if isinstance(merge.kept, Evidence) else "hypothesis"
    other = "hypothesis" if item == "evidence" else "evidence"
    kept = {(r.analyst_id, getattr(r, f"{other}_id")): r for r in Rating.objects.filter(**{item: merge.kept})}
    for rating in Rating.objects.filter(**{item: merge.duplicate}).select_for_update():
        rating._history_user = merge.user  # type: ignore[attr-defined]
        standing = kept.get((rating.analyst_id, getattr(rating, f"{other}_id")))
        if standing is None:
            setattr(rating, item, merge.kept)
            rating.save(update_fields=[item])
            continue
        if standing.value != rating.value:
            RatingConflict.objects.create(
                assessment=merge.assessment,
                analyst_id=rating.analyst_id,
                evidence=standing.evidence,
                hypothesis=standing.hypothesis,
                kept_value=standing.value,
                duplicate_value=rating.value,
                duplicate_key=merge.duplicate.key,
            )
        elif rating.note and not standing.note:
            standing.note = rating.note
            standing._history_user = merge.user  # type: ignore[attr-defined]
            standing.save(update_fields=["note"])
        rating.delete()
    # Conflicts left from an earlier merge into the duplicate follow it.
    RatingConflict.objects.filter(**{item: merge.duplicate}).update(**{item: merge.kept})
    if item == "hypothesis":
        _stated_merge(merge)
        # A resolution names the hypothesis that proved true: it names what remains of it.
        Resolution.objects.filter(assessment=merge.assessment, outcome=merge.duplicate).update(outcome=merge.kept)
    return {}


def _stated_merge(merge: Merge) -> None:
    """An analyst's stated probabilities: the duplicate's percent joins the kept hypothesis's in each statement."""
    kept = {p.statement_id: p for p in StatedProbability.objects.filter(hypothesis=merge.kept)}
    for probability in StatedProbability.objects.filter(hypothesis=merge.duplicate):
        standing = kept.get(probability.statement_id)
        if standing is None:
            probability.hypothesis = merge.kept
            probability.save(update_fields=["hypothesis"])
        else:
            standing.percent = min(standing.percent + probability.percent, 100.0)
            standing.save(update_fields=["percent"])
            probability.delete()
