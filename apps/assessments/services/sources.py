"""The source register: sources, their grades and retraction, and which source each evidence item comes from.

Sources are shared by the techniques (ACH's posterior counts a source's items together and weighs them by
its grade; the Quality of Information Check reviews them), so their writes live beside the evidence's.
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.core.versions import changes_between, version_check

from ..keys import key_counter_raise, key_next
from ..models import Activity, Assessment, Evidence, Source
from .activity import activity_record
from .rescoring import assessment_bump


def origin_key(name: str) -> str:
    """Source names (an item's origin) compare case-insensitively with whitespace collapsed; "" is none."""
    return " ".join((name or "").split()).casefold()


SOURCE_FIELDS = ("name", "kind", "access", "provenance", "grade", "grade_reason")


def _source_record(*, source: Source, user: User | None, message: str, data: dict, version: int | None = None) -> None:
    activity_record(
        assessment=source.assessment,
        kind=Activity.Kind.CHANGE,
        message=message,
        actor=user,
        version=version,
        data={"key": source.key, "source": source.key, **data},
    )


def _name_taken(*, assessment: Assessment, name: str, exclude: int | None = None) -> bool:
    wanted = origin_key(name)
    others = Source.objects.filter(assessment=assessment)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return any(origin_key(other) == wanted for other in others.values_list("name", flat=True))


@transaction.atomic
def source_create(*, assessment: Assessment, user: User | None, key: str | None = None, **fields: Any) -> Source:
    """Add a source to the register (ungraded unless a grade is given); its name is unique in the assessment."""
    version = assessment_bump(assessment_id=assessment.pk, change=f"source added by {user or 'import'}")
    fields = {name: value for name, value in fields.items() if name in SOURCE_FIELDS}
    fields["name"] = " ".join(str(fields.get("name") or "").split())
    if not fields["name"]:
        raise ValidationError({"name": ["Name the source."]})
    if _name_taken(assessment=assessment, name=fields["name"]):
        raise ValidationError({"name": [f"The register already has a source named “{fields['name']}”."]})
    if key is None:
        key = key_next(assessment_id=assessment.pk, prefix="S")
    else:
        key_counter_raise(assessment_id=assessment.pk, prefix="S", keys=[key])
    source = Source(assessment=assessment, key=key, **fields)
    source.full_clean(exclude=["assessment"])
    source._history_user = user  # type: ignore[attr-defined]
    source.save()
    grade = f", graded {source.grade}" if source.grade else ""
    _source_record(
        source=source,
        user=user,
        message=f"Source {source.key} added: {source.name}{grade}",
        data={"action": "source_add"},
        version=version,
    )
    return source


@transaction.atomic
def source_update(*, source: Source, user: User | None, expected_version: int | None, **fields: Any) -> Source:
    """Edit a source (name, kind, notes, grade and its reason); VersionConflict when stale, a no-op if unchanged.

    Renaming renames its items' origin, which the services keep equal to their source's name.
    """
    version_check(Source, source.pk, expected_version)
    source.refresh_from_db()
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"] or "").split())
    changes = changes_between(source, fields, SOURCE_FIELDS)
    if not changes:
        return source
    if "name" in changes and _name_taken(assessment=source.assessment, name=fields["name"], exclude=source.pk):
        raise ValidationError({"name": [f"The register already has a source named “{fields['name']}”."]})
    version = assessment_bump(assessment_id=source.assessment_id, change=f"source {source.key} edited")
    for name in changes:
        setattr(source, name, fields[name])
    source.version += 1
    source.full_clean(exclude=["assessment"])
    source._history_user = user  # type: ignore[attr-defined]
    source.save()
    if "name" in changes:
        _origins_follow(source=source, user=user)
    what = (
        f"graded {changes['grade'][0] or 'ungraded'} → {changes['grade'][1] or 'ungraded'}"
        if list(changes) == ["grade"]
        else f"edited ({', '.join(changes)})"
    )
    _source_record(
        source=source,
        user=user,
        message=f"Source {source.key} {what}",
        data={"action": "source_edit", "changes": changes},
        version=version,
    )
    return source


def _origins_follow(*, source: Source, user: User | None) -> None:
    items = list(source.items.all())
    for item in items:
        item.origin = source.name
    if items:
        bulk_update_with_history(items, Evidence, ["origin"], default_user=user)


@transaction.atomic
def source_retract(
    *, source: Source, user: User | None, reason: str, on: datetime.date | None = None, expected_version: int | None
) -> Source:
    """Mark a source discredited: every score leaves its items out (they stay listed) until it is restored."""
    version_check(Source, source.pk, expected_version)
    source.refresh_from_db()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"retraction_reason": ["Say why the source is retracted."]})
    if source.is_retracted:
        raise ValidationError({"retraction_reason": [f"Source {source.key} is retracted already."]})
    on = on or timezone.localdate()
    version = assessment_bump(assessment_id=source.assessment_id, change=f"source {source.key} retracted")
    source.retracted_on, source.retraction_reason = on, reason
    source.version += 1
    source.full_clean(exclude=["assessment"])
    source._history_user = user  # type: ignore[attr-defined]
    source.save()
    keys = list(source.items.values_list("key", flat=True))
    _source_record(
        source=source,
        user=user,
        message=f"Source {source.key} retracted ({reason}): {len(keys)} items left out of every score",
        data={"action": "source_retract", "items": keys, "changes": {"retracted_on": [None, on.isoformat()]}},
        version=version,
    )
    return source


@transaction.atomic
def source_restore(*, source: Source, user: User | None, expected_version: int | None) -> Source:
    """Undo a retraction: the source's items count again."""
    version_check(Source, source.pk, expected_version)
    source.refresh_from_db()
    if not source.is_retracted:
        raise ValidationError({"retraction_reason": [f"Source {source.key} is not retracted."]})
    version = assessment_bump(assessment_id=source.assessment_id, change=f"source {source.key} restored")
    before = [source.retracted_on.isoformat(), source.retraction_reason]  # type: ignore[union-attr]
    source.retracted_on, source.retraction_reason = None, ""
    source.version += 1
    source._history_user = user  # type: ignore[attr-defined]
    source.save()
    _source_record(
        source=source,
        user=user,
        message=f"Source {source.key} restored: its items count again",
        data={"action": "source_restore", "changes": {"retraction": [before, None]}},
        version=version,
    )
    return source


@transaction.atomic
def source_delete(*, source: Source, user: User | None) -> None:
    """Remove a source from the register; its items stay, with no source (independent)."""
    version = assessment_bump(assessment_id=source.assessment_id, change=f"source {source.key} deleted")
    items = list(source.items.all())
    for item in items:
        item.origin, item.source_entry = "", None
    if items:
        bulk_update_with_history(items, Evidence, ["origin", "source_entry"], default_user=user)
    _source_record(
        source=source,
        user=user,
        message=f"Source {source.key} deleted: {source.name}",
        data={"action": "source_delete", "items": [item.key for item in items]},
        version=version,
    )
    source.delete()


@transaction.atomic
def evidence_source_set(
    *, evidence: Evidence, user: User | None, source: Source | None, information: int | None
) -> Evidence:
    """Which source an item comes from and how credible its information is (1–6, None: not graded)."""
    if source is not None and source.assessment_id != evidence.assessment_id:
        raise ValidationError({"source": ["That source belongs to another assessment."]})
    if information is not None and information not in range(1, 7):
        raise ValidationError({"information": ["Information credibility is graded 1 to 6."]})
    evidence.refresh_from_db()
    changes: dict[str, list[Any]] = {}
    if evidence.source_entry_id != (source.pk if source else None):
        changes["source"] = [
            evidence.source_entry.key if evidence.source_entry else None,
            source.key if source else None,
        ]
    if evidence.information != information:
        changes["information"] = [evidence.information, information]
    if not changes:
        return evidence
    version = assessment_bump(assessment_id=evidence.assessment_id, change=f"evidence {evidence.key} source set")
    evidence.source_entry, evidence.information = source, information
    evidence.origin = source.name if source else ""
    evidence.version += 1
    evidence._history_user = user  # type: ignore[attr-defined]
    evidence.save(update_fields=["source_entry", "information", "origin", "version", "updated_at"])
    activity_record(
        assessment=evidence.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Evidence {evidence.key}: source {source.key if source else 'none'}"
        + (f", information {information}" if information else ""),
        actor=user,
        version=version,
        data={"action": "edit", "key": evidence.key, "changes": changes},
    )
    return evidence


def sources_for_origins(*, assessment: Assessment, origins: list[str], user: User | None) -> dict[str, Source]:
    """origin_key → source for every non-blank origin named, creating an ungraded source for a new name.

    The caller holds the assessment's lock (assessment_bump) and records the items' change itself.
    """
    wanted: dict[str, str] = {}
    for origin in origins:
        if origin_key(origin):
            # The first spelling names the source.
            wanted.setdefault(origin_key(origin), " ".join(origin.split()))
    if not wanted:
        return {}
    found = {origin_key(s.name): s for s in Source.objects.filter(assessment=assessment)}
    for key, name in wanted.items():
        if key not in found:
            key_new = key_next(assessment_id=assessment.pk, prefix="S")
            source = Source(assessment=assessment, key=key_new, name=name)
            source.full_clean(exclude=["assessment"])
            source._history_user = user  # type: ignore[attr-defined]
            source.save()
            found[key] = source
    return {key: found[key] for key in wanted}


def evidence_sources_link(
    *, assessment: Assessment, pairs: list[tuple[Evidence, dict[str, Any]]], user: User | None
) -> dict[str, list[str]]:
    """Link each (unsaved or edited) item to its source, from its fields: "source_key" names a source of the
    register, else "origin" names one by name (a new name adds an ungraded source). The item's origin
    becomes its source's name. Errors keyed "row N" (1-based), as evidence_add reports them."""
    keys = {fields["source_key"] for _, fields in pairs if fields.get("source_key")}
    by_key = {s.key: s for s in Source.objects.filter(assessment=assessment, key__in=keys)} if keys else {}
    errors = {
        f"row {n}": [f"source_key: no source {fields['source_key']} in the register"]
        for n, (_, fields) in enumerate(pairs, start=1)
        if fields.get("source_key") and fields["source_key"] not in by_key
    }
    if errors:
        return errors
    named = sources_for_origins(
        assessment=assessment, origins=[e.origin for e, fields in pairs if not fields.get("source_key")], user=user
    )
    for evidence, fields in pairs:
        source = by_key[fields["source_key"]] if fields.get("source_key") else named.get(origin_key(evidence.origin))
        evidence.source_entry = source
        evidence.origin = source.name if source else ""
    return {}


def sources_load(*, assessment: Assessment, items: list[dict[str, Any]], user: User | None) -> list[str]:
    """A file's sources by key (JSON import and load): the missing ones added, the listed ones brought up to
    date (name, kind, notes, grade, retraction); sources the file does not list are kept. One line per change."""
    changes = []
    existing = {s.key: s for s in Source.objects.filter(assessment=assessment)}
    for item in items:
        fields = {name: item.get(name, "") for name in SOURCE_FIELDS}
        fields["kind"] = fields["kind"] or Source.Kind.OTHER
        source = existing.get(item["key"])
        if source is None:
            source = source_create(assessment=assessment, user=user, key=item["key"], **fields)
            changes.append(f"source {source.key} added")
        elif changes_between(source, fields, SOURCE_FIELDS):
            source = source_update(source=source, user=user, expected_version=source.version, **fields)
            changes.append(f"source {source.key} edited")
        retracted_on = datetime.date.fromisoformat(item["retracted_on"]) if item.get("retracted_on") else None
        if retracted_on and not source.is_retracted:
            source = source_retract(
                source=source,
                user=user,
                reason=item.get("retraction_reason") or "retracted in the file",
                on=retracted_on,
                expected_version=source.version,
            )
            changes.append(f"source {source.key} retracted")
        elif not retracted_on and source.is_retracted:
            source_restore(source=source, user=user, expected_version=source.version)
            changes.append(f"source {source.key} restored")
    return changes


def sources_export(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The register as a file carries it (sources_load reads it back)."""
    return [
        {
            "key": s.key,
            **{name: getattr(s, name) for name in SOURCE_FIELDS},
            "retracted_on": s.retracted_on.isoformat() if s.retracted_on else None,
            "retraction_reason": s.retraction_reason,
        }
        for s in Source.objects.filter(assessment=assessment).order_by("id")
    ]
