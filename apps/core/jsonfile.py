"""Reading an uploaded JSON file strictly, so that no file can raise anything but a clear ValueError.

Refused: text that is not UTF-8; NaN and ±Infinity (not JSON, but Python's parser accepts them); the same
key twice in one object (Python keeps the last silently); nesting deeper than MAX_DEPTH (the parser and
schema validation recurse); NUL characters anywhere (PostgreSQL cannot store them in text).
"""

import json
from typing import Any

MAX_DEPTH = 32


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"the key {repeated[0][:80]!r} appears twice in one object")
    return dict(pairs)


def _constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _check(data: Any) -> None:
    """Depth and NUL characters, without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("a text contains a NUL character")
        elif isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def json_load_strict(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("the file is not UTF-8 text") from exc
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except RecursionError as exc:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    _check(data)
    return data


def json_place(path) -> str:
    """A JSON Schema error's place as users read it: `teams[0].members[2].role`."""
    place = ""
    for part in path:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    return place or "(top level)"
