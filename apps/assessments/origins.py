"""An evidence item's origin (what it shares with other items: the same report, the same informant)."""


def origin_key(origin: str) -> str:
    """Origins are compared case-insensitively with whitespace collapsed; "" means independent."""
    return " ".join((origin or "").split()).casefold()
