"""Assumptions and judgments: every write bumps the content version so the rescoring runs."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.accounts.models import Membership
from apps.assessments.keys import key_next
from apps.assessments.models import Activity, Assessment, Hypothesis
from apps.assessments.services import activity_record, assessment_bump
from apps.core.versions import version_check

from .. import spread
from ..models import Assumption, Change, Judgment

# The fields every door exchanges (the form, the file's import and export, the API), in the form's order:
# one list per model. supports and owner are relations, named by hypothesis keys and username outside.
ASSUMPTION_FIELDS = (
    "statement",
    "rationale",
    "citation",
    "supports",
    "analytic_line",
    "could_be_untrue",
    "less_true_now",
    "confidence",
    "impact",
    "owner",
    "status",
)
# The value fields assumption_update sets (supports is an argument of its own).
EDITABLE_FIELDS = tuple(name for name in ASSUMPTION_FIELDS if name != "supports")
# The value fields a file item carries; left out, each takes its default (the others the schema requires).
ASSUMPTION_VALUES = tuple(name for name in EDITABLE_FIELDS if name != "owner")
ASSUMPTION_DEFAULTS = {
    "rationale": "",
    "citation": "",
    "analytic_line": "",
    "could_be_untrue": "",
    "less_true_now": "",
    "status": Assumption.Status.OPEN,
}


def assumption_values_from(item: dict) -> dict:
    """An assumption's value fields from a validated file item (defaults for those left out)."""
    return {name: item[name] if name in item else ASSUMPTION_DEFAULTS[name] for name in ASSUMPTION_VALUES}


def _name(user: User | None) -> str:
    return user.get_username() if user is not None else ""


def history_record(
    *, assumption: Assumption, user: User | None, action: str, changes: dict[str, Any] | None = None, reason: str = ""
) -> Change:
    return Change.objects.create(
        assumption=assumption, actor=user, actor_name=_name(user), action=action, changes=changes or {}, reason=reason
    )


def _owner_validate(assessment: Assessment, owner: User | None) -> None:
    if owner is not None and not Membership.objects.filter(team_id=assessment.team_id, user=owner).exists():
        raise ValidationError({"owner": "The owner must be a member of the assessment's team."})


def _hypotheses_validate(assessment: Assessment, hypotheses: Iterable[Hypothesis]) -> list[Hypothesis]:
    hypotheses = list(hypotheses)
    if any(h.assessment_id != assessment.pk for h in hypotheses):
        raise ValidationError({"supports": "Only this assessment's hypotheses can be supported."})
    return hypotheses


def _value(name: str, value: Any) -> Any:
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
    user: User,
    statement: str,
    confidence: str,
    impact: str,
    supports: Iterable[Hypothesis] = (),
    owner: User | None = None,
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
        key=key_next(assessment_id=assessment.pk, prefix="A"),
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
def assumption_update(
    *,
    assumption: Assumption,
    user: User,
    reason: str,
    supports: Iterable[Hypothesis] | None = None,
    expected_version: int | None,
    **fields: Any,
) -> Assumption:
    """Edit an assumption; the reason is required and the history records every changed field.

    A stale expected_version is refused (VersionConflict) before anything, history included, is written.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are changing this assumption."})
    assessment = assumption.assessment
    if "owner" in fields:
        _owner_validate(assessment, fields["owner"])
    # Compare with the row as stored now (locked): the caller's instance may be stale, or changed by a
    # form, and the rescoring may have flagged it since it was read.
    version_check(Assumption, assumption.pk, expected_version)
    assumption.refresh_from_db()
    version = assessment_bump(assessment_id=assessment.pk, change=f"key assumption {assumption.key} edited")
    changes = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            continue
        before = _value(name, getattr(assumption, name))
        after = _value(name, value)
        if before != after:
            changes[name] = [before, after]
            setattr(assumption, name, value)
    hypotheses: list[Hypothesis] = []
    if supports is not None:
        hypotheses = _hypotheses_validate(assessment, supports)
        before = _value("supports", assumption.supports.all())
        after = _value("supports", hypotheses)
        if before != after:
            changes["supports"] = [before, after]
    if not changes:
        raise ValidationError("Nothing changed.")
    assumption.version += 1
    assumption.full_clean(exclude=["assessment", "owner", "checked_by"])
    assumption.save(update_fields=[*(name for name in changes if name != "supports"), "version", "updated_at"])
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
def assumption_reorder(*, assessment: Assessment, user: User, ordered_ids: list[int]) -> None:
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
def judgment_set(*, assumption: Assumption, analyst: User, confidence: str, impact: str, note: str = "") -> Judgment:
    """Record the analyst's own confidence and impact (one per analyst, replaced on each call)."""
    if confidence not in spread.CONFIDENCE_STEPS or impact not in spread.IMPACT_STEPS:
        raise ValidationError("Confidence must be solid, caveats or unsupported; impact high, medium or low.")
    membership = Membership.objects.filter(team_id=assumption.assessment.team_id, user=analyst).first()
    if membership is None or not membership.can_edit:
        raise ValidationError("Only the team's analysts record judgments.")
    previous = Judgment.objects.filter(assumption=assumption, analyst=analyst).first()
    if previous and (previous.confidence, previous.impact, previous.note) == (confidence, impact, note[:500]):
        return previous
    assessment_bump(
        assessment_id=assumption.assessment_id, change=f"{_name(analyst)} judged key assumption {assumption.key}"
    )
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
