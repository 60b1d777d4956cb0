"""The check's section of the JSON file: {"quality": {"checklist": [...], "sources": {...}, "flags": [...]}}.

Imports read the checklist (the sources themselves travel in the file's "sources", which the assessment's
own import loads before the evidence); exports add each source's dependence and the flags, computed.
"""

from typing import Any

from apps.assessments.models import Source
from apps.assessments.selectors import snapshot_latest
from apps.assessments.visibility import results_for

from .checks import CONCERNS, QUESTIONS
from .models import DeceptionAnswer
from .results import register_results
from .selectors import answers_of
from .services import deception_answer_set


def validate_section(data: dict, context) -> list[str]:
    section = data.get("quality") or {}
    if not isinstance(section, dict):
        return ["quality: expected an object"]
    answers = section.get("checklist") or []
    if not isinstance(answers, list):
        return ["quality.checklist: expected a list"]
    source_keys = {s.get("key") for s in data.get("sources", []) if isinstance(s, dict)}
    errors = []
    for place, answer in enumerate(answers):
        where = f"quality.checklist[{place}]"
        if not isinstance(answer, dict):
            errors.append(f"{where}: expected an object")
            continue
        if answer.get("source") not in source_keys:
            errors.append(f"{where}.source: no source {answer.get('source')!r} in the file's sources")
        if answer.get("question") not in QUESTIONS:
            errors.append(f"{where}.question: one of {', '.join(QUESTIONS)}")
        if answer.get("concern") not in CONCERNS:
            errors.append(f"{where}.concern: one of {', '.join(CONCERNS)}")
        if not isinstance(answer.get("note", ""), str) or len(answer.get("note", "")) > 2000:
            errors.append(f"{where}.note: text of at most 2000 characters")
        if isinstance(answer.get("answered_by"), str) and answer["answered_by"]:
            context.attribute(answer["answered_by"], "checklist answers")
    return errors


def _answers_load(assessment, data: dict, context) -> list[str]:
    sources = {s.key: s for s in Source.objects.filter(assessment=assessment)}
    changes = []
    for answer in (data.get("quality") or {}).get("checklist") or []:
        user = (context.users or {}).get(answer.get("answered_by")) or context.user
        source = sources[answer["source"]]
        before = DeceptionAnswer.objects.filter(source=source, question=answer["question"]).first()
        saved = deception_answer_set(
            source=source,
            user=user,
            question=answer["question"],
            concern=answer["concern"],
            note=answer.get("note", ""),
        )
        if before is None or (before.concern, before.note) != (saved.concern, saved.note):
            changes.append(f"source {source.key}: checklist {answer['question']} answered")
    return changes


def import_section(assessment, data: dict, context) -> None:
    _answers_load(assessment, data, context)


def update_section(assessment, data: dict, context) -> list[str]:
    return _answers_load(assessment, data, context)


def _section(assessment, results: dict[str, Any]) -> dict:
    checklist = [
        {"source": key, "question": question, **answer}
        for key, answers in answers_of(assessment=assessment).items()
        for question, answer in answers.items()
    ]
    figures = register_results(quality=results.get("quality") or {}, ach=results.get("ach") or {})
    return {"quality": {"checklist": checklist, **figures}}


def export_section(assessment) -> dict:
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    return _section(assessment, snapshot.results if snapshot else {})


def export_for_view(assessment, view) -> dict:
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    return _section(assessment, results_for(view=view, snapshot=snapshot, assessment=assessment) if snapshot else {})
