"""Geometry of an indicator's status over time: a step chart drawn as server-rendered SVG (no JavaScript)."""

from collections.abc import Sequence
from datetime import date, timedelta

from .validator import STATUSES, status_rank

STATUS_COLORS = {
    "no_information": "#9aa3b2",
    "not_observed": "#2456a6",
    "emerging": "#d4a017",
    "partially_present": "#e67e22",
    "fully_present": "#b42318",
}


def status_chart(
    observations: Sequence[tuple[date, str]],
    *,
    labels: dict[str, str],
    threshold: str | None = None,
    compact: bool = False,
) -> dict:
    """Points, a step polyline and axes for (date, status) readings; x is time, y the status step.

    A compact chart (the board's sparkline) drops the labels and axes.
    """
    width, height = (120, 28) if compact else (640, 190)
    left, right, top, bottom = (2, 2, 3, 3) if compact else (128, 16, 12, 30)
    plot_w, plot_h = width - left - right, height - top - bottom
    ordered = sorted(observations, key=lambda item: item[0])
    start = ordered[0][0] if ordered else date.today()
    end = ordered[-1][0] if ordered else start
    if end - start < timedelta(days=30):
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    span = (end - start).days

    def x_of(day: date) -> float:
        return round(left + plot_w * (day - start).days / span, 1)

    def y_of(status: str) -> float:
        return round(top + plot_h * (1 - status_rank(status) / (len(STATUSES) - 1)), 1)

    points = [
        {"x": x_of(day), "y": y_of(status), "color": STATUS_COLORS[status], "date": day, "label": labels[status]}
        for day, status in ordered
    ]
    steps = []
    for index, point in enumerate(points):
        steps.append(f"{point['x']},{point['y']}")
        if index + 1 < len(points):
            steps.append(f"{points[index + 1]['x']},{point['y']}")
    rows = [{"y": y_of(status), "label": labels[status], "color": STATUS_COLORS[status]} for status in STATUSES]
    ticks = []
    if not compact:
        ticks.append({"x": x_of(start), "label": f"{start:%b %Y}", "anchor": "start"})
        for year in range(start.year + 1, end.year + 1):
            x = x_of(date(year, 1, 1))
            if x - ticks[-1]["x"] > 60 and x_of(end) - x > 60:
                ticks.append({"x": x, "label": str(year), "anchor": "middle"})
        ticks.append({"x": x_of(end), "label": f"{end:%b %Y}", "anchor": "end"})
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "axis_y": height - bottom,
        "tick_y": height - bottom + 16,
        "points": points,
        "steps": " ".join(steps),
        "rows": rows,
        "ticks": ticks,
        "threshold_y": y_of(threshold) if threshold else None,
        "empty": not ordered,
    }
