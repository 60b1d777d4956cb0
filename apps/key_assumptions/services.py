"""Every write of the Key Assumptions Check: each bumps the content version so the rescoring runs."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.accounts.models import Membership
from apps.assessments.models import Activity, Assessment, Evidence, Hypothesis
from apps.assessments.services import activity_record, assessment_bump, evidence_add

from . import spread
from .models import Assumption, Change, CheckRound, CollectionRequirement, EvidenceLink, Judgment
from .selectors import check_get, requirement_eligible

EDITABLE_FIELDS = (
    "statement",
    "rationale",
    "citation",
    "analytic_line",
    "could_be_untrue",
    "less_true_now",
    "confidence",
    "impact",
    "owner",
    "status",
)


def _name(user) -> str:
    return user.get_username() if user is not None else ""


def history_record(*, assumption: Assumption, user, action: str, changes=None, reason: str = "") -> Change:
    return Change.objects.create(
        assumption=assumption, actor=user, actor_name=_name(user), action=action, changes=changes or {}, reason=reason
    )


def _owner_validate(assessment: Assessment, owner) -> None:
    if owner is not None and not Membership.objects.filter(team_id=assessment.team_id, user=owner).exists():
        raise ValidationError({"owner": "The owner must be a member of the assessment's team."})


def _hypotheses_validate(assessment: Assessment, hypotheses) -> list[Hypothesis]:
    hypotheses = list(hypotheses)
    if any(h.assessment_id != assessment.pk for h in hypotheses):
        raise ValidationError({"supports": "Only this assessment's hypotheses can be supported."})
    return hypotheses


def _next_key(assessment: Assessment) -> str:
    # The caller holds the assessment row lock (taken by assessment_bump), so two creates cannot race.
    numbers = [
        int(match.group(1))
        for key in Assumption.objects.filter(assessment=assessment).values_list("key", flat=True)
        if (match := re.fullmatch(r"A(\d+)", key))
    ]
    return f"A{max(numbers, default=0) + 1}"


def _value(name: str, value) -> Any:
    """A field value as history and exports record it: usernames for users, keys for hypotheses."""
    if name == "owner":
        return _name(value) or None
    if name == "supports":
        return sorted(h.key for h in value)
    return value


@transaction.atomic
def assumption_create(
    *,
    assessment: Assessment,
    user,
    statement: str,
    confidence: str,
    impact: str,
    supports=(),
    owner=None,
    rationale: str = "",
    citation: str = "",
    analytic_line: str = "",
    could_be_untrue: str = "",
    less_true_now: str = "",
) -> Assumption:
    _owner_validate(assessment, owner)
    hypotheses = _hypotheses_validate(assessment, supports)
    version = assessment_bump(assessment_id=assessment.pk, change=f"key assumption added by {_name(user) or 'import'}")
    order = (Assumption.objects.filter(assessment=assessment).aggregate(m=Max("order"))["m"] or 0) + 1
    assumption = Assumption(
        assessment=assessment,
        key=_next_key(assessment),
        statement=statement,
        rationale=rationale,
        citation=citation,
        analytic_line=analytic_line,
        could_be_untrue=could_be_untrue,
        less_true_now=less_true_now,
        confidence=confidence,
        impact=impact,
        owner=owner,
        order=order,
        checked_version=version,
        checked_at=timezone.now(),
        checked_by=user,
    )
    assumption.full_clean(exclude=["assessment", "owner", "checked_by"])
    assumption.save()
    assumption.supports.set(hypotheses)
    history_record(assumption=assumption, user=user, action=Change.Action.CREATED)
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Key assumption {assumption.key} added: {statement[:80]}",
        actor=user,
        version=version,
    )
    return assumption


@transaction.atomic
def assumption_update(*, assumption: Assumption, user, reason: str, supports=None, **fields) -> Assumption:
    """Edit an assumption; the reason is required and the history records every changed field."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are changing this assumption."})
    assessment = assumption.assessment
    if "owner" in fields:
        _owner_validate(assessment, fields["owner"])
    version = assessment_bump(assessment_id=assessment.pk, change=f"key assumption {assumption.key} edited")
    # Compare with the row as stored now (under the assessment lock): the caller's instance may be
    # stale, or changed by a form, and the rescoring may have flagged it since it was read.
    assumption.refresh_from_db()
    changes = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        before = _value(name, getattr(assumption, name))
        after = _value(name, value)
        if before != after:
            changes[name] = [before, after]
            setattr(assumption, name, value)
    hypotheses = None
    if supports is not None:
        hypotheses = _hypotheses_validate(assessment, supports)
        before = _value("supports", assumption.supports.all())
        after = _value("supports", hypotheses)
        if before != after:
            changes["supports"] = [before, after]
    if not changes:
        raise ValidationError("Nothing changed.")
    assumption.full_clean(exclude=["assessment", "owner", "checked_by"])
    assumption.save(update_fields=[*(name for name in changes if name != "supports"), "updated_at"])
    if "supports" in changes:
        assumption.supports.set(hypotheses)
    history_record(assumption=assumption, user=user, action=Change.Action.EDITED, changes=changes, reason=reason)
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Key assumption {assumption.key} edited ({', '.join(changes)}): {reason[:120]}",
        actor=user,
        version=version,
    )
    return assumption


@transaction.atomic
def assumption_reorder(*, assessment: Assessment, user, ordered_ids: list[int]) -> None:
    items = {a.pk: a for a in Assumption.objects.filter(assessment=assessment)}
    if sorted(ordered_ids) != sorted(items):
        raise ValidationError("The new order must list every assumption exactly once.")
    assessment_bump(assessment_id=assessment.pk, change="key assumptions reordered")
    moved = []
    for position, pk in enumerate(ordered_ids, start=1):
        if items[pk].order != position:
            moved.append(
                Change(
                    assumption=items[pk],
                    actor=user,
                    actor_name=_name(user),
                    action=Change.Action.MOVED,
                    changes={"order": [items[pk].order, position]},
                )
            )
        items[pk].order = position
    bulk_update_with_history(list(items.values()), Assumption, ["order"], default_user=user)
    Change.objects.bulk_create(moved)


@transaction.atomic
def judgment_set(*, assumption: Assumption, analyst, confidence: str, impact: str, note: str = "") -> Judgment:
    """Record the analyst's own confidence and impact (one per analyst, replaced on each call)."""
    if confidence not in spread.CONFIDENCE_STEPS or impact not in spread.IMPACT_STEPS:
        raise ValidationError("Confidence must be solid, caveats or unsupported; impact high, medium or low.")
    membership = Membership.objects.filter(team_id=assumption.assessment.team_id, user=analyst).first()
    if membership is None or not membership.can_edit:
        raise ValidationError("Only the team's analysts record judgments.")
    assessment_bump(
        assessment_id=assumption.assessment_id, change=f"{_name(analyst)} judged key assumption {assumption.key}"
    )
    previous = Judgment.objects.filter(assumption=assumption, analyst=analyst).first()
    judgment, _ = Judgment.objects.update_or_create(
        assumption=assumption,
        analyst=analyst,
        defaults={"confidence": confidence, "impact": impact, "note": note[:500]},
    )
    before = [previous.confidence, previous.impact] if previous else None
    history_record(
        assumption=assumption,
        user=analyst,
        action=Change.Action.JUDGED,
        changes={"judgment": [before, [confidence, impact]]},
        reason=note,
    )
    return judgment


def _same_assessment(assumption: Assumption, evidence: Evidence) -> None:
    if evidence.assessment_id != assumption.assessment_id:
        raise ValidationError({"evidence": "That evidence item belongs to another assessment."})


@transaction.atomic
def evidence_link_set(
    *, assumption: Assumption, evidence: Evidence, relation: str, user, note: str = ""
) -> EvidenceLink:
    """Link an evidence item to an assumption as supporting or challenging it (re-linking updates it).

    A challenging link is stamped with the new content version, so the rescoring that runs on commit
    flags the assumption "needs re-check" (see recheck_flags_apply) — whatever path called this.
    """
    _same_assessment(assumption, evidence)
    if relation not in EvidenceLink.Relation.values:
        raise ValidationError({"relation": "Evidence either supports or challenges an assumption."})
    version = assessment_bump(
        assessment_id=assumption.assessment_id, change=f"evidence {evidence.key} {relation} {assumption.key}"
    )
    link = EvidenceLink.objects.filter(assumption=assumption, evidence=evidence).first()
    before = [link.relation, link.note] if link else None
    if link is None:
        link = EvidenceLink(assumption=assumption, evidence=evidence, created_by=user)
    if link.pk is None or link.relation != relation:
        link.version = version
    link.relation = relation
    link.note = note[:500]
    link.save()
    history_record(
        assumption=assumption,
        user=user,
        action=Change.Action.LINKED,
        changes={evidence.key: [before, [relation, link.note]]},
        reason=note,
    )
    activity_record(
        assessment=assumption.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Evidence {evidence.key} {relation} key assumption {assumption.key}"
        + (f": {note[:100]}" if note else ""),
        actor=user,
        version=version,
    )
    return link


@transaction.atomic
def evidence_link_delete(*, link: EvidenceLink, user, reason: str = "") -> None:
    assumption = link.assumption
    assessment_bump(assessment_id=assumption.assessment_id, change=f"evidence {link.evidence.key} unlinked")
    history_record(
        assumption=assumption,
        user=user,
        action=Change.Action.UNLINKED,
        changes={link.evidence.key: [[link.relation, link.note], None]},
        reason=reason,
    )
    link.delete()


@transaction.atomic
def evidence_add_challenging(
    *, assumption: Assumption, user, note: str, relation: str = "challenges", via: str = "form", **evidence_fields
) -> tuple[Evidence, EvidenceLink]:
    """A new evidence item (through the one path evidence arrives by) and its link, in one transaction."""
    evidence = evidence_add(assessment=assumption.assessment, user=user, items=[evidence_fields], via=via)[0]
    link = evidence_link_set(assumption=assumption, evidence=evidence, relation=relation, user=user, note=note)
    return evidence, link


@transaction.atomic
def assumption_recheck(*, assumption: Assumption, user, reason: str) -> Assumption:
    """The analyst re-checked the assumption against its evidence: clears the flag, records why."""
    if not reason.strip():
        raise ValidationError({"reason": "Say what the re-check found."})
    version = assessment_bump(
        assessment_id=assumption.assessment_id, change=f"key assumption {assumption.key} re-checked"
    )
    assumption.refresh_from_db()
    changes = {"needs_recheck": [assumption.needs_recheck, False]}
    if assumption.recheck_evidence:
        changes["evidence"] = [assumption.recheck_evidence, []]
    assumption.needs_recheck = False
    assumption.recheck_reason = ""
    assumption.recheck_evidence = []
    assumption.flagged_at = None
    assumption.checked_version = version
    assumption.checked_at = timezone.now()
    assumption.checked_by = user
    assumption.save(
        update_fields=[
            "needs_recheck",
            "recheck_reason",
            "recheck_evidence",
            "flagged_at",
            "checked_version",
            "checked_at",
            "checked_by",
            "updated_at",
        ]
    )
    history_record(assumption=assumption, user=user, action=Change.Action.RECHECKED, changes=changes, reason=reason)
    activity_record(
        assessment=assumption.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Key assumption {assumption.key} re-checked: {reason[:120]}",
        actor=user,
        version=version,
    )
    return assumption


def recheck_flags_apply(*, assessment: Assessment, results: dict) -> list[dict]:
    """Flag "needs re-check" on assumptions with challenging links newer than their last check.

    Runs in the rescoring's transaction (the Technique's apply), on results computed under the same
    row lock; returns one "flag" alert per assumption flagged (or given further challenges) now.
    """
    pending = {
        key: item["new_challenges"] for key, item in results.get("assumptions", {}).items() if item["new_challenges"]
    }
    if not pending:
        return []
    alerts = []
    now = timezone.now()
    for assumption in Assumption.objects.filter(assessment=assessment, key__in=list(pending)):
        fresh = [c for c in pending[assumption.key] if c["evidence"] not in assumption.recheck_evidence]
        if not fresh:
            continue
        reasons = "; ".join(f"{c['evidence']} challenges it" + (f" ({c['note']})" if c["note"] else "") for c in fresh)
        was_flagged = assumption.needs_recheck
        assumption.needs_recheck = True
        assumption.recheck_evidence = [*assumption.recheck_evidence, *(c["evidence"] for c in fresh)]
        assumption.recheck_reason = f"{assumption.recheck_reason}; {reasons}" if assumption.recheck_reason else reasons
        assumption.flagged_at = assumption.flagged_at or now
        assumption.save(
            update_fields=["needs_recheck", "recheck_evidence", "recheck_reason", "flagged_at", "updated_at"]
        )
        history_record(
            assumption=assumption,
            user=None,
            action=Change.Action.FLAGGED,
            changes={"needs_recheck": [was_flagged, True], "evidence": [c["evidence"] for c in fresh]},
            reason=reasons,
        )
        alerts.append(
            {
                "kind": "flag",
                "code": "assumption_needs_recheck",
                "assumption": assumption.key,
                "evidence": [c["evidence"] for c in fresh],
                "message": f"Key assumption {assumption.key} needs re-check: {reasons}.",
            }
        )
    return alerts


@transaction.atomic
def requirement_create(*, assumption: Assumption, user, need: str, due: datetime.date | None) -> CollectionRequirement:
    """Turn an unsupported or challenged assumption into a collection requirement."""
    if not requirement_eligible(assumption):
        raise ValidationError("Only an unsupported, challenged or flagged assumption becomes a collection requirement.")
    if not need.strip():
        raise ValidationError({"need": "Say what we would need to learn."})
    version = assessment_bump(
        assessment_id=assumption.assessment_id, change=f"collection requirement for {assumption.key}"
    )
    requirement = CollectionRequirement.objects.create(
        assessment=assumption.assessment, assumption=assumption, need=need, due=due, created_by=user
    )
    history_record(
        assumption=assumption,
        user=user,
        action=Change.Action.REQUIREMENT,
        changes={"requirement": [None, {"need": need, "due": due.isoformat() if due else None}]},
    )
    activity_record(
        assessment=assumption.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Collection requirement for {assumption.key}"
        + (f" (by {due:%d %b %Y})" if due else "")
        + f": {need[:100]}",
        actor=user,
        version=version,
    )
    return requirement


@transaction.atomic
def requirement_status_set(*, requirement: CollectionRequirement, user, status: str) -> CollectionRequirement:
    if status not in CollectionRequirement.Status.values:
        raise ValidationError({"status": "A requirement is open, met or dropped."})
    if status == requirement.status:
        return requirement
    assessment_bump(assessment_id=requirement.assessment_id, change="collection requirement updated")
    history_record(
        assumption=requirement.assumption,
        user=user,
        action=Change.Action.REQUIREMENT,
        changes={"requirement status": [requirement.status, status]},
        reason=requirement.need[:200],
    )
    requirement.status = status
    requirement.save(update_fields=["status"])
    return requirement


@transaction.atomic
def check_complete(*, assessment: Assessment, user, note: str = "") -> CheckRound:
    """A supervisor marks the check complete for the next review round.

    Refused while the check is empty or any assumption still needs re-check: a completed round
    certifies that the team has looked at every challenge.
    """
    assessment_bump(assessment_id=assessment.pk, change="key assumptions check completed")
    check = check_get(assessment=assessment)
    if not check.rows:
        raise ValidationError("Record the key assumptions before completing the check.")
    pending = [row.assumption.key for row in check.rows if row.needs_recheck]
    if pending:
        raise ValidationError(f"Re-check {', '.join(pending)} before completing the check.")
    summary = {
        "assumptions": len(check.rows),
        "key_uncertainties": [row.assumption.key for row in check.key_uncertainties],
        "disagreements": [row.assumption.key for row in check.disagreements],
        "open_requirements": sum(1 for r in check.requirements if r.status == "open"),
    }
    check_round = CheckRound.objects.create(
        assessment=assessment,
        number=check.current_round,
        completed_by=user,
        completed_by_name=_name(user),
        note=note,
        summary=summary,
    )
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.REVIEW,
        message=f"Key assumptions check completed for round {check_round.number} by {_name(user)}"
        + (f": {note[:120]}" if note else ""),
        actor=user,
        notify=True,
    )
    return check_round


def _assumption_keys(raw: str) -> list[str]:
    return [key for key in re.split(r"[;,\s]+", raw.strip()) if key]


def import_links_validate(assessment: Assessment, raw: str) -> list[str]:
    """Errors for an evidence-import cell naming assumptions (e.g. "A3; A5")."""
    keys = _assumption_keys(raw)
    known = set(Assumption.objects.filter(assessment=assessment, key__in=keys).values_list("key", flat=True))
    return [f"no key assumption {key} in this assessment" for key in keys if key not in known]


def import_links_apply(*, relation: str):
    """The link-writer for one import column: every named assumption gets the new item as `relation`."""

    def apply(assessment: Assessment, evidence: Evidence, raw: str, user) -> None:
        keys = _assumption_keys(raw)
        assumptions = {a.key: a for a in Assumption.objects.filter(assessment=assessment, key__in=keys)}
        missing = [key for key in keys if key not in assumptions]
        if missing:
            raise ValidationError({"links": [f"no key assumption {key} in this assessment" for key in missing]})
        for key in keys:
            evidence_link_set(
                assumption=assumptions[key], evidence=evidence, relation=relation, user=user, note="from import"
            )

    return apply
