"""How figures read on a page: one rule for every probability shown as a percentage."""

# Below this a probability prints as "< 0.1%" (and above 1 − it as "> 99.9%"): "0.0%" for 4.7e-7 reads as
# impossible, which no posterior is.
SMALLEST_SHOWN = 0.001


def percent_text(value: float | None, digits: int = 0) -> str:
    """A probability as a percentage with ``digits`` decimals; "–" for none; tails as "< 0.1%" / "> 99.9%"."""
    if value is None:
        return "–"
    value = float(value)
    if 0 < value < SMALLEST_SHOWN:
        return f"< {SMALLEST_SHOWN * 100:g}%"
    if 1 - SMALLEST_SHOWN < value < 1:
        return f"> {100 - SMALLEST_SHOWN * 100:g}%"
    text = f"{value * 100:.{int(digits)}f}%"
    # Rounding must not print a possible hypothesis as 0% or a doubtful one as 100%.
    if value > 0 and float(text[:-1]) == 0:
        return f"< {10 ** -int(digits):g}%"
    if value < 1 and float(text[:-1]) == 100:
        return f"> {100 - 10 ** -int(digits):g}%"
    return text
