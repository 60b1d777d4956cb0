from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.assessments.keys import key_counter_raise, key_next
from apps.assessments.models import Activity, Assessment, Evidence, Hypothesis
from apps.assessments.services import activity_record, assessment_bump, scored_row_delete
from apps.assessments.techniques import ImportContext, Merge
from apps.core.versions import changes_between, version_check

from . import validator
from .models import Indicator, IndicatorSettings, Observation, Validation

# The fields every door exchanges (the form, the file's import and export, the API): one list per model.
INDICATOR_FIELDS = ("statement", "category", "collection", "citation", "review_cadence_days", "threshold")
# Left out of a file, a field takes its default (the others are required by the file's schema).
INDICATOR_DEFAULTS = {"collection": "", "citation": "", "review_cadence_days": validator.DEFAULT_CADENCE_DAYS}
# An observation's evidence is named by key in files and the API, by id in the form.
OBSERVATION_FIELDS = ("date", "status", "source", "note", "evidence")


def indicator_fields_from(item: dict) -> dict:
    """An indicator's exchanged fields from a validated file item (defaults for those left out)."""
    return {name: item[name] if name in item else INDICATOR_DEFAULTS[name] for name in INDICATOR_FIELDS}


STATUS_LABEL_MAX = 40


def _settings(assessment_id: int) -> IndicatorSettings:
    settings, _ = IndicatorSettings.objects.get_or_create(assessment_id=assessment_id)
    return settings


def _labels(assessment_id: int) -> dict[str, str]:
    settings = IndicatorSettings.objects.filter(assessment_id=assessment_id).first()
    return settings.labels() if settings else dict(validator.DEFAULT_STATUS_LABELS)


@transaction.atomic
def indicator_create(*, assessment: Assessment, user: User, **fields: Any) -> Indicator:
    assessment_bump(assessment_id=assessment.pk, change=f"indicator added by {user}")
    indicator = Indicator(
        assessment=assessment,
        key=key_next(assessment_id=assessment.pk, prefix="IND"),
        order=Indicator.objects.filter(assessment=assessment).count(),
        **{name: value for name, value in fields.items() if name in INDICATOR_FIELDS},
    )
    indicator.full_clean(exclude=["assessment"])
    indicator.save()
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Indicator {indicator.key} added: {indicator.statement[:80]}",
        actor=user,
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, user: User, expected_version: int | None, **fields: Any) -> Indicator:
    """Edit an indicator; refused (VersionConflict) if expected_version is stale, a no-op if unchanged."""
    version_check(Indicator, indicator.pk, expected_version)
    indicator.refresh_from_db()
    current = indicator
    changes = changes_between(current, fields, INDICATOR_FIELDS)
    if not changes:
        return current
    version = assessment_bump(assessment_id=current.assessment_id, change=f"indicator {current.key} edited")
    for name in changes:
        setattr(current, name, fields[name])
    current.version += 1
    current.full_clean(exclude=["assessment"])
    current.save()
    activity_record(
        assessment=current.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Indicator {current.key} edited ({', '.join(changes)})",
        actor=user,
        version=version,
        data={"action": "edit", "key": current.key, "changes": changes},
    )
    return current


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user: User) -> None:
    scored_row_delete(row=indicator, user=user, kind="indicator", key=indicator.key, detail=indicator.statement)


@transaction.atomic
def indicator_review(*, indicator: Indicator, user: User, on: date | None = None) -> Indicator:
    """Record that the team re-validated the indicator: the review cadence starts again from this date."""
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})
    assessment_bump(assessment_id=indicator.assessment_id, change=f"indicator {indicator.key} reviewed")
    indicator.reviewed_on = on
    indicator.save(update_fields=["reviewed_on", "updated_at"])
    activity_record(
        assessment=indicator.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Indicator {indicator.key} reviewed and re-validated (next review "
        f"{validator.review_due_on(on, indicator.review_cadence_days):%-d %b %Y})",
        actor=user,
    )
    return indicator


@transaction.atomic
def validation_set(*, indicator: Indicator, analyst: User, hypothesis_id: int, likelihood: str) -> Validation | None:
    """Set (or with likelihood "" clear) the analyst's own likelihood for one indicator × hypothesis."""
    if likelihood and likelihood not in validator.LIKELIHOODS:
        raise ValidationError(
            {"likelihood": f"Unknown likelihood “{likelihood}”: use one of {', '.join(validator.LIKELIHOODS)}."}
        )
    hypothesis = Hypothesis.objects.filter(pk=hypothesis_id, assessment_id=indicator.assessment_id).first()
    if hypothesis is None:
        raise ValidationError({"hypothesis": "That hypothesis is not part of this assessment."})
    assessment_bump(
        assessment_id=indicator.assessment_id,
        change=f"{analyst.username} validated {indicator.key}×{hypothesis.key}",
    )
    if not likelihood:
        Validation.objects.filter(analyst=analyst, indicator=indicator, hypothesis=hypothesis).delete()
        return None
    validation, _ = Validation.objects.update_or_create(
        analyst=analyst, indicator=indicator, hypothesis=hypothesis, defaults={"likelihood": likelihood}
    )
    return validation


@transaction.atomic
def observation_add(
    *,
    indicator: Indicator,
    user: User,
    status: str,
    source: str,
    on: date | None = None,
    note: str = "",
    evidence_id: int | None = None,
) -> Observation:
    """Record a dated, sourced status reading; the latest reading is the indicator's current status.

    The version bump makes the rescoring run on commit, which raises the threshold warning if this
    reading takes the indicator to its threshold.
    """
    observation = Observation(
        indicator=indicator,
        date=on or timezone.localdate(),
        status=status,
        source=source,
        note=note,
        analyst=user,
    )
    if evidence_id is not None:
        observation.evidence = Evidence.objects.filter(pk=evidence_id, assessment_id=indicator.assessment_id).first()
        if observation.evidence is None:
            raise ValidationError({"evidence": "That evidence item is not part of this assessment."})
    observation.full_clean(exclude=["indicator", "analyst", "evidence"])
    if observation.date > timezone.localdate():
        raise ValidationError({"date": "An observation records what was seen: it cannot be dated in the future."})
    version = assessment_bump(
        assessment_id=indicator.assessment_id, change=f"indicator {indicator.key} observed: {status}"
    )
    observation.save()
    label = _labels(indicator.assessment_id)[status]
    activity_record(
        assessment=indicator.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Indicator {indicator.key}: {label} on {observation.date:%-d %b %Y} ({source[:80]})",
        actor=user,
        version=version,
    )
    return observation


@transaction.atomic
def observation_delete(*, observation: Observation, user: User) -> None:
    indicator = observation.indicator
    assessment_bump(assessment_id=indicator.assessment_id, change=f"indicator {indicator.key} observation deleted")
    activity_record(
        assessment=indicator.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Indicator {indicator.key}: observation of {observation.date:%-d %b %Y} deleted",
        actor=user,
    )
    observation.delete()


def status_labels_validate(labels: dict[str, str]) -> dict[str, str]:
    """The team's names for the five status steps: each given, at most 40 characters, all different."""
    cleaned, errors = {}, {}
    for status in validator.STATUSES:
        label = (labels.get(status) or "").strip()
        if not label:
            errors[status] = "Give each step a name."
        elif len(label) > STATUS_LABEL_MAX:
            errors[status] = f"At most {STATUS_LABEL_MAX} characters."
        cleaned[status] = label
    unknown = set(labels) - set(validator.STATUSES)
    if unknown:
        errors["__all__"] = f"Unknown status steps: {', '.join(sorted(unknown))}."
    named = [label.casefold() for label in cleaned.values() if label]
    if len(set(named)) != len(named):
        errors.setdefault("__all__", "Each step needs a different name.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def status_labels_set(*, assessment: Assessment, user: User, labels: dict[str, str]) -> dict[str, str]:
    cleaned = status_labels_validate(labels)
    # Read, not created: saving the steps unchanged writes nothing.
    if cleaned == _labels(assessment.pk):
        return cleaned
    # Labels appear in the warnings the rescoring writes, so they are part of the scored content.
    assessment_bump(assessment_id=assessment.pk, change="indicator status steps renamed")
    settings = _settings(assessment.pk)
    settings.status_labels = {
        status: label for status, label in cleaned.items() if label != validator.DEFAULT_STATUS_LABELS[status]
    }
    settings.save(update_fields=["status_labels"])
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message="Indicator status steps renamed: " + " / ".join(cleaned.values()),
        actor=user,
    )
    return cleaned


def indicators_bulk_import(
    *, assessment: Assessment, items: list[dict], labels: dict | None, context: ImportContext
) -> int:
    """Write a validated `indicators` section in the caller's (the import's) transaction."""
    settings = _settings(assessment.pk)
    if labels:
        settings.status_labels = {
            status: label for status, label in labels.items() if label != validator.DEFAULT_STATUS_LABELS[status]
        }
    settings.save()
    key_counter_raise(assessment_id=assessment.pk, prefix="IND", keys=[item["key"] for item in items])
    indicators = bulk_create_with_history(
        [
            Indicator(
                assessment=assessment,
                key=item["key"],
                **indicator_fields_from(item),
                reviewed_on=_date(item.get("reviewed_on")),
                order=order,
            )
            for order, item in enumerate(items)
        ],
        Indicator,
        default_user=context.user,
    )
    validations: list[Validation] = []
    observations: list[Observation] = []
    for indicator, item in zip(indicators, items, strict=True):
        validations.extend(
            Validation(
                indicator=indicator,
                hypothesis=context.hypotheses[row["hypothesis"]],
                analyst=context.users[row["analyst"]],
                likelihood=row["likelihood"],
            )
            for row in item.get("validations", [])
        )
        observations.extend(
            Observation(
                indicator=indicator,
                date=date.fromisoformat(row["date"]),
                status=row["status"],
                source=row["source"],
                note=row.get("note", ""),
                analyst=context.users[row["analyst"]] if row.get("analyst") else None,
                evidence=context.evidence[row["evidence"]] if row.get("evidence") else None,
            )
            for row in item.get("observations", [])
        )
    Validation.objects.bulk_create(validations, batch_size=2000)
    bulk_create_with_history(observations, Observation, batch_size=2000, default_user=context.user)
    if indicators:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{len(indicators)} indicators imported ({len(validations)} validator ratings, "
            f"{len(observations)} observations)",
            actor=context.user,
        )
    return len(indicators)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def links_merge(merge: Merge) -> dict[str, int]:
    """The indicators' part of a merge (apps.assessments.services.items_merge): observations citing a merged
    evidence item cite the kept one; a merged hypothesis's validations move to the kept one where the analyst
    had not validated it (her validation of the kept hypothesis stands)."""
    if isinstance(merge.kept, Evidence):
        observations = list(Observation.objects.filter(evidence=merge.duplicate))
        for observation in observations:
            observation.evidence = merge.kept
            observation._history_user = merge.user  # type: ignore[attr-defined]
            observation.save(update_fields=["evidence"])
        return {"indicator observations": len(observations)}
    standing = set(Validation.objects.filter(hypothesis=merge.kept).values_list("analyst_id", "indicator_id"))
    for validation in Validation.objects.filter(hypothesis=merge.duplicate):
        if (validation.analyst_id, validation.indicator_id) in standing:
            validation.delete()
        else:
            validation.hypothesis = merge.kept
            validation.save(update_fields=["hypothesis"])
    return {}
