"""ACH's part of the `sat-workbench/assessment@1` format: ratings in, ratings and scores out."""

from typing import Any

import numpy as np

from apps.assessments.techniques import ImportContext

from . import results, scoring, services
from .judgments import calibration_seen
from .models import LABEL_TO_VALUE, VALUE_TO_LABEL, Rating
from .postmortem import calibration_get
from .selectors import Matrix, matrix_get, stated_summary


def validate_section(data: dict, context: ImportContext) -> list[str]:
    """The reliability factors are valid; each rating names known evidence and a known hypothesis, and no
    analyst rates a cell twice."""
    errors = []
    try:
        scoring.reliability_checked(data.get("reliability"))
    except ValueError as problem:
        errors.append(f"reliability: {problem}")
    try:
        scoring.likelihoods_checked(data.get("likelihoods"))
    except ValueError as problem:
        errors.append(f"likelihoods: {problem}")
    seen_cells = set()
    for index, rating in enumerate(data.get("ratings", [])):
        place = f"ratings[{index}]"
        if rating["evidence"] not in context.evidence_keys:
            errors.append(f"{place}.evidence: no evidence with key {rating['evidence']}")
        if rating["hypothesis"] not in context.hypothesis_keys:
            errors.append(f"{place}.hypothesis: no hypothesis with key {rating['hypothesis']}")
        cell = (rating["analyst"], rating["evidence"], rating["hypothesis"])
        if cell in seen_cells:
            errors.append(f"{place}: {rating['analyst']} rates {rating['evidence']}×{rating['hypothesis']} twice")
        seen_cells.add(cell)
        context.attribute(rating["analyst"], "ratings")
    return errors


def import_section(assessment, data: dict, context: ImportContext) -> None:
    if "likelihoods" in data:
        services.likelihoods_set(assessment=assessment, user=context.user, likelihoods=data["likelihoods"])
    if data.get("reliability"):
        services.reliability_set(assessment=assessment, reliability=data["reliability"])
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
    """Likelihoods, then ratings by (analyst, evidence key, hypothesis key): add the missing, change the different."""
    changed = []
    if "likelihoods" in data and services.likelihoods_set(
        assessment=assessment, user=context.user, likelihoods=data["likelihoods"]
    ):
        changed.append("assessment: likelihoods changed")
    existing = {
        (r.analyst_id, r.evidence_id, r.hypothesis_id): (r.value, r.note)
        for r in Rating.objects.filter(assessment=assessment)
    }
    # Through the API's service, one analyst at a time: each analyst's cells stay hers, whoever loads them.
    by_analyst: dict[str, list[dict]] = {}
    for item in data.get("ratings", []):
        analyst = context.users[item["analyst"]]
        evidence, hypothesis = context.evidence[item["evidence"]], context.hypotheses[item["hypothesis"]]
        value, note = LABEL_TO_VALUE[item["rating"]], item.get("note", "")
        if existing.get((analyst.pk, evidence.pk, hypothesis.pk)) == (value, note):
            continue
        by_analyst.setdefault(item["analyst"], []).append(
            {"evidence": item["evidence"], "hypothesis": item["hypothesis"], "value": item["rating"], "note": note}
        )
        changed.append(f"{item['analyst']} rated {item['evidence']}×{item['hypothesis']} {item['rating']}")
    for username, items in by_analyst.items():
        services.ratings_set_many(
            assessment=assessment, analyst=context.users[username], items=items, loaded_by=context.user
        )
    return changed


def export_section(assessment, view=None) -> dict[str, Any]:
    """The section with its computed figures; given a view that hides rows (apps.assessments.visibility),
    the figures are scored over the rows it shows (redact_section then takes out what it may not read)."""
    matrix = matrix_get(assessment=assessment)
    if view is not None:
        matrix = results.matrix_visible(matrix, view.hidden.get("ach", ()))
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
    hypothesis_keys = [h.key for h in matrix.hypotheses]
    calibration = calibration_get(assessment=assessment)
    if view is not None:
        calibration = calibration_seen(calibration, view)
    return {
        "likelihoods": scoring.likelihoods_checked(assessment.likelihoods),
        "reliability": scoring.reliability_checked(assessment.reliability),
        "stated": stated_summary(assessment=assessment, hypothesis_keys=hypothesis_keys),
        **({"calibration": calibration} if calibration is not None else {}),
        "ratings": ratings,
        "scores": {"team": computed["team"], "analysts": computed["analysts"]},
        "sensitivity": results.sensitivity_of(matrix, scores),
        "ranking": computed["ranking"],
        "evidence_metrics": computed["evidence_metrics"],
        "cells": computed["cells"],
    }


def rows_revealed_to(matrix: Matrix, *, user, sees_all: bool) -> np.ndarray:
    """Which evidence rows an export may show with the team's ratings (the matrix page's anchoring rule)."""
    if sees_all:
        return np.ones(len(matrix.evidence), dtype=bool)
    me = matrix.analyst_index(user.pk)
    if me is None:
        return scoring.rows_revealed(np.zeros((len(matrix.evidence), len(matrix.hypotheses)), dtype=np.int8))
    return scoring.rows_revealed(matrix.ratings[me])


def redact_section(data: dict[str, Any], analyst: str) -> None:
    """Leave out of an export what `analyst` may not see yet: teammates' ratings, notes and the consensus of
    rows they have not rated in full, and other analysts' own scores."""
    hkeys = [h["key"] for h in data["hypotheses"]]
    ekeys = [e["key"] for e in data["evidence"]]
    own = {(r["evidence"], r["hypothesis"]) for r in data["ratings"] if r["analyst"] == analyst}
    grid = np.array([[(e, h) in own for h in hkeys] for e in ekeys], dtype=np.int8).reshape(len(ekeys), len(hkeys))
    revealed = {e for e, shown in zip(ekeys, scoring.rows_revealed(grid), strict=True) if shown}
    data["ratings"] = [r for r in data["ratings"] if r["analyst"] == analyst or r["evidence"] in revealed]
    for e in ekeys:
        if e not in revealed:
            data["cells"][e] = {h: {"consensus": None, "disagreement": None} for h in hkeys}
    data["scores"]["analysts"] = {k: v for k, v in data["scores"]["analysts"].items() if k == analyst}
