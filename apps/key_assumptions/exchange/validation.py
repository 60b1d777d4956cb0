"""Checking the Key Assumptions Check's sections of a `sat-workbench/assessment@1` file before anything is
written: keys, the hypotheses and evidence they name, one judgment per analyst, dates and times."""

import datetime
from collections import Counter

from apps.assessments.techniques import ImportContext
from apps.core.dates import date_problem

from ..services.imports import time_parse


def _time_errors(value, place: str) -> list[str]:
    if value is None:
        return []
    try:
        time_parse(value)
    except (TypeError, ValueError):
        return [f"{place}: not an ISO 8601 date and time: {value!r}"]
    return []


def validate_section(data: dict, context: ImportContext) -> list[str]:
    """Errors in the assumptions section, each naming its place; adds owners and judges to the analysts."""
    errors: list[str] = []
    items = data.get("assumptions", [])
    for key, count in Counter(item["key"] for item in items).items():
        if count > 1:
            errors.append(f"assumptions: duplicate key {key}")
    for index, item in enumerate(items):
        place = f"assumptions[{index}]"
        for position, hypothesis in enumerate(item.get("supports", [])):
            if hypothesis not in context.hypothesis_keys:
                errors.append(f"{place}.supports[{position}]: no hypothesis with key {hypothesis}")
        seen_evidence = set()
        for position, link in enumerate(item.get("evidence_links", [])):
            if link["evidence"] not in context.evidence_keys:
                errors.append(f"{place}.evidence_links[{position}].evidence: no evidence with key {link['evidence']}")
            if link["evidence"] in seen_evidence:
                errors.append(f"{place}.evidence_links[{position}]: {link['evidence']} is linked twice")
            seen_evidence.add(link["evidence"])
        seen_analysts = set()
        for position, judgment in enumerate(item.get("judgments", [])):
            if judgment["analyst"] in seen_analysts:
                errors.append(f"{place}.judgments[{position}]: {judgment['analyst']} judges {item['key']} twice")
            seen_analysts.add(judgment["analyst"])
            context.attribute(judgment["analyst"], "judgments")
        if item.get("owner"):
            context.analysts.add(item["owner"])
        flag = item.get("flag") or {}
        errors += _time_errors(flag.get("raised_at"), f"{place}.flag.raised_at")
        errors += _time_errors((item.get("last_checked") or {}).get("at"), f"{place}.last_checked.at")
        for position, entry in enumerate(item.get("history", [])):
            errors += _time_errors(entry["at"], f"{place}.history[{position}].at")
        for position, requirement in enumerate(item.get("collection_requirements", [])):
            errors += _time_errors(
                requirement.get("created_at"), f"{place}.collection_requirements[{position}].created_at"
            )
            try:
                if requirement.get("due"):
                    datetime.date.fromisoformat(requirement["due"])
            except ValueError:
                errors.append(f"{place}.collection_requirements[{position}].due: {date_problem(requirement['due'])}")
    checks = data.get("assumption_checks", [])
    for number, count in Counter(check["round"] for check in checks).items():
        if count > 1:
            errors.append(f"assumption_checks: round {number} is completed twice")
    for index, check in enumerate(checks):
        errors += _time_errors(check["completed_at"], f"assumption_checks[{index}].completed_at")
    return errors
