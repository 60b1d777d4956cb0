"""Importing a file's Key Assumptions Check section: the assumptions and all that hangs on them, in one go."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.assessments.keys import key_counter_raise
from apps.assessments.models import Activity, Assessment
from apps.assessments.services import activity_record, assessment_bump
from apps.assessments.techniques import ImportContext

from ..models import Assumption, Change, CheckRound, CollectionRequirement, EvidenceLink, Judgment
from .assumptions import assumption_values_from

IMPORT_REASON = "Imported from a sat-workbench/assessment@1 file"


def time_required(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def time_parse(value: str | None) -> datetime.datetime | None:
    return time_required(value) if value else None


def users_by_name(assessment: Assessment, context: ImportContext, names: set[str]) -> dict[str, Any]:
    """Users named in history and requirements: members of the team when known, else only the name."""
    users = dict(context.users or {})
    missing = {name for name in names if name and name not in users}
    if missing:
        for user in get_user_model().objects.filter(username__in=missing, memberships__team=assessment.team):
            users[user.get_username()] = user
    return users


@transaction.atomic
def assumptions_import(
    *, assessment: Assessment, items: list[dict], checks: list[dict], context: ImportContext
) -> None:
    """Write a validated `assumptions` section (and its completed check rounds) in the import's transaction:
    the assumptions with their links, judgments, history and requirements, as the file has them."""
    if not items and not checks:
        return
    version = assessment_bump(assessment_id=assessment.pk, change="key assumptions imported")
    users = _users_named(assessment, items=items, checks=checks, context=context)
    now = timezone.now()
    assumptions = [
        _assumption(item, position, assessment=assessment, users=users, context=context, version=version, now=now)
        for position, item in enumerate(items, start=1)
    ]
    assumptions = bulk_create_with_history(assumptions, Assumption, default_user=context.user)
    key_counter_raise(assessment_id=assessment.pk, prefix="A", keys=[a.key for a in assumptions])
    by_key = {a.key: a for a in assumptions}
    # Links the file marks as new since the last check get a later version than the check, so the
    # rescoring after the import flags their assumptions (unless the file's flag already names them).
    has_new = any(link.get("new_since_check") for item in items for link in item.get("evidence_links", []))
    new_version = assessment_bump(assessment_id=assessment.pk, change="evidence linked (JSON import)") if has_new else 0
    supports: list[Any] = []
    links: list[EvidenceLink] = []
    judgments: list[Judgment] = []
    history: list[Change] = []
    requirements: list[CollectionRequirement] = []
    for item in items:
        assumption = by_key[item["key"]]
        supports += [
            Assumption.supports.through(assumption_id=assumption.pk, hypothesis_id=context.hypotheses[key].pk)
            for key in dict.fromkeys(item.get("supports", []))
        ]
        links += _links(item, assumption, context=context, version=version, new_version=new_version)
        judgments += _judgments(item, assumption, context=context)
        history += _history(item, assumption, users=users, context=context, now=now)
        requirements += _requirements(item, assumption, assessment=assessment, users=users, now=now)
    Assumption.supports.through.objects.bulk_create(supports)
    EvidenceLink.objects.bulk_create(links)
    Judgment.objects.bulk_create(judgments)
    Change.objects.bulk_create(history)
    CollectionRequirement.objects.bulk_create(requirements)
    CheckRound.objects.bulk_create(_check_rounds(checks, assessment=assessment, users=users))
    if items:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{len(items)} key assumptions imported",
            actor=context.user,
            version=new_version or version,
        )


def _users_named(
    assessment: Assessment, *, items: list[dict], checks: list[dict], context: ImportContext
) -> dict[str, Any]:
    """Whoever the section names outside the judgments: checkers, history entries' authors, requirements'."""
    names = {c.get("completed_by") for c in checks} | {(i.get("last_checked") or {}).get("by") for i in items}
    for item in items:
        names |= {entry.get("by") for entry in item.get("history", [])}
        names |= {r.get("created_by") for r in item.get("collection_requirements", [])}
    return users_by_name(assessment, context, {name for name in names if name})


def _assumption(
    item: dict,
    position: int,
    *,
    assessment: Assessment,
    users: dict[str, Any],
    context: ImportContext,
    version: int,
    now: datetime.datetime,
) -> Assumption:
    flag = item.get("flag")
    checked = item.get("last_checked") or {}
    return Assumption(
        assessment=assessment,
        key=item["key"],
        **assumption_values_from(item),
        owner=users.get(item.get("owner") or ""),
        order=item.get("order", position),
        checked_version=version,
        checked_at=time_parse(checked.get("at")) if "at" in checked else now,
        checked_by=users.get(checked["by"] or "") if "by" in checked else context.user,
        needs_recheck=bool(flag),
        recheck_reason=(flag or {}).get("reason", ""),
        recheck_evidence=(flag or {}).get("evidence", []),
        flagged_at=time_parse((flag or {}).get("raised_at")) if flag else None,
    )


def _links(
    item: dict, assumption: Assumption, *, context: ImportContext, version: int, new_version: int
) -> list[EvidenceLink]:
    return [
        EvidenceLink(
            assumption=assumption,
            evidence=context.evidence[link["evidence"]],
            relation=link["relation"],
            note=link.get("note", ""),
            version=new_version if link.get("new_since_check") else version,
            created_by=context.user,
        )
        for link in item.get("evidence_links", [])
    ]


def _judgments(item: dict, assumption: Assumption, *, context: ImportContext) -> list[Judgment]:
    return [
        Judgment(
            assumption=assumption,
            analyst=context.users[judgment["analyst"]],
            confidence=judgment["confidence"],
            impact=judgment["impact"],
            note=judgment.get("note", ""),
        )
        for judgment in item.get("judgments", [])
    ]


def _history(
    item: dict, assumption: Assumption, *, users: dict[str, Any], context: ImportContext, now: datetime.datetime
) -> list[Change]:
    """The file's history of the assumption; without one, a single entry: created by this import."""
    if "history" in item:
        return [
            Change(
                assumption=assumption,
                at=time_required(entry["at"]),
                actor=users.get(entry.get("by") or ""),
                actor_name=entry.get("by") or "",
                action=entry["action"],
                changes=entry.get("changes", {}),
                reason=entry.get("reason", ""),
            )
            for entry in item["history"]
        ]
    return [
        Change(
            assumption=assumption,
            at=now,
            actor=context.user,
            actor_name=context.user.get_username() if context.user else "",
            action=Change.Action.CREATED,
            reason=IMPORT_REASON,
        )
    ]


def _requirements(
    item: dict, assumption: Assumption, *, assessment: Assessment, users: dict[str, Any], now: datetime.datetime
) -> list[CollectionRequirement]:
    return [
        CollectionRequirement(
            assessment=assessment,
            assumption=assumption,
            need=requirement["need"],
            due=datetime.date.fromisoformat(requirement["due"]) if requirement.get("due") else None,
            status=requirement.get("status", CollectionRequirement.Status.OPEN),
            created_by=users.get(requirement.get("created_by") or ""),
            created_at=time_parse(requirement.get("created_at")) or now,
        )
        for requirement in item.get("collection_requirements", [])
    ]


def _check_rounds(checks: list[dict], *, assessment: Assessment, users: dict[str, Any]) -> list[CheckRound]:
    return [
        CheckRound(
            assessment=assessment,
            number=check["round"],
            completed_by=users.get(check.get("completed_by") or ""),
            completed_by_name=check.get("completed_by") or "",
            completed_at=time_required(check["completed_at"]),
            note=check.get("note", ""),
            summary=check.get("summary", {}),
        )
        for check in checks
    ]
