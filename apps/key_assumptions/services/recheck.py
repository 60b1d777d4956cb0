"""Re-checks: the flags a challenging link raises and the analyst's recorded re-check."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.assessments.models import Activity, Assessment
from apps.assessments.services import activity_record, assessment_bump

from ..models import Assumption, Change, EvidenceLink
from .assumptions import history_record


@transaction.atomic
def assumption_recheck(*, assumption: Assumption, user: User, reason: str) -> Assumption:
    """The analyst re-checked the assumption against its evidence: clears the flag, records why."""
    if not reason.strip():
        raise ValidationError({"reason": "Say what the re-check found."})
    version = assessment_bump(
        assessment_id=assumption.assessment_id, change=f"key assumption {assumption.key} re-checked"
    )
    assumption.refresh_from_db()
    changes: dict[str, list[Any]] = {"needs_recheck": [assumption.needs_recheck, False]}
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

    Runs in the rescoring's transaction (the Technique's apply), under the assessment's row lock, on
    results computed just before from a consistent read that saves may since have moved past: a challenge
    flags only while its link still challenges the assumption, made after its last check, and the
    assumption is not retired. Returns one "flag" alert per assumption flagged (or given further
    challenges) now.
    """
    pending = {
        key: item["new_challenges"] for key, item in results.get("assumptions", {}).items() if item["new_challenges"]
    }
    if not pending:
        return []
    alerts = []
    now = timezone.now()
    current = Assumption.objects.filter(assessment=assessment, key__in=list(pending))
    assumptions = list(current.exclude(status=Assumption.Status.RETIRED))
    challenging = set(
        EvidenceLink.objects.filter(assumption__in=assumptions, relation=EvidenceLink.Relation.CHALLENGES).values_list(
            "assumption_id", "evidence__key", "version"
        )
    )
    for assumption in assumptions:
        fresh = [
            c
            for c in pending[assumption.key]
            if c["evidence"] not in assumption.recheck_evidence
            and c["version"] > assumption.checked_version
            and (assumption.pk, c["evidence"], c["version"]) in challenging
        ]
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
