"""Geometry for small server-rendered SVG charts (no JavaScript, no CDN)."""

import math

from apps.core.numbers import percent_text

PALETTE = ["#2456a6", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#be185d", "#4d7c0f", "#475569"]


def bar_chart(items: list[tuple[str, float]], *, maximum: float | None = None, percent: bool = False) -> dict:
    width, bar_height, gap, label_width = 320, 18, 6, 48
    top = max([value for _, value in items] + [maximum or 0, 1e-9])
    bars = []
    for index, (label, value) in enumerate(items):
        length = (width - label_width - 60) * max(value, 0) / top
        bars.append(
            {
                "label": label,
                "y": index * (bar_height + gap),
                "text_y": index * (bar_height + gap) + bar_height - 5,
                "x": label_width,
                "width": round(length, 1),
                "value_x": label_width + length + 4,
                "value": percent_text(value, 1) if percent else f"{value:.2f}",
                "color": PALETTE[index % len(PALETTE)],
            }
        )
    return {"bars": bars, "width": width, "height": max(len(items), 1) * (bar_height + gap), "bar_height": bar_height}


# Axis text is 9 px: about 5.5 px a character, and a gap between neighbours.
CHAR_WIDTH, LABEL_GAP = 5.5, 8


def nice_ticks(top: float, *, most: int = 5) -> list[float]:
    """Round values from 0 to at least ``top`` at a 1, 2, 2.5 or 5 × 10^k step, at most ``most`` + 1 of them."""
    if top <= 0:
        return [0.0]
    rough = top / most
    power = 10 ** math.floor(math.log10(rough))
    step = next(power * f for f in (1, 2, 2.5, 5, 10) if power * f >= rough * (1 - 1e-9))
    count = math.ceil(top / step - 1e-9)
    return [round(step * i, 10) for i in range(count + 1)]


def spaced(xs: list[float], texts: list[str]) -> list[int]:
    """Indices of the centred labels to draw so that no two overlap: the first, then each one clear of the
    last drawn (the final label wins over the one before it when both cannot be drawn)."""
    shown: list[int] = []
    for i, (x, text) in enumerate(zip(xs, texts, strict=True)):
        if not shown or _clear(xs[shown[-1]], texts[shown[-1]], x, text):
            shown.append(i)
        elif i == len(xs) - 1 and len(shown) > 1 and _clear(xs[shown[-2]], texts[shown[-2]], x, text):
            shown[-1] = i
    return shown


def _clear(x1: float, text1: str, x2: float, text2: str) -> bool:
    return x2 - x1 >= (len(text1) + len(text2)) * CHAR_WIDTH / 2 + LABEL_GAP


def line_chart(
    series: dict[str, list[float]],
    *,
    labels: list[str],
    maximum: float | None = None,
    markers: dict[int, str] | None = None,
    percent: bool = False,
) -> dict:
    """Polylines for values over snapshots; x is the snapshot index; markers label chosen steps.

    The y axis is ticked at round values up to the top (percentages with ``percent``); x labels and marker
    texts are thinned so that none overlaps another (each point keeps its tooltip).
    """
    width, height, left, bottom = 640, 220, 44, 24
    count = max(len(labels), 1)
    highest = max([max(values, default=0) for values in series.values()] + [maximum or 0])
    ticks_y = nice_ticks(highest)
    top = ticks_y[-1] if highest > 0 else 1.0
    plot_w, plot_h = width - left - 10, height - bottom - 10

    def point(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)
        return round(x, 1), round(10 + plot_h * (1 - value / top), 1)

    lines = []
    for index, (name, values) in enumerate(series.items()):
        points = [point(i, v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "color": PALETTE[index % len(PALETTE)],
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": [{"x": x, "y": y, "value": values[i]} for i, (x, y) in enumerate(points)],
            }
        )
    xs = [point(i, 0)[0] for i in range(len(labels))]
    ticks = [{"x": xs[i], "label": labels[i]} for i in spaced(xs, labels)]
    steps = sorted((markers or {}).items())
    marker_xs, marker_texts = [point(i, 0)[0] for i, _ in steps], [text for _, text in steps]
    labelled = set(spaced(marker_xs, marker_texts))
    marks = [
        {"x": x, "text": text, "labelled": n in labelled}
        for n, (x, text) in enumerate(zip(marker_xs, marker_texts, strict=True))
    ]
    y_ticks = [
        {"y": point(0, value)[1], "label": percent_text(value) if percent else f"{value:g}"} for value in ticks_y
    ]
    return {
        "lines": lines,
        "ticks": ticks,
        "y_ticks": y_ticks,
        "marks": marks,
        "width": width,
        "height": height,
        "top": top,
        "left": left,
        "axis_y": height - bottom,
    }


def diverging_bar_chart(items: list[tuple[str, float]]) -> dict:
    """Horizontal bars either side of a zero axis (positive to the right), in the order given."""
    width, bar_height, gap, label_width, value_room = 520, 16, 4, 56, 44
    half = (width - label_width - 2 * value_room) / 2
    axis = label_width + value_room + half
    top = max([abs(value) for _, value in items] + [1e-9])
    bars = []
    for index, (label, value) in enumerate(items):
        length = half * abs(value) / top
        x = axis if value > 0 else axis - length
        bars.append(
            {
                "key": label,
                "value": value,
                "y": index * (bar_height + gap),
                "text_y": index * (bar_height + gap) + bar_height - 4,
                "x": round(x, 1),
                "width": round(length, 1),
                "value_x": round(axis + length + 4 if value > 0 else axis - length - value_room + 4, 1),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(len(items), 1) * (bar_height + gap),
        "axis": axis,
        "bar_height": bar_height,
    }
