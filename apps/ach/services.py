from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.assessments.services import assessment_bump

from .models import LABEL_TO_VALUE, Rating


@transaction.atomic
def rating_set(
    *, assessment: Assessment, analyst, evidence_id: int, hypothesis_id: int, label: str, note: str | None = None
) -> Rating | None:
    """Set (or with label "" clear) the analyst's own rating of one cell."""
    if label and label not in LABEL_TO_VALUE:
        raise ValidationError({"value": f"Unknown rating “{label}”: use CC, C, N, I, II or NA."})
    evidence = Evidence.objects.filter(pk=evidence_id, assessment=assessment).first()
    hypothesis = Hypothesis.objects.filter(pk=hypothesis_id, assessment=assessment).first()
    if evidence is None or hypothesis is None:
        raise ValidationError("That cell is not part of this assessment.")
    assessment_bump(assessment_id=assessment.pk, change=f"{analyst.username} rated {evidence.key}×{hypothesis.key}")
    if not label:
        Rating.objects.filter(analyst=analyst, evidence=evidence, hypothesis=hypothesis).delete()
        return None
    defaults = {"value": LABEL_TO_VALUE[label], "assessment": assessment}
    if note is not None:
        defaults["note"] = note[:500]
    rating, _ = Rating.objects.update_or_create(
        analyst=analyst, evidence=evidence, hypothesis=hypothesis, defaults=defaults
    )
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
