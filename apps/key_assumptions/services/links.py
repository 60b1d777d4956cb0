"""Evidence linked to assumptions (supporting or challenging), from the page and from imports."""

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.assessments.models import Activity, Assessment, Evidence
from apps.assessments.services import activity_record, assessment_bump, evidence_add

from ..models import Assumption, Change, EvidenceLink
from .assumptions import history_record


def _same_assessment(assumption: Assumption, evidence: Evidence) -> None:
    if evidence.assessment_id != assumption.assessment_id:
        raise ValidationError({"evidence": "That evidence item belongs to another assessment."})


@transaction.atomic
def evidence_link_set(
    *, assumption: Assumption, evidence: Evidence, relation: str, user: User, note: str = ""
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
def evidence_link_delete(*, link: EvidenceLink, user: User, reason: str = "") -> None:
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
    *,
    assumption: Assumption,
    user: User,
    note: str,
    relation: str = "challenges",
    via: str = "form",
    **evidence_fields: Any,
) -> tuple[Evidence, EvidenceLink]:
    """A new evidence item (through the one path evidence arrives by) and its link, in one transaction."""
    evidence = evidence_add(assessment=assumption.assessment, user=user, items=[evidence_fields], via=via)[0]
    link = evidence_link_set(assumption=assumption, evidence=evidence, relation=relation, user=user, note=note)
    return evidence, link


def _assumption_keys(raw: str) -> list[str]:
    return [key for key in re.split(r"[;,\s]+", raw.strip()) if key]


def import_links_validate(assessment: Assessment, raw: str) -> list[str]:
    """Errors for an evidence-import cell naming assumptions (e.g. "A3; A5")."""
    keys = _assumption_keys(raw)
    known = set(Assumption.objects.filter(assessment=assessment, key__in=keys).values_list("key", flat=True))
    return [f"no key assumption {key} in this assessment" for key in keys if key not in known]


def import_links_apply(*, relation: str) -> Callable[[Assessment, Evidence, str, User], None]:
    """The link-writer for one import column: every named assumption gets the new item as `relation`."""

    def apply(assessment: Assessment, evidence: Evidence, raw: str, user: User) -> None:
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
