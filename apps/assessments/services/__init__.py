"""Every write to an assessment, one module per family; callers use `services.<name>`.

Except `files.py` (the fork and the upload page's load), which goes through exchange.py and so sits above it:
callers name it, `services.files.<name>`.
"""

from apps.core.versions import VersionConflict

from .activity import (
    activity_record,
    alerts_record,
    follow_set,
    notification_read,
)
from .assessments import (
    ASSESSMENT_FIELDS,
    assessment_archive,
    assessment_as_of_set,
    assessment_create,
    assessment_marking_set,
    assessment_restore,
    assessment_update,
    fields_validate,
)
from .evidence import (
    EVIDENCE_FIELDS,
    HYPOTHESIS_FIELDS,
    evidence_add,
    evidence_create,
    evidence_delete,
    evidence_fields_from,
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
from .mailing import notification_path, notification_subject
from .merge import duplicate_mark, duplicate_unmark, evidence_merge, hypothesis_merge, items_merge
from .rescoring import assessment_bump, rescore_request, rescore_unclaim, snapshot_compute, snapshot_sweep
from .review import REVIEW_TRANSITIONS, assessment_review, review_comment
from .sources import (
    SOURCE_FIELDS,
    evidence_source_set,
    source_create,
    source_delete,
    source_restore,
    source_retract,
    source_update,
    sources_export,
    sources_load,
)

__all__ = [
    "duplicate_mark",
    "duplicate_unmark",
    "evidence_merge",
    "hypothesis_merge",
    "items_merge",
    "ASSESSMENT_FIELDS",
    "EVIDENCE_FIELDS",
    "HYPOTHESIS_FIELDS",
    "evidence_fields_from",
    "REVIEW_TRANSITIONS",
    "SOURCE_FIELDS",
    "VersionConflict",
    "activity_record",
    "alerts_record",
    "assessment_archive",
    "assessment_bump",
    "assessment_create",
    "assessment_as_of_set",
    "assessment_marking_set",
    "assessment_restore",
    "assessment_update",
    "assessment_review",
    "evidence_add",
    "evidence_create",
    "evidence_delete",
    "evidence_reorder",
    "evidence_source_set",
    "evidence_update",
    "fields_validate",
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
    "source_create",
    "source_delete",
    "source_restore",
    "source_retract",
    "source_update",
    "sources_export",
    "sources_load",
]
