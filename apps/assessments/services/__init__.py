"""Every write to an assessment, one module per family; callers use `services.<name>`."""

from apps.core.versions import VersionConflict

from .activity import (
    activity_record,
    alerts_record,
    follow_set,
    notification_path,
    notification_read,
    notification_subject,
)
from .assessments import (
    assessment_archive,
    assessment_create,
    assessment_fork,
    assessment_marking_set,
    assessment_restore,
)
from .evidence import (
    EVIDENCE_FIELDS,
    HYPOTHESIS_FIELDS,
    evidence_add,
    evidence_create,
    evidence_delete,
    evidence_reorder,
    evidence_update,
    hypotheses_import,
    hypothesis_create,
    hypothesis_delete,
    hypothesis_reorder,
    hypothesis_update,
    priors_set,
    scored_row_delete,
)
from .imports import pending_import_confirm, pending_import_create
from .rescoring import assessment_bump, rescore_request, rescore_unclaim, snapshot_compute, snapshot_sweep
from .review import REVIEW_TRANSITIONS, assessment_review, review_comment

__all__ = [
    "EVIDENCE_FIELDS",
    "HYPOTHESIS_FIELDS",
    "REVIEW_TRANSITIONS",
    "VersionConflict",
    "activity_record",
    "alerts_record",
    "assessment_archive",
    "assessment_bump",
    "assessment_create",
    "assessment_fork",
    "assessment_marking_set",
    "assessment_restore",
    "assessment_review",
    "evidence_add",
    "evidence_create",
    "evidence_delete",
    "evidence_reorder",
    "evidence_update",
    "follow_set",
    "hypotheses_import",
    "hypothesis_create",
    "hypothesis_delete",
    "hypothesis_reorder",
    "hypothesis_update",
    "notification_path",
    "notification_read",
    "notification_subject",
    "hypotheses_import",
    "pending_import_confirm",
    "pending_import_create",
    "priors_set",
    "rescore_request",
    "rescore_unclaim",
    "review_comment",
    "scored_row_delete",
    "snapshot_compute",
    "snapshot_sweep",
]
