"""Collection requirements and completing a round of the check."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.assessments.models import Activity, Assessment
from apps.assessments.services import activity_record, assessment_bump

from ..models import Assumption, Change, CheckRound, CollectionRequirement
from ..selectors import check_get, requirement_eligible
from .assumptions import _name, history_record


@transaction.atomic
def requirement_create(
    *, assumption: Assumption, user: User, need: str, due: datetime.date | None
) -> CollectionRequirement:
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
def requirement_status_set(*, requirement: CollectionRequirement, user: User, status: str) -> CollectionRequirement:
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
def check_complete(*, assessment: Assessment, user: User, note: str = "") -> CheckRound:
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
