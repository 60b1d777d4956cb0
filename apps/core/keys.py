"""Stable keys (H3, E12, IND4, A2): a prefix and a number that is never handed out twice."""

from django.db.models import F, QuerySet


def key_number(key: str, prefix: str) -> int | None:
    """12 for ("E12", "E"); None for a key that is not the prefix followed by digits."""
    digits = key[len(prefix) :]
    return int(digits) if key.startswith(prefix) and digits.isdigit() else None


def key_next(row: QuerySet, *, counter: str, prefix: str) -> str:
    """Bump the counter column on the one row `row` selects and return the key it numbers.

    The caller holds that row's lock (assessment_bump takes it), which serialises concurrent creates.
    """
    row.update(**{counter: F(counter) + 1})
    return f"{prefix}{row.values_list(counter, flat=True).get()}"


def key_counter_raise(row: QuerySet, *, counter: str, keys: list[str], prefix: str) -> None:
    """After rows arrive with explicit keys (imports), move the counter past the highest of them."""
    highest = max((n for key in keys if (n := key_number(key, prefix)) is not None), default=0)
    row.filter(**{f"{counter}__lt": highest}).update(**{counter: highest})
