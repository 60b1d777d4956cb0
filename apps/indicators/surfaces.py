"""Indicators on the shared surfaces (registered through apps.assessments.techniques): the review board's
indicators at threshold and the report's indicators with their status, as the latest snapshot assessed
them."""

from datetime import datetime

from django.db.models import Q

from apps.assessments.models import Assessment
from apps.assessments.techniques import SectionContext

from .models import Indicator


def indicators_of(*, results: dict) -> list[dict]:
    """Every indicator as the snapshot's results (``results``: the indicators') assessed it: status,
    threshold, whether it is reached."""
    labels = results.get("status_labels", {})
    return [
        {
            "key": key,
            **item,
            "status_label": labels.get(item.get("status"), item.get("status")),
            "threshold_label": labels.get(item.get("threshold"), item.get("threshold")),
        }
        for key, item in (results.get("indicators") or {}).items()
    ]


def _changed(*, assessment: Assessment, since: datetime | None) -> set[str]:
    if since is None:
        return set()
    return set(
        Indicator.objects.filter(assessment=assessment)
        .filter(Q(updated_at__gt=since) | Q(observations__created_at__gt=since))
        .order_by()
        .values_list("key", flat=True)
        .distinct()
    )


def board_data(context: SectionContext) -> dict:
    changed = _changed(assessment=context.assessment, since=context.since)
    at_threshold = [
        {**item, "changed": item["key"] in changed}
        for item in indicators_of(results=context.results)
        if item.get("reached")
    ]
    return {
        "at_threshold": at_threshold,
        "snapshot": context.snapshot,
        "changed": sum(item["changed"] for item in at_threshold),
    }


def report_data(context: SectionContext) -> dict:
    return {"indicators": indicators_of(results=context.results)}
