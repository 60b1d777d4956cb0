"""ACH reads, one module per job: the matrix, one analyst's own cells (ratings), the stated probabilities
(calibration) and the matrix at earlier versions; callers use `selectors.<name>`."""

from .calibration import stated_summary, statements_latest
from .matrix import (
    AnalystRow,
    EvidenceLine,
    EvidenceRow,
    Matrix,
    matrix_frame_get,
    matrix_get,
    matrix_ratings_load,
    matrix_row_get,
    priors_of,
    ratings_rows,
)
from .ratings import notes_for_analyst, rating_conflicts_for, rows_judged, rows_judged_by
from .versions import ItemsDiff, MatrixAsOf, VersionDiff, matrix_as_of, version_diff

__all__ = [
    "AnalystRow",
    "EvidenceLine",
    "EvidenceRow",
    "ItemsDiff",
    "Matrix",
    "MatrixAsOf",
    "VersionDiff",
    "matrix_as_of",
    "matrix_frame_get",
    "matrix_get",
    "matrix_ratings_load",
    "matrix_row_get",
    "notes_for_analyst",
    "priors_of",
    "rating_conflicts_for",
    "ratings_rows",
    "rows_judged",
    "rows_judged_by",
    "stated_summary",
    "statements_latest",
    "version_diff",
]
