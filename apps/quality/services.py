"""The deception checklist's writes; the sources themselves are written by apps.assessments.services."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.assessments.models import Activity, Source
from apps.assessments.services import activity_record, assessment_bump

from .checks import CONCERNS, QUESTIONS
from .models import DeceptionAnswer


@transaction.atomic
def deception_answer_set(
    *, source: Source, user: User | None, question: str, concern: str, note: str = ""
) -> DeceptionAnswer:
    """Record the team's answer to one checklist question about a source (who answered, replacing the last)."""
    if question not in QUESTIONS:
        raise ValidationError({"question": [f"Unknown checklist question “{question}”: {', '.join(QUESTIONS)}."]})
    if concern not in CONCERNS:
        raise ValidationError({"concern": [f"Answer with one of: {', '.join(CONCERNS.values())}."]})
    note = note.strip()
    current = DeceptionAnswer.objects.filter(source=source, question=question).first()
    if current is not None and (current.concern, current.note) == (concern, note):
        return current
    version = assessment_bump(assessment_id=source.assessment_id, change=f"source {source.key} checklist answered")
    before = {"concern": current.concern, "note": current.note} if current else None
    answer = current or DeceptionAnswer(source=source, question=question)
    answer.concern, answer.note, answer.answered_by = concern, note, user
    answer.full_clean(exclude=["source", "answered_by"])
    answer._history_user = user  # type: ignore[attr-defined]
    answer.save()
    activity_record(
        assessment=source.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Source {source.key}: {QUESTIONS[question][0]} answered “{CONCERNS[concern]}”",
        actor=user,
        version=version,
        data={
            "action": "deception_answer",
            "key": source.key,
            "question": question,
            "changes": {"answer": [before, {"concern": concern, "note": note}]},
        },
    )
    return answer
