"""The Key Assumptions Check's part of a merge (apps.assessments.services.items_merge): links and support move."""

from apps.assessments.models import Evidence
from apps.assessments.techniques import Merge

from ..models import Assumption, Change, EvidenceLink
from .assumptions import history_record


def links_merge(merge: Merge) -> dict[str, int]:
    """A merged evidence item's links to assumptions move to the kept item (where the kept one is linked to the
    same assumption, its link stands); a merged hypothesis's supporting assumptions support the kept one. Each
    assumption's history records the move."""
    if isinstance(merge.kept, Evidence):
        return {"assumption links": _evidence_links_merge(merge)}
    moved = 0
    for assumption in Assumption.objects.filter(supports=merge.duplicate):
        assumption.supports.add(merge.kept)
        history_record(
            assumption=assumption,
            user=merge.user,
            action=Change.Action.EDITED,
            changes={"supports": [merge.duplicate.key, merge.kept.key]},
            reason=f"{merge.duplicate.key} merged into {merge.kept.key}",
        )
        moved += 1
    return {"supported assumptions": moved}


def _evidence_links_merge(merge: Merge) -> int:
    linked = set(EvidenceLink.objects.filter(evidence=merge.kept).values_list("assumption_id", flat=True))
    moved = 0
    for link in EvidenceLink.objects.filter(evidence=merge.duplicate).select_related("assumption"):
        if link.assumption_id in linked:
            continue  # the kept item's own link stands; the duplicate's goes with it
        link.evidence = merge.kept
        link.save(update_fields=["evidence"])
        history_record(
            assumption=link.assumption,
            user=merge.user,
            action=Change.Action.LINKED,
            changes={"evidence": [merge.duplicate.key, merge.kept.key]},
            reason=f"{merge.duplicate.key} merged into {merge.kept.key}",
        )
        moved += 1
    # A flag naming the duplicate names what remains of it.
    for assumption in Assumption.objects.filter(assessment=merge.assessment, needs_recheck=True):
        keys = assumption.recheck_evidence or []
        if merge.duplicate.key in keys:
            renamed = (merge.kept.key if key == merge.duplicate.key else key for key in keys)
            assumption.recheck_evidence = list(dict.fromkeys(renamed))
            assumption.save(update_fields=["recheck_evidence"])
    return moved
