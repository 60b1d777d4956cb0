"""The `sat-workbench/assessment@1` JSON format: validate, import (atomically) and export."""

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Membership, Role, Team

from . import services
from .models import Assessment, priors_validate
from .rescoring import TECHNIQUES, ImportContext

FORMAT = "sat-workbench/assessment@1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "assessment-v1.schema.json"


class AssessmentFileError(Exception):
    """A file that cannot be imported; .errors lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _place(path) -> str:
    place = ""
    for part in path:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return place or "(top level)"


def _duplicates(values) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def assessment_file_validate(data: Any, *, team: Team, create_analysts: bool) -> ImportContext:
    """Every problem with the file, or the context the import needs; raises AssessmentFileError."""
    if not isinstance(data, dict):
        raise AssessmentFileError(["(top level): expected a JSON object"])
    validator = jsonschema.Draft202012Validator(schema())
    errors = [f"{_place(e.absolute_path)}: {e.message}" for e in sorted(validator.iter_errors(data), key=str)]
    if errors:
        raise AssessmentFileError(errors)
    hypothesis_keys = [h["key"] for h in data["hypotheses"]]
    evidence_keys = [e["key"] for e in data["evidence"]]
    for name, keys in (("hypotheses", hypothesis_keys), ("evidence", evidence_keys)):
        for key in _duplicates(keys):
            errors.append(f"{name}: duplicate key {key}")
    try:
        priors_validate([h.get("prior") for h in data["hypotheses"]])
    except ValidationError as exc:
        errors.extend(f"hypotheses: {message}" for message in exc.messages)
    # Techniques add the analysts their sections name (ACH: the raters) while they validate.
    context = ImportContext(hypothesis_keys=set(hypothesis_keys), evidence_keys=set(evidence_keys), analysts=set())
    for technique in TECHNIQUES.values():
        errors.extend(technique.validate_section(data, context))
    if not create_analysts:
        members = set(
            Membership.objects.filter(team=team, user__username__in=context.analysts).values_list(
                "user__username", flat=True
            )
        )
        for username in sorted(context.analysts - members):
            errors.append(
                f"analyst {username}: not a member of team {team.name} (use --create-analysts to create them)"
            )
    if errors:
        raise AssessmentFileError(errors)
    return context


@transaction.atomic
def assessment_import(*, data: Any, team: Team, user=None, create_analysts: bool = False) -> Assessment:
    """Import a whole assessment in one transaction; a bad file writes nothing."""
    context = assessment_file_validate(data, team=team, create_analysts=create_analysts)
    user_model = get_user_model()
    users = {}
    for username in sorted(context.analysts):
        if create_analysts:
            from apps.accounts.services import membership_ensure

            users[username], _ = membership_ensure(team=team, username=username, role=Role.ANALYST)
        else:
            users[username] = user_model.objects.get(username=username)
    context.users = users
    context.user = user
    assessment = services.assessment_create(
        team=team,
        user=user,
        title=data["title"],
        question=data["question"],
        description=data.get("description", ""),
    )
    hypotheses = services.hypotheses_import(assessment=assessment, items=data["hypotheses"])
    evidence_items = [
        {
            "key": item["key"],
            "summary": item["summary"],
            "source": item.get("source", ""),
            "citation": item.get("citation", ""),
            "date": item.get("date"),
            "type": item.get("type", "report"),
            "credibility": item["credibility"],
            "relevance": item["relevance"],
        }
        for item in data["evidence"]
    ]
    created = services.evidence_add(assessment=assessment, user=user, items=evidence_items, via="JSON import")
    context.hypotheses = hypotheses
    context.evidence = {e.key: e for e in created}
    for technique in TECHNIQUES.values():
        technique.import_section(assessment, data, context)
    assessment.refresh_from_db()
    return assessment


def assessment_export(*, assessment: Assessment) -> dict[str, Any]:
    hypotheses = list(assessment.hypotheses.order_by("order", "id"))
    evidence = list(assessment.evidence.order_by("order", "id"))
    data: dict[str, Any] = {
        "format": FORMAT,
        "title": assessment.title,
        "question": assessment.question,
        "description": assessment.description,
        "hypotheses": [
            {"key": h.key, "statement": h.statement, **({"prior": h.prior} if h.prior is not None else {})}
            for h in hypotheses
        ],
        "evidence": [
            {
                "key": e.key,
                "summary": e.summary,
                "source": e.source,
                "citation": e.citation,
                "date": e.date.isoformat() if e.date else None,
                "type": e.type,
                "credibility": e.credibility,
                "relevance": e.relevance,
            }
            for e in evidence
        ],
    }
    for technique in TECHNIQUES.values():
        data.update(technique.export_section(assessment))
    return data
