"""The anchoring rule for cell threads: an analyst sees a cell's thread only once they have rated its row.

The ratings belong to a technique (ACH), which sits above this app; it registers how to find the rows a
user has rated in full. With nothing registered every row counts as rated.
"""

from collections.abc import Callable

RowsRated = Callable[..., set[int]]
_rows_rated: list[RowsRated] = []


def rows_rated_register(function: RowsRated) -> None:
    if function not in _rows_rated:
        _rows_rated.append(function)


def rows_rated_in_full(*, assessment_id: int, user_id: int) -> set[int] | None:
    """Evidence ids whose every cell the user has rated; None when no technique keeps ratings."""
    if not _rows_rated:
        return None
    rated: set[int] = set()
    for function in _rows_rated:
        rated |= function(assessment_id=assessment_id, user_id=user_id)
    return rated
