"""The `sat-workbench/assessment@1` JSON format: validation (every problem with a file, before anything is
written) and translation (file to rows through the services, atomically, and rows to file); callers use
`exchange.<name>`."""

from .translation import (
    MARKING_PREFIX,
    LoadResult,
    assessment_duplicates,
    assessment_export,
    assessment_import,
    assessment_load,
    marking_row,
)
from .validation import FORMAT, AssessmentFileError, assessment_file_validate, schema

__all__ = [
    "FORMAT",
    "MARKING_PREFIX",
    "AssessmentFileError",
    "LoadResult",
    "assessment_duplicates",
    "assessment_export",
    "assessment_file_validate",
    "assessment_import",
    "assessment_load",
    "marking_row",
    "schema",
]
