"""Every write of the Key Assumptions Check, one module per family; callers use `services.<name>`."""

from .assumptions import (
    EDITABLE_FIELDS,
    assumption_create,
    assumption_reorder,
    assumption_update,
    history_record,
    judgment_set,
)
from .imports import assumptions_import
from .links import (
    evidence_add_challenging,
    evidence_link_delete,
    evidence_link_set,
    import_links_apply,
    import_links_validate,
)
from .merge import links_merge
from .recheck import assumption_recheck, recheck_flags_apply
from .review import check_complete, requirement_create, requirement_status_set

__all__ = [
    "assumptions_import",
    "EDITABLE_FIELDS",
    "assumption_create",
    "assumption_recheck",
    "assumption_reorder",
    "assumption_update",
    "check_complete",
    "evidence_add_challenging",
    "evidence_link_delete",
    "evidence_link_set",
    "history_record",
    "import_links_apply",
    "import_links_validate",
    "judgment_set",
    "links_merge",
    "recheck_flags_apply",
    "requirement_create",
    "requirement_status_set",
    "",
]
