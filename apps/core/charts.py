"""Geometry for small server-rendered SVG charts (no JavaScript, no CDN)."""

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


def line_chart(
    series: dict[str, list[float]],
    *,
    labels: list[str],
    maximum: float | None = None,
    markers: dict[int, str] | None = None,
) -> dict:
    """Polylines for values over snapshots; x is the snapshot index; markers label chosen steps."""
    width, height, left, bottom = 640, 220, 40, 24
    count = max(len(labels), 1)
    top = max([max(values, default=0) for values in series.values()] + [maximum or 0, 1e-9])
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
    ticks = [{"x": point(i, 0)[0], "label": label} for i, label in enumerate(labels)]
    marks = [{"x": point(i, 0)[0], "text": text} for i, text in sorted((markers or {}).items())]
    return {
        "lines": lines,
        "ticks": ticks,
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
