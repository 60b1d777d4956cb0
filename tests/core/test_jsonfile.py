import pytest

from apps.core.jsonfile import json_load_strict


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 1000 + b"]" * 1000, "nested more than"),
        (b"[" * 100000 + b"]" * 100000, "nested more than"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"likelihoods": {"CC": NaN}}', "NaN is not a JSON number"),
        (b'{"x": -Infinity}', "Infinity is not a JSON number"),
        (b'{"title": "a\\u0000b"}', "NUL character"),
        (b'{"ti\\u0000tle": "x"}', "NUL character"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "line 1"),
    ],
)
def test_hostile_json_is_refused_with_a_clear_message(raw, message):
    with pytest.raises(ValueError, match=message):
        json_load_strict(raw)


def test_ordinary_json_loads():
    assert json_load_strict(b'{"a": [1, {"b": "c"}]}') == {"a": [1, {"b": "c"}]}
