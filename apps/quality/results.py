"""Quality of Information Check results as stored in score snapshots: the register as scored, keyed by source key.

The dependence figures (each source's leader and posterior without its items, and reversed) are ACH's
posterior, so ACH computes them in its own section ("sources"); the check reads them from there, as
the viewer's view (apps.assessments.visibility) shows them.
"""

from typing import Any

from apps.assessments.models import Evidence, Source

from .checks import flags_of
from .selectors import answers_of


def results_compute(assessment) -> dict[str, Any]:
    sources: dict[str, dict[str, Any]] = {}
    by_id = {}
    for source in Source.objects.filter(assessment=assessment).order_by("id"):
        by_id[source.pk] = source
        sources[source.key] = {
            "name": source.name,
            "grade": source.grade,
            "retracted_on": source.retracted_on.isoformat() if source.retracted_on else None,
            "items": [],
            "information": {},
        }
    ungraded = []
    for key, source_id, information in (
        Evidence.objects.filter(assessment=assessment)
        .order_by("order", "id")
        .values_list("key", "source_entry_id", "information")
    ):
        item_source = by_id.get(source_id)
        if item_source is not None:
            sources[item_source.key]["items"].append(key)
            if information:
                sources[item_source.key]["information"][key] = information
        if item_source is None or (not item_source.grade and not item_source.retracted_on):
            ungraded.append(key)
    return {"sources": sources, "ungraded_items": ungraded, "checklist": answers_of(assessment=assessment)}


def _changed(previous: dict | None, current: dict) -> tuple[list[str], list[str]]:
    """Sources retracted and restored since the previous snapshot."""
    if not previous:
        return [], []
    before = {key for key, s in previous.get("sources", {}).items() if s.get("retracted_on")}
    now = {key for key, s in current.get("sources", {}).items() if s.get("retracted_on")}
    known = set(previous.get("sources", {}))
    return sorted(now - before), sorted((before - now) & set(current.get("sources", {})) & known)


def alerts_for(previous: dict | None, current: dict) -> list[dict]:
    """A source retracted or restored: which items left (or rejoined) every score."""
    retracted, restored = _changed(previous, current)
    alerts = []
    for key in retracted:
        source = current["sources"][key]
        items = ", ".join(source["items"]) or "no items"
        alerts.append(
            {
                "kind": "alert",
                "code": f"source_retracted:{key}",
                "message": f"Source {key} ({source['name']}) retracted: {items} left out of every score.",
            }
        )
    for key in restored:
        source = current["sources"][key]
        items = ", ".join(source["items"]) or "no items"
        alerts.append(
            {
                "kind": "alert",
                "code": f"source_restored:{key}",
                "message": f"Source {key} ({source['name']}) restored: {items} count again.",
            }
        )
    return alerts


LEADERS = (("leader_by_posterior", "posterior"), ("leader_by_inconsistency", "weighted inconsistency"))


def _linchpins(ach: dict) -> set[str]:
    return {key for keys in (ach.get("linchpins") or {}).values() for key in keys}


def effects_apply(assessment, results: dict, snapshot: dict, previous: dict | None) -> list[dict]:
    """What a retraction (or its undoing) changed in the team's answer: the leaders and the linchpins, and
    what the other techniques rest on among its items (each technique's ``cites``)."""
    retracted, restored = _changed((previous or {}).get("quality"), results)
    if not retracted and not restored:
        return []
    ach_now, ach_before = snapshot.get("ach") or {}, (previous or {}).get("ach") or {}
    alerts = []
    for key, verb in [(k, "retracting") for k in retracted] + [(k, "restoring") for k in restored]:
        items = results["sources"][key]["items"]
        parts = []
        for basis, label in (
            ("leader_by_posterior", "posterior"),
            ("leader_by_inconsistency", "weighted inconsistency"),
        ):
            before, after = ach_before.get(basis), ach_now.get(basis)
            parts.append(
                f"leader by {label} {before or '—'} → {after or '—'}"
                if before != after
                else f"leader by {label} still {after or '—'}"
            )
        lost = sorted(_linchpins(ach_before) - _linchpins(ach_now))
        gained = sorted(_linchpins(ach_now) - _linchpins(ach_before))
        if lost:
            parts.append(f"no longer linchpins: {', '.join(lost)}")
        if gained:
            parts.append(f"now linchpins: {', '.join(gained)}")
        parts.extend(_citations(assessment, items))
        alerts.append(
            {
                "kind": "alert",
                "code": f"source_effect:{key}",
                "message": f"After {verb} source {key}: " + "; ".join(parts) + ".",
            }
        )
    return alerts


def _citations(assessment, items: list[str]) -> list[str]:
    from apps.assessments.techniques import TECHNIQUES

    return [line for technique in TECHNIQUES.values() if items for line in technique.cites(assessment, items)]


def alert_visible(alert: dict, view) -> bool:
    """Which items a retraction leaves out is no one's judgment; what it did to the answer is the team's."""
    return alert.get("code", "").startswith(("source_retracted:", "source_restored:"))


def register_results(*, quality: dict[str, Any], ach: dict[str, Any]) -> dict[str, Any]:
    """The page's and the export's figures: each source's dependence (ACH's runs) and the flags, from the
    two sections as the viewer sees them."""
    # Nobody's ratings in the matrix as this view has it (none yet, or none she may see): no answer to weigh.
    rated = bool(ach.get("analysts"))
    runs = (ach.get("sources") or {}) if rated else {}
    return {
        "leader": ach.get("leader_by_posterior") if rated else None,
        "team": {key: value.get("posterior") for key, value in (ach.get("team") or {}).items()},
        "sources": {key: runs.get(key) for key in quality.get("sources", {})},
        "flags": flags_of(quality, ach),
    }
