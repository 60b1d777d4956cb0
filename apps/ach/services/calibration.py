"""Analysts' own probabilities and the resolution of an assessment (what proved true)."""

import datetime as dt
import math

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership
from apps.assessments.models import Activity, Assessment, Hypothesis
from apps.assessments.services import activity_record

from .. import scoring
from ..models import Resolution, StatedProbability, Statement
from ..postmortem import calibration_compute


@transaction.atomic
def stated_probabilities_set(*, assessment: Assessment, analyst: User, percents: dict[str, float]) -> Statement:
    """Record the analyst's probability, in percent, for every hypothesis (keyed by hypothesis key).

    Kept as entered, with the time; earlier statements stay as history. Their incoherence |sum − 100| is
    shown, not refused: the scores use them normalised.
    """
    hypotheses = {h.key: h for h in Hypothesis.objects.filter(assessment=assessment)}
    errors = {}
    missing = sorted(set(hypotheses) - set(percents))
    unknown = sorted(set(percents) - set(hypotheses))
    if missing:
        errors["percents"] = [f"State a probability for every hypothesis (missing: {', '.join(missing)})."]
    if unknown:
        errors.setdefault("percents", []).append(f"No hypothesis with key {', '.join(unknown)}.")
    values = {}
    for key, raw in percents.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors[key] = [f"{key}: enter a percentage between 0 and 100."]
        values[key] = value
    if not errors and sum(values.values()) <= 0:
        errors["percents"] = ["At least one probability must be above 0."]
    if errors:
        raise ValidationError(errors)
    statement = Statement.objects.create(assessment=assessment, analyst=analyst)
    StatedProbability.objects.bulk_create(
        StatedProbability(statement=statement, hypothesis=hypotheses[key], percent=value)
        for key, value in values.items()
    )
    total = sum(values.values())
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{analyst.get_username()} stated their probabilities"
        + (f" (they add up to {total:g} %)." if scoring.stated_incoherence(list(values.values())) else "."),
        actor=analyst,
    )
    return statement


@transaction.atomic
def assessment_resolve(
    *, assessment: Assessment, user: User, outcome: str | None, resolved_on: dt.date, note: str = ""
) -> Resolution:
    """A supervisor records which hypothesis proved true (``outcome`` its key, None for none of these).

    The post-mortem is computed now and stored with the resolution, and the assessment is read-only
    (``apps.assessments.access.frozen_message``) until a supervisor un-resolves it.
    """
    membership = Membership.objects.filter(team_id=assessment.team_id, user=user).first()
    if membership is None or not membership.can_review:
        raise PermissionDenied("Only supervisors can resolve an assessment.")
    # The row lock serialises two supervisors resolving at once, and writers waiting to change the matrix.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.resolved_at is not None or Resolution.objects.filter(assessment=assessment).exists():
        raise ValidationError({"outcome": "This assessment is already resolved."})
    hypothesis = None
    if outcome is not None:
        hypothesis = Hypothesis.objects.filter(assessment=assessment, key=outcome).first()
        if hypothesis is None:
            raise ValidationError({"outcome": f"No hypothesis with key {outcome}."})
    if resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": "The resolution date cannot be in the future."})
    record = calibration_compute(assessment=assessment, outcome=outcome, resolved_on=resolved_on)
    resolution = Resolution.objects.create(
        assessment=assessment,
        outcome=hypothesis,
        resolved_on=resolved_on,
        note=note.strip(),
        resolved_by=user,
        record=record,
    )
    Assessment.objects.filter(pk=assessment.pk).update(resolved_at=resolution.resolved_at)
    assessment.resolved_at = resolution.resolved_at
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.REVIEW,
        message=f"{user.get_username()} resolved the assessment: "
        + (f"{hypothesis.key} proved true." if hypothesis else "none of the hypotheses proved true.")
        + " It is read-only until a supervisor un-resolves it.",
        actor=user,
        data={"action": "resolve", "outcome": outcome, "resolved_on": resolved_on.isoformat()},
        notify=True,
    )
    return resolution


@transaction.atomic
def assessment_unresolve(*, assessment: Assessment, user: User, reason: str = "") -> None:
    """A supervisor withdraws the resolution: the assessment can change again, and its post-mortem is gone.

    The withdrawn resolution and its post-mortem are kept in the activity feed's record of the change.
    """
    membership = Membership.objects.filter(team_id=assessment.team_id, user=user).first()
    if membership is None or not membership.can_review:
        raise PermissionDenied("Only supervisors can un-resolve an assessment.")
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    resolution = Resolution.objects.filter(assessment=assessment).select_related("outcome").first()
    if resolution is None:
        raise ValidationError("This assessment is not resolved.")
    withdrawn = {
        "outcome": resolution.outcome.key if resolution.outcome else None,
        "resolved_on": resolution.resolved_on.isoformat(),
        "resolved_at": resolution.resolved_at.isoformat(),
        "resolved_by": resolution.resolved_by.get_username() if resolution.resolved_by else None,
        "note": resolution.note,
        "record": resolution.record,
    }
    resolution.delete()
    Assessment.objects.filter(pk=assessment.pk).update(resolved_at=None)
    assessment.resolved_at = None
    reason = reason.strip()
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.REVIEW,
        message=f"{user.get_username()} un-resolved the assessment (it had been resolved as "
        + (f"{withdrawn['outcome']}" if withdrawn["outcome"] else "none of these")
        + f" on {withdrawn['resolved_on']})"
        + (f": {reason}" if reason else ".")
        + " It can change again.",
        actor=user,
        data={"action": "unresolve", "withdrawn": withdrawn, "reason": reason},
        notify=True,
    )
