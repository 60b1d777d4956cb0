"""Duplicates: a member marks an evidence item (or a hypothesis) as a duplicate of another; a team admin merges
the pair into the one it duplicates. What points at the duplicate moves with it (every app registers a mover
in apps.assessments.techniques: ACH's ratings, the assumptions' and indicators' links, comment threads)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.models import EDITING_ROLES, Membership, Role
from apps.core.versions import version_check

from ..access import assessment_write_check
from ..models import Activity, Assessment, DuplicateMark, Evidence, Hypothesis
from ..techniques import MERGE_MOVERS, Merge
from .activity import activity_record
from .evidence import EVIDENCE_FIELDS, HYPOTHESIS_FIELDS
from .rescoring import assessment_bump

Item = Evidence | Hypothesis

MERGE_REFUSED = "Only a team admin merges duplicates."
MARK_REFUSED = "Your role in this team cannot mark duplicates."


def _kind(item: Item) -> str:
    return DuplicateMark.Kind.EVIDENCE if isinstance(item, Evidence) else DuplicateMark.Kind.HYPOTHESIS


def _role(user: User | None, assessment: Assessment) -> str | None:
    if user is None:
        return None
    return Membership.objects.filter(team_id=assessment.team_id, user=user).values_list("role", flat=True).first()


def _locked(assessment_id: int) -> Assessment:
    # Marks are no score input, so no version bump: the freeze is checked on the locked row instead.
    assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
    assessment_write_check(assessment)
    return assessment


def _pair_check(item: Item, of: Item) -> None:
    if type(item) is not type(of) or item.assessment_id != of.assessment_id:
        raise ValidationError("Both items must be of the same kind and in the same assessment.")
    if item.pk == of.pk:
        raise ValidationError(f"{item.key} cannot be a duplicate of itself.")


@transaction.atomic
def duplicate_mark(*, item: Item, of: Item, user: User | None, note: str = "") -> DuplicateMark:
    """Mark `item` a duplicate of `of` (analysts and team admins); marking it again replaces its mark."""
    _pair_check(item, of)
    assessment = _locked(item.assessment_id)
    if user is not None and not user.is_superuser and _role(user, assessment) not in EDITING_ROLES:
        raise PermissionDenied(MARK_REFUSED)
    kind = _kind(item)
    if DuplicateMark.objects.filter(**{kind: of, f"{kind}_of": item}).exists():
        raise ValidationError(f"{of.key} is already marked a duplicate of {item.key}.")
    mark = DuplicateMark(assessment=assessment, kind=kind, note=note, marked_by=user, **{kind: item, f"{kind}_of": of})
    mark.full_clean(exclude=["assessment", "marked_by", "evidence", "evidence_of", "hypothesis", "hypothesis_of"])
    DuplicateMark.objects.filter(**{kind: item}).delete()
    mark.save()
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{item.key} marked a duplicate of {of.key}" + (f": {note}" if note else ""),
        actor=user,
        data={"action": "duplicate_mark", "key": item.key, "of": of.key, "note": note},
    )
    return mark


@transaction.atomic
def duplicate_unmark(*, item: Item, user: User | None) -> bool:
    """Clear the item's duplicate mark (whoever may edit); False when it had none."""
    assessment = _locked(item.assessment_id)
    if user is not None and not user.is_superuser and _role(user, assessment) not in EDITING_ROLES:
        raise PermissionDenied(MARK_REFUSED)
    kind = _kind(item)
    mark = DuplicateMark.objects.filter(**{kind: item}).select_related(f"{kind}_of").first()
    if mark is None:
        return False
    mark.delete()
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{item.key} no longer marked a duplicate of {mark.of.key}",
        actor=user,
        data={"action": "duplicate_unmark", "key": item.key, "of": mark.of.key},
    )
    return True


def _fields(item: Item) -> dict[str, Any]:
    """The item's exchanged fields, JSON-ready: what the feed keeps of it before and after."""
    names = EVIDENCE_FIELDS if isinstance(item, Evidence) else HYPOTHESIS_FIELDS
    values = {name: getattr(item, name) for name in names}
    return {
        name: value if value is None or isinstance(value, str | int | float) else str(value)
        for name, value in values.items()
    }


@transaction.atomic
def items_merge(
    *,
    kept: Item,
    duplicate: Item,
    user: User | None,
    kept_version: int | None,
    duplicate_version: int | None,
) -> Item:
    """Merge `duplicate` into `kept` (team admins and site admins only): one item remains.

    Every registered mover brings its rows over (ACH: each analyst's ratings reconcile, the kept item's
    rating standing, hers to settle where the two differed); then the duplicate is deleted, the feed records
    the merge with both items as they were and the one that remains, and a rescoring is enqueued on commit.
    Both versions are checked (VersionConflict): an admin merges what she saw.
    """
    _pair_check(duplicate, kept)
    model = type(kept)
    role = _role(user, kept.assessment)
    if user is not None and not user.is_superuser and role != Role.TEAM_ADMIN:
        raise PermissionDenied(MERGE_REFUSED)
    kind = _kind(kept)
    version = assessment_bump(assessment_id=kept.assessment_id, change=f"{duplicate.key} merged into {kept.key}")
    kept = version_check(model, kept.pk, kept_version)
    duplicate = version_check(model, duplicate.pk, duplicate_version)
    assessment = kept.assessment
    before = {kept.key: _fields(kept), duplicate.key: _fields(duplicate)}
    merge = Merge(assessment=assessment, kind=kind, kept=kept, duplicate=duplicate, user=user)
    moved: dict[str, int] = {}
    for mover in MERGE_MOVERS.values():
        for what, count in mover(merge).items():
            if count:
                moved[what] = moved.get(what, 0) + count
    if (
        isinstance(kept, Hypothesis)
        and isinstance(duplicate, Hypothesis)
        and duplicate.prior is not None
        and kept.prior is not None
    ):
        # Explicit priors sum to 1: the two statements of one possibility keep their joint share.
        kept.prior = min(kept.prior + duplicate.prior, 1.0)
    # Marks naming the duplicate now name what remains of it; a mark of the pair itself is done.
    marks = DuplicateMark.objects.filter(**{f"{kind}_of": duplicate})
    marks.filter(**{kind: kept}).delete()
    marks.update(**{f"{kind}_of": kept})
    duplicate.delete()
    kept.version += 1
    kept._history_user = user  # type: ignore[union-attr]
    kept.save()
    after = _fields(kept)
    label = "Evidence" if kind == DuplicateMark.Kind.EVIDENCE else "Hypothesis"
    parts = [f"{count} {what}" for what, count in moved.items()]
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"{label} {duplicate.key} merged into {kept.key}"
        + (f" ({', '.join(parts)} moved)" if parts else "")
        + "; each analyst's ratings of the pair reconciled",
        actor=user,
        version=version,
        data={
            "action": "merge",
            "kind": kind,
            "key": kept.key,
            "duplicate": duplicate.key,
            "before": before,
            "after": {kept.key: after},
            "moved": moved,
        },
    )
    return kept


def evidence_merge(
    *, kept: Evidence, duplicate: Evidence, user: User | None, kept_version: int | None, duplicate_version: int | None
) -> Evidence:
    return items_merge(  # type: ignore[return-value]
        kept=kept, duplicate=duplicate, user=user, kept_version=kept_version, duplicate_version=duplicate_version
    )


def hypothesis_merge(
    *,
    kept: Hypothesis,
    duplicate: Hypothesis,
    user: User | None,
    kept_version: int | None,
    duplicate_version: int | None,
) -> Hypothesis:
    return items_merge(  # type: ignore[return-value]
        kept=kept, duplicate=duplicate, user=user, kept_version=kept_version, duplicate_version=duplicate_version
    )
