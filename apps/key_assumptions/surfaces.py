"""The Key Assumptions Check on the shared surfaces (registered through apps.assessments.techniques): the
review board's key uncertainties and the report's assumptions. Both come from each assumption's agreed
confidence and impact, which every member sees, not from anyone's own judgment."""

from datetime import datetime

from apps.assessments.models import Assessment
from apps.assessments.techniques import SectionContext

from . import spread
from .models import Assumption


def key_uncertainties(*, assessment: Assessment, since: datetime | None = None) -> list[Assumption]:
    """The Key Assumptions Check's key uncertainties in its order (spread.key_uncertainties: unsupported,
    most impact first, then high impact with caveats)."""
    assumptions = {a.key: a for a in Assumption.objects.filter(assessment=assessment)}
    facts = (
        spread.AssumptionFacts(key=a.key, confidence=a.confidence, impact=a.impact, status=a.status, order=a.order)
        for a in assumptions.values()
    )
    chosen = [assumptions[key] for key in spread.key_uncertainties(facts)]
    for assumption in chosen:
        assumption.changed = since is not None and assumption.updated_at > since
    return chosen


def assumptions_all(*, assessment: Assessment) -> list[Assumption]:
    return list(Assumption.objects.filter(assessment=assessment).exclude(status="retired").order_by("order", "id"))


def board_data(context: SectionContext) -> dict:
    chosen = key_uncertainties(assessment=context.assessment, since=context.since)
    return {"key_uncertainties": chosen, "changed": sum(a.changed for a in chosen)}


def report_data(context: SectionContext) -> dict:
    return {
        "assumptions": assumptions_all(assessment=context.assessment),
        "key_uncertainties": key_uncertainties(assessment=context.assessment),
    }
