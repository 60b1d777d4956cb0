from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from apps.assessments.models import Assessment, Evidence, Source

from .models import DeceptionAnswer


@dataclass
class Register:
    """The assessment's sources with their items and checklist answers, and the items of no source."""

    sources: list[Source]
    unsourced: list[Evidence]
    evidence: list[Evidence] = field(default_factory=list)


def register_get(*, assessment: Assessment) -> Register:
    """Three queries whatever the size: the sources (with their answers and who gave them) and the evidence."""
    sources = list(
        Source.objects.filter(assessment=assessment)
        .order_by("id")
        .prefetch_related(Prefetch("deception_answers", queryset=DeceptionAnswer.objects.select_related("answered_by")))
    )
    evidence = list(
        Evidence.objects.filter(assessment=assessment)
        .order_by("order", "id")
        .only("pk", "key", "summary", "source_entry_id", "information", "assessment_id")
    )
    items_of: dict[int, list[Evidence]] = {}
    for item in evidence:
        items_of.setdefault(item.source_entry_id or 0, []).append(item)
    for source in sources:
        source.listed_items = items_of.get(source.pk, [])  # type: ignore[attr-defined]
        source.answers = {a.question: a for a in source.deception_answers.all()}  # type: ignore[attr-defined]
    return Register(sources=sources, unsourced=items_of.get(0, []), evidence=evidence)


def answers_of(*, assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The checklist by source key and question: concern, note and who answered."""
    answers: dict[str, dict[str, Any]] = {}
    for key, question, concern, note, username in DeceptionAnswer.objects.filter(
        source__assessment=assessment
    ).values_list("source__key", "question", "concern", "note", "answered_by__username"):
        answers.setdefault(key, {})[question] = {"concern": concern, "note": note, "answered_by": username}
    return answers
