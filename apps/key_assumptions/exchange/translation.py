"""Between the file's sections and the rows: import and update through the services, export, and the
export's redaction for an analyst who has not judged yet."""

import datetime
from typing import Any

from apps.assessments.techniques import ImportContext

from .. import services
from ..models import Assumption, Change
from ..results import row_results
from ..selectors import check_get
from ..services.assumptions import ASSUMPTION_FIELDS, assumption_values_from
from ..services.imports import users_by_name


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def import_section(assessment, data: dict, context: ImportContext) -> None:
    services.assumptions_import(
        assessment=assessment,
        items=data.get("assumptions", []),
        checks=data.get("assumption_checks", []),
        context=context,
    )


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def export_section(assessment, view=None) -> dict[str, Any]:
    # Given a view (apps.assessments.visibility), the spread and order leave out what it hides.
    check = check_get(assessment=assessment, hidden=view.hidden.get("key_assumptions", ()) if view else ())
    history: dict[int, list[dict[str, Any]]] = {}
    for entry in Change.objects.filter(assumption__assessment=assessment).order_by("at", "id"):
        history.setdefault(entry.assumption_id, []).append(
            {
                "at": _iso(entry.at),
                "by": entry.actor_name or None,
                "action": entry.action,
                "changes": entry.changes,
                "reason": entry.reason,
            }
        )
    hypothesis_order = {h.pk: (h.order, h.pk) for h in assessment.hypotheses.all()}
    assumptions = [
        _assumption_entry(row, history=history.get(row.assumption.pk, []), hypothesis_order=hypothesis_order)
        for row in sorted(check.rows, key=lambda r: (r.assumption.order, r.assumption.pk))
    ]
    return {
        "assumptions": assumptions,
        "assumption_checks": [
            {
                "round": c.number,
                "completed_by": c.completed_by_name or None,
                "completed_at": _iso(c.completed_at),
                "note": c.note,
                "summary": c.summary,
            }
            for c in check.rounds
        ],
    }


def _assumption_entry(row, *, history: list[dict[str, Any]], hypothesis_order: dict[int, tuple]) -> dict[str, Any]:
    """One assumption as the file carries it: its fields, links, judgments, flag, last check, history,
    requirements and computed results."""
    a = row.assumption
    return {
        "key": a.key,
        **{
            name: [h.key for h in sorted(a.supports.all(), key=lambda h: hypothesis_order[h.pk])]
            if name == "supports"
            else _username(a.owner)
            if name == "owner"
            else getattr(a, name)
            for name in ASSUMPTION_FIELDS
        },
        "order": a.order,
        "evidence_links": [
            {
                "evidence": link.evidence.key,
                "relation": link.relation,
                "note": link.note,
                "new_since_check": link.version > a.checked_version,
            }
            for link in a.evidence_links.all()
        ],
        "judgments": [
            {
                "analyst": j.analyst.get_username(),
                "confidence": j.confidence,
                "impact": j.impact,
                **({"note": j.note} if j.note else {}),
            }
            for j in a.judgments.all()
        ],
        "flag": {"reason": a.recheck_reason, "evidence": a.recheck_evidence, "raised_at": _iso(a.flagged_at)}
        if a.needs_recheck
        else None,
        "last_checked": {"at": _iso(a.checked_at), "by": _username(a.checked_by)},
        "history": history,
        "collection_requirements": [
            {
                "need": r.need,
                "due": _iso(r.due),
                "status": r.status,
                "created_by": _username(r.created_by),
                "created_at": _iso(r.created_at),
            }
            for r in sorted(a.collection_requirements.all(), key=lambda r: (r.created_at, r.pk))
        ],
        "results": row_results(row),
    }


UPDATE_REASON = "Updated from a sat-workbench/assessment@1 file"


def update_section(assessment, data: dict, context: ImportContext) -> list[str]:
    """Assumptions by key: edit the different ones (through the service, so the reason and history are
    recorded), set changed judgments, and import the new ones. Links, flags and requirements of existing
    assumptions are left as they are."""
    from ..services import assumption_update, judgment_set

    existing = {a.key: a for a in Assumption.objects.filter(assessment=assessment).select_related("owner")}
    changes, new_items = [], []
    for item in data.get("assumptions", []):
        assumption = existing.get(item["key"])
        if assumption is None:
            new_items.append(item)
            continue
        wanted = assumption_values_from(item)
        fields = {name: value for name, value in wanted.items() if getattr(assumption, name) != value}
        owner_name = item.get("owner") or None
        if owner_name != (assumption.owner.get_username() if assumption.owner else None):
            fields["owner"] = users_by_name(assessment, context, {owner_name} if owner_name else set()).get(
                owner_name or ""
            )
        supports = [context.hypotheses[key] for key in dict.fromkeys(item.get("supports", []))]
        supports_changed = {h.pk for h in supports} != set(assumption.supports.values_list("pk", flat=True))
        if fields or supports_changed:
            assumption_update(
                assumption=assumption,
                user=context.user,
                reason=UPDATE_REASON,
                supports=supports if supports_changed else None,
                expected_version=assumption.version,
                **fields,
            )
            changes.append(
                f"key assumption {item['key']}: {', '.join([*fields, *(['supports'] * supports_changed)])} changed"
            )
        judgments = {j.analyst_id: j for j in assumption.judgments.all()}
        for row in item.get("judgments", []):
            analyst = context.users[row["analyst"]]
            current = judgments.get(analyst.pk)
            if current and (current.confidence, current.impact, current.note) == (
                row["confidence"],
                row["impact"],
                row.get("note", ""),
            ):
                continue
            judgment_set(
                assumption=assumption,
                analyst=analyst,
                confidence=row["confidence"],
                impact=row["impact"],
                note=row.get("note", ""),
            )
            changes.append(f"{row['analyst']} judged key assumption {item['key']}")
    if new_items:
        import_section(assessment, {"assumptions": new_items}, context)
        changes.append(f"key assumptions added: {', '.join(i['key'] for i in new_items)}")
    return changes


def redact_section(data: dict[str, Any], analyst: str) -> None:
    """As on the page: until `analyst` records their own judgment of an assumption, its export carries no
    teammate's judgment (nor its history entry) and no team spread."""
    for item in data.get("assumptions", []):
        if any(j["analyst"] == analyst for j in item["judgments"]):
            continue
        item["judgments"] = []
        item["history"] = [h for h in item["history"] if h["action"] != Change.Action.JUDGED]
        item["results"]["team_spread"] = None
        item["results"]["disagreement"] = None
