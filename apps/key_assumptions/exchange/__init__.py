"""The Key Assumptions Check's part of the `sat-workbench/assessment@1` format.

In: the "assumptions" array (each with its evidence links, every analyst's own judgment and,
optionally, its flag, last check, history and collection requirements) and "assumption_checks"
(completed review rounds). Out: the same, plus each assumption's computed "results". An export
imported again exports the same sections. validation checks the sections; translation imports, updates,
exports and redacts them through the services.
"""

from .translation import UPDATE_REASON, export_section, import_section, redact_section, update_section
from .validation import validate_section

__all__ = ["UPDATE_REASON", "export_section", "import_section", "redact_section", "update_section", "validate_section"]
