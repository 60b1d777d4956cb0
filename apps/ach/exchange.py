"""ACH's part of the `sat-workbench/assessment@1` format: ratings in, ratings and scores out."""

from typing import Any

from apps.assessments.rescoring import ImportContext
from apps.assessments.services import assessment_bump

from . import results, services
from .models import LABEL_TO_VALUE, VALUE_TO_LABEL, Rating
from .selectors import matrix_get


def import_section(assessment, data: dict, context: ImportContext) -> None:
    rows = [
        (
            context.users[item["analyst"]],
            context.evidence[item["evidence"]],
            context.hypotheses[item["hypothesis"]],
            item["rating"],
            item.get("note", ""),
        )
        for item in data.get("ratings", [])
    ]
    services.ratings_bulk_create(assessment=assessment, rows=rows)


def update_section(assessment, data: dict, context: ImportContext) -> list[str]:
    """Ratings by (analyst, evidence key, hypothesis key): add the missing, change the different."""
    existing = {(r.analyst_id, r.evidence_id, r.hypothesis_id): r for r in Rating.objects.filter(assessment=assessment)}
    changed = []
    for item in data.get("ratings", []):
        analyst = context.users[item["analyst"]]
        evidence, hypothesis = context.evidence[item["evidence"]], context.hypotheses[item["hypothesis"]]
        value, note = LABEL_TO_VALUE[item["rating"]], item.get("note", "")
        rating = existing.get((analyst.pk, evidence.pk, hypothesis.pk))
        if rating is not None and (rating.value, rating.note) == (value, note):
            continue
        if not changed:
            assessment_bump(assessment_id=assessment.pk, change="ratings updated from file")
        if rating is None:
            rating = Rating(assessment=assessment, analyst=analyst, evidence=evidence, hypothesis=hypothesis)
        rating.value, rating.note = value, note
        rating._history_user = context.user
        rating.save()
        changed.append(f"{item['analyst']} rated {item['evidence']}×{item['hypothesis']} {item['rating']}")
    return changed


def export_section(assessment) -> dict[str, Any]:
    matrix = matrix_get(assessment=assessment)
    scores = results.scores_of(matrix)
    computed = results.results_from(matrix, scores, with_cells=True)
    ratings = [
        {
            "analyst": username,
            "evidence": evidence_key,
            "hypothesis": hypothesis_key,
            "rating": VALUE_TO_LABEL[value],
            **({"note": note} if note else {}),
        }
        for username, evidence_key, hypothesis_key, value, note in Rating.objects.filter(assessment=assessment)
        .order_by("analyst__username", "evidence__order", "evidence_id", "hypothesis__order", "hypothesis_id")
        .values_list("analyst__username", "evidence__key", "hypothesis__key", "value", "note")
    ]
    return {
        "ratings": ratings,
        "scores": {"team": computed["team"], "analysts": computed["analysts"]},
        "ranking": computed["ranking"],
        "evidence_metrics": computed["evidence_metrics"],
        "cells": computed["cells"],
    }
