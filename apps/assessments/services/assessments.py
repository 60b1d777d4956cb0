"""The assessment itself: creation, its handling marking, its as-of date, and forking it into a new draft."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from apps.accounts.models import Team
from apps.core.versions import changes_between

from ..access import assessment_write_check
from ..models import Activity, Assessment, Marking, RescoreQueue
from .activity import activity_record
from .rescoring import assessment_bump


@transaction.atomic
def assessment_create(
    *,
    team: Team,
    user: User | None,
    title: str,
    question: str,
    description: str = "",
    marking: Marking | None = None,
    as_of: datetime.date | None = None,
    slug: str = "",
) -> Assessment:
    fields_validate(title=title, question=question, description=description)
    as_of_validate(as_of)
    assessment = Assessment.objects.create(
        team=team,
        title=title,
        question=question,
        description=description,
        created_by=user,
        marking=marking,
        as_of=as_of,
        # The stable id a file may carry, unique within the team (the import checked it is free).
        slug=slug,
    )
    RescoreQueue.objects.create(assessment=assessment)
    activity_record(assessment=assessment, kind=Activity.Kind.CHANGE, message="Assessment created", actor=user)
    assessment_bump(assessment_id=assessment.pk, change="created")
    return assessment


ASSESSMENT_FIELDS = ("title", "question", "description")


def fields_validate(**fields: str) -> None:
    """The model's rules for the assessment's own fields (lengths, a one-line title), whatever the door."""
    errors = {}
    for name, value in fields.items():
        try:
            field = Assessment._meta.get_field(name)
            assert isinstance(field, Field)  # the assessment's own columns
            field.clean(value, None)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_update(*, assessment: Assessment, user: User | None, via: str = "form", **fields: str) -> list[str]:
    """Change the title, question or description; the names of the fields that changed (none: no write).

    Validated like the form (lengths, one-line title) whatever the door; the bump keeps the freeze.
    """
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError(f"Not an assessment setting: {', '.join(sorted(unknown))}.")
    current = Assessment.objects.get(pk=assessment.pk)
    changes = changes_between(current, fields, ASSESSMENT_FIELDS)
    if not changes:
        return []
    version = assessment_bump(assessment_id=current.pk, change=f"settings changed ({via})")
    current.refresh_from_db()
    for name in changes:
        setattr(current, name, fields[name])
    current.full_clean(exclude=[f.name for f in Assessment._meta.fields if f.name not in changes])
    current._history_user = user  # type: ignore[attr-defined]
    current.save(update_fields=[*changes, "updated_at"])
    activity_record(
        assessment=current,
        kind=Activity.Kind.CHANGE,
        message=f"Assessment {', '.join(changes)} changed ({via})",
        actor=user,
        version=version,
        data={"action": "edit", "changes": changes},
    )
    for name in changes:
        setattr(assessment, name, fields[name])
    return list(changes)


def as_of_validate(as_of: datetime.date | None) -> None:
    """An assessment speaks as of a day that has come: a later date would judge indicators by reviews
    nobody has made yet (every look "fresh", no negative indication), so every door refuses it."""
    if as_of is not None and as_of > timezone.localdate():
        raise ValidationError(
            {"as_of": f"The as-of date {as_of.isoformat()} is in the future: choose today or an earlier day."}
        )


@transaction.atomic
def assessment_as_of_set(*, assessment: Assessment, user: User | None, as_of: datetime.date | None) -> bool:
    """Judge the assessment as of a date (None: today); whether it changed. Indicator status, staleness,
    negative indications and due reviews follow it (apps.indicators.validator), so it rescores."""
    as_of_validate(as_of)
    current = Assessment.objects.get(pk=assessment.pk)
    if current.as_of == as_of:
        return False
    before = current.as_of
    shown = {key: day.isoformat() if day else "today" for key, day in (("before", before), ("after", as_of))}
    version = assessment_bump(assessment_id=current.pk, change="as-of date changed")
    Assessment.objects.filter(pk=current.pk).update(as_of=as_of, updated_at=timezone.now())
    assessment.as_of = as_of
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Judged as of {shown['after']} (was {shown['before']})",
        actor=user,
        version=version,
        data={"action": "edit", "changes": {"as_of": [str(before) if before else None, str(as_of) if as_of else None]}},
    )
    return True


@transaction.atomic
def assessment_marking_set(*, assessment: Assessment, user: User, marking: Marking | None) -> Assessment:
    """Change the handling marking; recorded in the feed and the history (who, before, after)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    assessment_write_check(assessment)
    if assessment.marking_id == (marking.pk if marking else None):
        return assessment
    before = str(assessment.marking or "none")
    assessment.marking = marking
    assessment._history_user = user  # type: ignore[attr-defined]
    assessment.save(update_fields=["marking", "updated_at"])
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Handling marking changed from {before} to {marking or 'none'}",
        actor=user,
    )
    return assessment


@transaction.atomic
def assessment_archive(*, assessment: Assessment, user: User | None) -> Assessment:
    """Hide the assessment from lists and freeze it; nothing is deleted, a team admin can restore it."""
    updated = Assessment.objects.filter(pk=assessment.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    if updated:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{user.get_username() if user else 'Someone'} archived the assessment.",
            actor=user,
            data={"action": "archive"},
        )
    assessment.refresh_from_db()
    return assessment


def assessment_restore(*, assessment: Assessment, user: User | None) -> Assessment:
    updated = Assessment.objects.filter(pk=assessment.pk, archived_at__isnull=False).update(archived_at=None)
    if updated:
        activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{user.get_username() if user else 'Someone'} restored the assessment from the archive.",
            actor=user,
            data={"action": "restore"},
        )
    assessment.refresh_from_db()
    return assessment
