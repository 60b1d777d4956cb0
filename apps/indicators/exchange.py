"""The indicators' part of the `sat-workbench/assessment@1` format.

In: `indicators` (each with its analysts' validator ratings and dated observations) and optionally
`indicator_status_labels`. Out: the same, plus each indicator's computed `results` and the
assessment-level `indicator_results` (support per hypothesis, the favoured hypothesis, the ACH leader
and whether they are in tension). Imports ignore the computed parts.
"""

from collections import Counter
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.assessments.selectors import snapshot_latest
from apps.assessments.techniques import ImportContext
from apps.core.dates import date_problem

from . import services, validator
from .models import Indicator, Validation
from .results import results_from
from .selectors import ach_leader, board_get


def _date_error(value: str | None, place: str) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"{place}: {date_problem(value)}"
    return None


def validate_section(data: dict, context: ImportContext) -> list[str]:
    """What the JSON Schema cannot check: keys that must exist, repeats, real dates, step names."""
    errors: list[str] = []
    items = data.get("indicators", [])
    for key, count in Counter(item["key"] for item in items).items():
        if count > 1:
            errors.append(f"indicators: duplicate key {key}")
    today = timezone.localdate()
    for index, item in enumerate(items):
        place = f"indicators[{index}]"
        if error := _date_error(item.get("reviewed_on"), f"{place}.reviewed_on"):
            errors.append(error)
        seen = set()
        for number, row in enumerate(item.get("validations", [])):
            where = f"{place}.validations[{number}]"
            if row["hypothesis"] not in context.hypothesis_keys:
                errors.append(f"{where}.hypothesis: no hypothesis with key {row['hypothesis']}")
            cell = (row["analyst"], row["hypothesis"])
            if cell in seen:
                errors.append(f"{where}: {row['analyst']} rates {item['key']}×{row['hypothesis']} twice")
            seen.add(cell)
            context.attribute(row["analyst"], "validations")
        for number, row in enumerate(item.get("observations", [])):
            where = f"{place}.observations[{number}]"
            if error := _date_error(row["date"], f"{where}.date"):
                errors.append(error)
            elif date.fromisoformat(row["date"]) > today:
                errors.append(f"{where}.date: {row['date']} is in the future")
            if row.get("evidence") and row["evidence"] not in context.evidence_keys:
                errors.append(f"{where}.evidence: no evidence with key {row['evidence']}")
            if row.get("analyst"):
                context.attribute(row["analyst"], "observations")
    labels = data.get("indicator_status_labels")
    if labels:
        try:
            services.status_labels_validate({**validator.DEFAULT_STATUS_LABELS, **labels})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                where = "indicator_status_labels" + ("" if field == "__all__" else f".{field}")
                errors.extend(f"{where}: {message}" for message in messages)
    return errors


def import_section(assessment, data: dict, context: ImportContext) -> None:
    items = data.get("indicators", [])
    labels = data.get("indicator_status_labels")
    if items or labels:
        services.indicators_bulk_import(
            assessment=assessment,
            items=items,
            labels={**validator.DEFAULT_STATUS_LABELS, **labels} if labels else None,
            context=context,
        )


def export_section(assessment, view=None) -> dict[str, Any]:
    board = board_get(assessment=assessment)
    assessed = board.assess()
    results = results_from(board, assessed)
    hypothesis_keys = {h.pk: h.key for h in board.hypotheses}
    hypothesis_order = {h.pk: index for index, h in enumerate(board.hypotheses)}
    indicators = []
    for indicator in board.indicators:
        computed = dict(results["indicators"][indicator.key])
        computed.pop("statement")
        validations = sorted(
            indicator.validations.all(), key=lambda v: (v.analyst.username, hypothesis_order[v.hypothesis_id])
        )
        indicators.append(
            {
                "key": indicator.key,
                **{name: getattr(indicator, name) for name in services.INDICATOR_FIELDS},
                "reviewed_on": indicator.reviewed_on.isoformat() if indicator.reviewed_on else None,
                "validations": [
                    {
                        "analyst": v.analyst.username,
                        "hypothesis": hypothesis_keys[v.hypothesis_id],
                        "likelihood": v.likelihood,
                    }
                    for v in validations
                ],
                "observations": [
                    {
                        "date": o.date.isoformat(),
                        "status": o.status,
                        "source": o.source,
                        "note": o.note,
                        **({"analyst": o.analyst.username} if o.analyst else {}),
                        **({"evidence": o.evidence.key} if o.evidence else {}),
                    }
                    for o in indicator.observations.all()
                ],
                "results": computed,
            }
        )
    leader = ach_leader(snapshot_latest(assessment_id=assessment.pk), view)
    return {
        "indicators": indicators,
        "indicator_status_labels": board.labels,
        "indicator_results": {
            "as_of": results["as_of"],
            "scale": validator.LIKELIHOODS,
            "ranking": results["ranking"],
            "support": results["support"],
            "shares": results["shares"],
            "counted": results["counted"],
            "favoured": results["favoured"],
            "ach_leader": leader,
            "tension": validator.tension(results["favoured"], leader),
        },
    }


def update_section(assessment, data: dict, context: ImportContext) -> list[str]:
    """Indicators by key: edit the different ones, set changed validations, import the new ones.
    Observations of existing indicators are left as they are (they are a dated log, not state)."""
    existing = {i.key: i for i in Indicator.objects.filter(assessment=assessment)}
    changes, new_items = [], []
    for item in data.get("indicators", []):
        indicator = existing.get(item["key"])
        if indicator is None:
            new_items.append(item)
            continue
        wanted = services.indicator_fields_from(item)
        fields = {name: value for name, value in wanted.items() if getattr(indicator, name) != value}
        if fields:
            indicator._history_user = context.user
            services.indicator_update(
                indicator=indicator, user=context.user, expected_version=indicator.version, **fields
            )
            changes.append(f"indicator {item['key']}: {', '.join(fields)} changed")
        current = {
            (v.analyst_id, v.hypothesis_id): v.likelihood for v in Validation.objects.filter(indicator=indicator)
        }
        for row in item.get("validations", []):
            analyst, hypothesis = context.users[row["analyst"]], context.hypotheses[row["hypothesis"]]
            if current.get((analyst.pk, hypothesis.pk)) == row["likelihood"]:
                continue
            services.validation_set(
                indicator=indicator, analyst=analyst, hypothesis_id=hypothesis.pk, likelihood=row["likelihood"]
            )
            changes.append(f"{row['analyst']} validated {item['key']}×{row['hypothesis']}")
    if new_items:
        services.indicators_bulk_import(assessment=assessment, items=new_items, labels=None, context=context)
        changes.append(f"indicators added: {', '.join(i['key'] for i in new_items)}")
    return changes
