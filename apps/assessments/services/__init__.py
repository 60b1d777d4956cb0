"""Every write to an assessment, one module per family; callers use `services.<name>`."""

from .activity import activity_record
from .assessments import assessment_archive, assessment_create, assessment_restore
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
    "activity_record",
    "assessment_archive",
    "assessment_bump",
    "assessment_create",
    "assessment_restore",
    "assessment_review",
    "evidence_add",
    "evidence_create",
    "evidence_delete",
    "evidence_reorder",
    "evidence_update",
    "hypothesis_create",
    "hypothesis_delete",
    "hypothesis_reorder",
    "hypothesis_update",
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
