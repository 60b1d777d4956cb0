"""The small shared helpers of apps/core: stable keys and moving an item one step."""

import pytest

from apps.assessments.keys import key_number
from apps.core.ordering import order_moved


@pytest.mark.parametrize(
    "key, prefix, number", [("E12", "E", 12), ("IND4", "IND", 4), ("A2", "A", 2), ("AB1", "A", None), ("H", "H", None)]
)
def test_key_number_reads_the_digits_after_the_prefix(key, prefix, number):
    assert key_number(key, prefix) == number


def test_moving_up_swaps_with_the_previous_item_and_down_with_the_next():
    assert order_moved([1, 2, 3], 2, "up") == [2, 1, 3]
    assert order_moved([1, 2, 3], 2, "down") == [1, 3, 2]


def test_moving_past_either_end_keeps_the_order():
    assert order_moved([1, 2, 3], 1, "up") == [1, 2, 3]
    assert order_moved([1, 2, 3], 3, "down") == [1, 2, 3]


def test_moving_an_unknown_item_is_an_error():
    with pytest.raises(ValueError):
        order_moved([1, 2], 9, "up")
