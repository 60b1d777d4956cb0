"""Hypotheses and evidence are shared by every technique, so their writes live here."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.core.versions import changes_between, version_check

from ..access import assessment_write_check
from ..keys import key_counter_raise, key_next
from ..models import Activity, Assessment, Evidence, Hypothesis, priors_validate
from ..techniques import evidence_columns
from .activity import activity_record
from .rescoring import assessment_bump
from .sources import evidence_sources_link

# The fields every door exchanges (the forms, the file's import and export, the API): one list per model.
HYPOTHESIS_FIELDS = ("statement", "prior")
EVIDENCE_FIELDS = (
    "summary",
    "source",
    "citation",
    "date",
    "type",
    "credibility",
    "relevance",
    "origin",
    "information",
)
# Left out of a file, a field takes its default (the others are required by the file's schema).
EVIDENCE_DEFAULTS = {"source": "", "citation": "", "date": None, "type": "report", "origin": "", "information": None}


def evidence_fields_from(item: dict[str, Any]) -> dict[str, Any]:
    """An evidence item's exchanged fields from a validated file item (its date as the file wrote it)."""
    return {name: item[name] if name in item else EVIDENCE_DEFAULTS[name] for name in EVIDENCE_FIELDS}


@transaction.atomic
def hypothesis_create(
    *, assessment: Assessment, user: User | None, statement: str, key: str | None = None
) -> Hypothesis:
    assessment_bump(assessment_id=assessment.pk, change=f"hypothesis added by {user or 'import'}")
    if key is None:
        key = key_next(assessment_id=assessment.pk, prefix="H")
    else:
        key_counter_raise(assessment_id=assessment.pk, prefix="H", keys=[key])
    order = assessment.hypotheses.count()
    # A new hypothesis breaks explicit priors that summed to 1: fall back to uniform.
    reset = _priors_reset(assessment=assessment, user=user)
    hypothesis = Hypothesis.objects.create(assessment=assessment, key=key, statement=statement, order=order)
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Hypothesis {key} added" + (" (priors reset to uniform)" if reset else ""),
        actor=user,
    )
    return hypothesis


@transaction.atomic
def hypotheses_import(
    *, assessment: Assessment, items: list[dict[str, Any]], user: User | None = None
) -> dict[str, Hypothesis]:
    """A validated file's hypotheses, keys and priors as given, in one insert (history recorded); key -> hypothesis."""
    created = bulk_create_with_history(
        [
            Hypothesis(
                assessment=assessment,
                key=item["key"],
                order=order,
                **{name: item.get(name) for name in HYPOTHESIS_FIELDS},
            )
            for order, item in enumerate(items)
        ],
        Hypothesis,
        default_user=user,
    )
    key_counter_raise(assessment_id=assessment.pk, prefix="H", keys=[h.key for h in created])
    return {h.key: h for h in created}


def _edit_record(*, row: Hypothesis | Evidence, user: User | None, label: str, changes: dict, version: int) -> None:
    """The feed line for an edit, with every changed field's before and after in its data."""
    activity_record(
        assessment=row.assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{label} {row.key} edited ({', '.join(changes)})",
        actor=user,
        version=version,
        data={"action": "edit", "key": row.key, "changes": changes},
    )


@transaction.atomic
def hypothesis_update(
    *, hypothesis: Hypothesis, user: User | None, statement: str, expected_version: int | None
) -> Hypothesis:
    """Edit a hypothesis; refused (VersionConflict) if expected_version is not the stored one, a no-op if unchanged."""
    version_check(Hypothesis, hypothesis.pk, expected_version)
    hypothesis.refresh_from_db()
    current = hypothesis
    changes = changes_between(current, {"statement": statement}, HYPOTHESIS_FIELDS)
    if not changes:
        return current
    version = assessment_bump(assessment_id=current.assessment_id, change=f"hypothesis {current.key} edited")
    current.statement = statement
    current.version += 1
    current.full_clean(exclude=["assessment"])
    current._history_user = user  # type: ignore[attr-defined]
    current.save(update_fields=["statement", "version", "updated_at"])
    _edit_record(row=current, user=user, label="Hypothesis", changes=changes, version=version)
    return current


@transaction.atomic
def hypothesis_delete(*, hypothesis: Hypothesis, user: User | None) -> None:
    assessment = hypothesis.assessment
    assessment_bump(assessment_id=assessment.pk, change=f"hypothesis {hypothesis.key} deleted")
    _priors_reset(assessment=assessment, user=user)
    activity_record(
        assessment=assessment, kind=Activity.Kind.CHANGE, message=f"Hypothesis {hypothesis.key} deleted", actor=user
    )
    hypothesis.delete()


@transaction.atomic
def priors_set(*, assessment: Assessment, user: User | None, priors: dict[int, float | None]) -> None:
    """Set every hypothesis's prior at once (all None = uniform); they must sum to 1."""
    hypotheses = list(assessment.hypotheses.select_for_update())
    values = [priors.get(h.pk) for h in hypotheses]
    priors_validate(values)
    changes = {h.key: [h.prior, value] for h, value in zip(hypotheses, values, strict=True) if h.prior != value}
    if not changes:
        return
    version = assessment_bump(assessment_id=assessment.pk, change="priors changed")
    for hypothesis, value in zip(hypotheses, values, strict=True):
        hypothesis.prior = value
    bulk_update_with_history(hypotheses, Hypothesis, ["prior"], default_user=user)
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message="Priors changed: "
        + ", ".join(f"{key} {_prior(before)} → {_prior(after)}" for key, (before, after) in changes.items()),
        actor=user,
        version=version,
        data={"action": "priors", "changes": changes},
    )


def _prior(value: float | None) -> str:
    return "uniform" if value is None else f"{value:g}"


def _priors_reset(*, assessment: Assessment, user: User | None) -> int:
    # Row by row through the history library so the reset appears in the assessment's history.
    explicit = list(assessment.hypotheses.filter(prior__isnull=False))
    for hypothesis in explicit:
        hypothesis.prior = None
    if explicit:
        bulk_update_with_history(explicit, Hypothesis, ["prior"], default_user=user)
    return len(explicit)


def _reorder(
    model: type[Hypothesis] | type[Evidence], *, assessment: Assessment, ordered_ids: list[int], user: User | None
) -> None:
    # The order is no score input, so no version bump: the freeze is checked on the locked row instead.
    assessment_write_check(Assessment.objects.select_for_update().get(pk=assessment.pk))
    items = {item.pk: item for item in model.objects.filter(assessment=assessment)}
    if set(ordered_ids) != set(items):
        raise ValidationError("The new order must list every item exactly once.")
    for position, pk in enumerate(ordered_ids):
        items[pk].order = position
    bulk_update_with_history(list(items.values()), model, ["order"], default_user=user)


@transaction.atomic
def hypothesis_reorder(*, assessment: Assessment, user: User | None, ordered_ids: list[int]) -> None:
    _reorder(Hypothesis, assessment=assessment, ordered_ids=ordered_ids, user=user)


def evidence_create(*, assessment: Assessment, user: User | None, via: str = "form", **fields: Any) -> Evidence:
    return evidence_add(assessment=assessment, user=user, items=[fields], via=via)[0]


@transaction.atomic
def evidence_add(*, assessment: Assessment, user: User | None, items: list[dict], via: str) -> list[Evidence]:
    """The one path by which evidence arrives (form, CSV/XLSX import, JSON import, API).

    All items land in one transaction and one content version; any invalid item rejects them all
    with a ValidationError whose message_dict is keyed "row N" (1-based).
    """
    version = assessment_bump(assessment_id=assessment.pk, change=f"evidence added ({via})")
    base_order = Evidence.objects.filter(assessment=assessment).count()
    created, errors = [], {}
    for position, fields in enumerate(items):
        key = fields.get("key") or key_next(assessment_id=assessment.pk, prefix="E")
        evidence = Evidence(
            assessment=assessment,
            key=key,
            added_by=user,
            added_in_version=version,
            order=base_order + position,
            **{name: value for name, value in fields.items() if name in EVIDENCE_FIELDS},
        )
        try:
            evidence.full_clean(exclude=["assessment", "added_by"], validate_unique=False)
        except ValidationError as exc:
            errors[f"row {position + 1}"] = [
                f"{field}: {'; '.join(messages)}" for field, messages in exc.message_dict.items()
            ]
            continue
        created.append(evidence)
    if errors:
        raise ValidationError(errors)
    errors = evidence_sources_link(assessment=assessment, pairs=list(zip(created, items, strict=True)), user=user)
    if errors:
        raise ValidationError(errors)
    keys = [e.key for e in created]
    duplicates = set(keys) & set(
        Evidence.objects.filter(assessment=assessment, key__in=keys).values_list("key", flat=True)
    )
    if duplicates or len(set(keys)) != len(keys):
        raise ValidationError({"key": [f"Duplicate evidence keys: {', '.join(sorted(duplicates) or keys)}"]})
    created = bulk_create_with_history(created, Evidence, default_user=user)
    columns = evidence_columns()
    for evidence, fields in zip(created, items, strict=True):
        for name, raw in (fields.get("links") or {}).items():
            columns[name].apply(assessment, evidence, raw, user)
    explicit = [fields["key"] for fields in items if fields.get("key")]
    key_counter_raise(assessment_id=assessment.pk, prefix="E", keys=explicit)
    if len(created) == 1:
        message = f"Evidence {created[0].key} added ({via}): {created[0].summary[:80]}"
    else:
        message = f"{len(created)} evidence items added ({via}): {', '.join(keys[:10])}{'…' if len(keys) > 10 else ''}"
    activity_record(assessment=assessment, kind=Activity.Kind.CHANGE, message=message, actor=user, version=version)
    return created


@transaction.atomic
def evidence_update(*, evidence: Evidence, user: User | None, expected_version: int | None, **fields: Any) -> Evidence:
    """Edit an evidence item; refused (VersionConflict) if expected_version is stale, a no-op if unchanged."""
    version_check(Evidence, evidence.pk, expected_version)
    evidence.refresh_from_db()
    current = evidence
    changes = changes_between(current, fields, EVIDENCE_FIELDS)
    if not changes:
        return current
    version = assessment_bump(assessment_id=current.assessment_id, change=f"evidence {current.key} edited")
    for name in changes:
        setattr(current, name, fields[name])
    if "origin" in changes:
        evidence_sources_link(assessment=current.assessment, pairs=[(current, fields)], user=user)
    current.version += 1
    current.full_clean(exclude=["assessment", "added_by"])
    current._history_user = user  # type: ignore[attr-defined]
    current.save()
    _edit_record(row=current, user=user, label="Evidence", changes=changes, version=version)
    return current


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user: User | None) -> None:
    scored_row_delete(row=evidence, user=user, kind="evidence", key=evidence.key, detail=evidence.summary)


def scored_row_delete(*, row: Any, user: User | None, kind: str, key: str, detail: str) -> None:
    """Delete a row the scores depend on (evidence, an indicator …): new version, a line in the feed."""
    assessment = row.assessment
    assessment_bump(assessment_id=assessment.pk, change=f"{kind} {key} deleted")
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{kind.capitalize()} {key} deleted: {detail[:80]}",
        actor=user,
    )
    row.delete()


@transaction.atomic
def evidence_reorder(*, assessment: Assessment, user: User | None, ordered_ids: list[int]) -> None:
    _reorder(Evidence, assessment=assessment, ordered_ids=ordered_ids, user=user)
