from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.assessments.services import assessment_bump

from .. import scoring
from ..models import LABEL_TO_VALUE, Rating, RatingConflict


@transaction.atomic
def rating_set(
    *, assessment: Assessment, analyst: User, evidence_id: int, hypothesis_id: int, label: str, note: str | None = None
) -> Rating | None:
    """Set (or with label "" clear) the analyst's own rating of one cell; the same value again writes nothing.

    The version bump comes first: its row lock serialises writers of the assessment, so the cell read
    after it is current and a create cannot race another.
    """
    if label and label not in LABEL_TO_VALUE:
        raise ValidationError({"value": f"Unknown rating “{label}”: use CC, C, N, I, II or NA."})
    evidence_key = Evidence.objects.filter(pk=evidence_id, assessment=assessment).values_list("key", flat=True).first()
    hypothesis_key = (
        Hypothesis.objects.filter(pk=hypothesis_id, assessment=assessment).values_list("key", flat=True).first()
    )
    if evidence_key is None or hypothesis_key is None:
        raise ValidationError("That cell is not part of this assessment.")
    assessment_bump(assessment_id=assessment.pk, change=f"{analyst.username} rated {evidence_key}×{hypothesis_key}")
    rating = Rating.objects.filter(analyst=analyst, evidence_id=evidence_id, hypothesis_id=hypothesis_id).first()
    # Rating the cell again settles what a merge left her to settle there (apps/ach/services/merge.py).
    settled, _ = RatingConflict.objects.filter(
        analyst=analyst, evidence_id=evidence_id, hypothesis_id=hypothesis_id
    ).delete()
    if not label:
        if rating is None:
            transaction.set_rollback(True)  # nothing to clear: no new version either
        else:
            rating.delete()
        return None
    value = LABEL_TO_VALUE[label]
    if rating is None:
        return Rating.objects.create(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence_id,
            hypothesis_id=hypothesis_id,
            value=value,
            note=(note or "")[:500],
        )
    new_note = rating.note if note is None else note[:500]
    if (rating.value, rating.note) == (value, new_note) and not settled:
        transaction.set_rollback(True)  # unchanged: no write, no new version, no rescoring
        return rating
    rating.value, rating.note = value, new_note
    rating.save(update_fields=["value", "note", "rated_at"])
    return rating


def ratings_bulk_create(*, assessment: Assessment, rows: list[tuple]) -> int:
    """Insert many ratings in the caller's transaction: rows of (analyst, evidence, hypothesis, label, note)."""
    bulk_create_with_history(
        [
            Rating(
                assessment=assessment,
                analyst=analyst,
                evidence=evidence,
                hypothesis=hypothesis,
                value=LABEL_TO_VALUE[label],
                note=note or "",
            )
            for analyst, evidence, hypothesis, label, note in rows
        ],
        Rating,
        batch_size=2000,
    )
    return len(rows)


@transaction.atomic
def likelihoods_set(*, assessment: Assessment, user: User, likelihoods: dict) -> bool:
    """Set the likelihood map p(e|h) per rating (checked: CC…II, strictly decreasing); False when unchanged."""
    try:
        checked = scoring.likelihoods_checked(likelihoods)
    except ValueError as problem:
        raise ValidationError({"likelihoods": str(problem)}) from None
    current = Assessment.objects.get(pk=assessment.pk)
    if checked == scoring.likelihoods_checked(current.likelihoods):
        return False
    assessment_bump(assessment_id=assessment.pk, change="likelihoods changed")
    current.likelihoods = checked
    current._history_user = user  # type: ignore[attr-defined]
    current.save(update_fields=["likelihoods", "updated_at"])
    assessment.likelihoods = checked
    return True


@transaction.atomic
def reliability_set(*, assessment: Assessment, reliability: dict) -> Assessment:
    """Set the credibility and relevance factors of r(e); each in (0, 1] (defaults fill what is not given)."""
    try:
        checked = scoring.reliability_checked(reliability)
    except ValueError as problem:
        raise ValidationError({"reliability": str(problem)}) from None
    assessment.reliability = checked
    assessment.save(update_fields=["reliability"])
    assessment_bump(assessment_id=assessment.pk, change="reliability factors changed")
    return assessment


# Bulk writes for the REST API (apps/api): many cells of one analyst in one transaction.


@transaction.atomic
def ratings_set_many(
    *, assessment: Assessment, analyst: User, items: list[dict], loaded_by: User | None = None
) -> list[Rating]:
    """Set (label "" clears) many of the analyst's cells at once: all or nothing, one content version.

    The cells are the analyst's own judgments; loaded_by is who wrote them for her (a team admin's file
    load), recorded in the history. The caller has checked that they may (attribution).

    Items are {"evidence": E key, "hypothesis": H key, "value": label, "note": str | None}; a note of
    None keeps the cell's note. Errors are keyed by the item's position, like evidence_add's.
    """
    evidence = dict(Evidence.objects.filter(assessment=assessment).values_list("key", "pk"))
    hypotheses = dict(Hypothesis.objects.filter(assessment=assessment).values_list("key", "pk"))
    errors: dict[str, list[str]] = {}
    cells: dict[tuple[int, int], dict] = {}
    for position, item in enumerate(items):
        problems = []
        if item["value"] and item["value"] not in LABEL_TO_VALUE:
            problems.append(f"value: unknown rating “{item['value']}”: use CC, C, N, I, II or NA")
        if item["evidence"] not in evidence:
            problems.append(f"evidence: no evidence with key {item['evidence']}")
        if item["hypothesis"] not in hypotheses:
            problems.append(f"hypothesis: no hypothesis with key {item['hypothesis']}")
        if problems:
            errors[f"row {position + 1}"] = problems
            continue
        cell = (evidence[item["evidence"]], hypotheses[item["hypothesis"]])
        if cell in cells:
            errors[f"row {position + 1}"] = [f"the cell {item['evidence']}×{item['hypothesis']} is listed twice"]
        else:
            cells[cell] = item
    if errors:
        raise ValidationError(errors)
    if not cells:
        return []
    assessment_bump(assessment_id=assessment.pk, change=f"{analyst.username} rated {len(cells)} cells")
    mine = Rating.objects.filter(assessment=assessment, analyst=analyst)
    notes = {(r.evidence_id, r.hypothesis_id): r.note for r in mine.filter(evidence_id__in=[e for e, _ in cells])}
    # The cells rated here settle what a merge left the analyst to settle in them.
    conflicts = RatingConflict.objects.filter(analyst=analyst, evidence_id__in=[e for e, _ in cells])
    settled = [pk for pk, *cell in conflicts.values_list("pk", "evidence_id", "hypothesis_id") if tuple(cell) in cells]
    RatingConflict.objects.filter(pk__in=settled).delete()
    cleared = [cell for cell, item in cells.items() if not item["value"]]
    for evidence_id, hypothesis_id in cleared:
        mine.filter(evidence_id=evidence_id, hypothesis_id=hypothesis_id).delete()
    rows = [
        Rating(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence_id,
            hypothesis_id=hypothesis_id,
            value=LABEL_TO_VALUE[item["value"]],
            note=(item["note"] if item.get("note") is not None else notes.get((evidence_id, hypothesis_id), ""))[:500],
        )
        for (evidence_id, hypothesis_id), item in cells.items()
        if item["value"]
    ]
    saved = Rating.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["analyst", "evidence", "hypothesis"],
        update_fields=["value", "note", "rated_at"],
    )
    # An upsert bypasses save(), so the history rows are written here.
    Rating.history.bulk_history_create([r for r in saved if r.pk], update=True, default_user=loaded_by or analyst)
    return saved
