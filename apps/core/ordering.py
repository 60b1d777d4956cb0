"""Moving one item of an ordered list one step, shared by every list an analyst reorders by hand."""


def order_moved(ids: list[int], item_id: int, direction: str | None) -> list[int]:
    """`ids` with `item_id` swapped with its neighbour ("up" = earlier, anything else = later).

    Raises ValueError when the item is not in the list; at either end the order is unchanged.
    """
    moved = list(ids)
    index = moved.index(item_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(moved):
        moved[index], moved[target] = moved[target], moved[index]
    return moved
