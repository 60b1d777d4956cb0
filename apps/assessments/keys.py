"""Stable keys (H3, E12, S2, A4, IND7): a prefix and a number that is never handed out twice.

Every technique numbers its items here: one counter per assessment and prefix (``KeyCounter``), raised by
one statement that inserts the counter or adds one to it and returns the number (the row lock it takes
serialises concurrent creates, whoever else holds the assessment's lock), and raised past the highest
number whenever items arrive with keys of their own (imports). A counter never goes down, so a deleted
item's key is never reused: a comment, an export or a note that names E12 keeps meaning that item.
"""

from collections.abc import Iterable

from django.db import connection

from .models import KeyCounter


def key_number(key: str, prefix: str) -> int | None:
    """12 for ("E12", "E"); None for a key that is not the prefix followed by digits."""
    digits = key[len(prefix) :]
    return int(digits) if key.startswith(prefix) and digits.isdigit() else None


def _upsert(*, assessment_id: int, prefix: str, number: int, on_conflict: str) -> int:
    table = connection.ops.quote_name(KeyCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (assessment_id, prefix, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (assessment_id, prefix) DO UPDATE SET last = {on_conflict} RETURNING last",
            [assessment_id, prefix, number],
        )
        row = cursor.fetchone()
    assert row is not None  # RETURNING always returns the row it wrote
    return int(row[0])


def key_next(*, assessment_id: int, prefix: str) -> str:
    """The next key of this kind in the assessment (E1 for the first), counted once and for all."""
    table = connection.ops.quote_name(KeyCounter._meta.db_table)
    return f"{prefix}{_upsert(assessment_id=assessment_id, prefix=prefix, number=1, on_conflict=f'{table}.last + 1')}"


def key_counter_raise(*, assessment_id: int, prefix: str, keys: Iterable[str]) -> None:
    """After items arrive with keys of their own (imports), move the counter past the highest of them."""
    highest = max((n for key in keys if (n := key_number(key, prefix)) is not None), default=0)
    if highest:
        table = connection.ops.quote_name(KeyCounter._meta.db_table)
        _upsert(
            assessment_id=assessment_id,
            prefix=prefix,
            number=highest,
            on_conflict=f"CASE WHEN excluded.last > {table}.last THEN excluded.last ELSE {table}.last END",
        )
