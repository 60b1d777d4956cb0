"""The history chart's axes: round y ticks up to the top, x labels and evidence marks that never overlap."""

from apps.core.charts import CHAR_WIDTH, line_chart, nice_ticks


def _overlapping(items: list[tuple[float, str]]) -> list[tuple[str, str]]:
    """Neighbouring centred 9 px labels whose boxes touch (about CHAR_WIDTH a character)."""
    ordered = sorted(items)
    return [
        (a, b)
        for (x1, a), (x2, b) in zip(ordered, ordered[1:], strict=False)
        if x2 - x1 < (len(a) + len(b)) * CHAR_WIDTH / 2
    ]


def test_y_ticks_step_by_one_two_two_and_a_half_or_five_up_to_the_top():
    # 1.0 in at most five steps: 0.2 (1 × 10^-1 is too many, 2 × 10^-1 fits).
    assert nice_ticks(1.0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    # 7.3 / 5 = 1.46: the next round step is 2, and the axis ends on the tick above 7.3.
    assert nice_ticks(7.3) == [0, 2, 4, 6, 8]
    # 0.37 / 5 = 0.074: step 0.1, top 0.4.
    assert nice_ticks(0.37) == [0, 0.1, 0.2, 0.3, 0.4]
    assert nice_ticks(0) == [0.0]


def test_the_posterior_axis_reads_in_percent_from_0_to_100():
    chart = line_chart({"H1": [0.2, 0.7]}, labels=["v1", "v2"], maximum=1.0, percent=True)
    assert [t["label"] for t in chart["y_ticks"]] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    # Evenly spaced, from the x axis (0) up to the top of the plot (100%).
    ys = [t["y"] for t in chart["y_ticks"]]
    assert ys[0] == chart["axis_y"] and ys[-1] == 10
    assert len({round(a - b, 1) for a, b in zip(ys, ys[1:], strict=False)}) == 1


def test_a_long_history_labels_some_versions_none_overlapping():
    labels = [f"v{i}" for i in range(1, 121)]
    chart = line_chart({"H1": [0.5] * 120, "H2": [1.5] * 120}, labels=labels)
    shown = [(t["x"], t["label"]) for t in chart["ticks"]]
    assert _overlapping(shown) == []
    assert shown[0][1] == "v1" and shown[-1][1] == "v120"
    assert 10 <= len(shown) < 120
    # The weighted axis ends on a round tick above its highest value.
    assert [t["label"] for t in chart["y_ticks"]] == ["0", "0.5", "1", "1.5"]


def test_a_short_history_labels_every_version():
    chart = line_chart({"H1": [0.1, 0.2, 0.3]}, labels=["v1", "v2", "v3"])
    assert [t["label"] for t in chart["ticks"]] == ["v1", "v2", "v3"]


def test_evidence_marks_keep_every_line_but_label_only_those_with_room():
    labels = [f"v{i}" for i in range(1, 61)]
    markers = {i: f"E{i}, E{i + 1}" for i in range(0, 60, 2)}
    chart = line_chart({"H1": [0.5] * 60}, labels=labels, markers=markers)
    assert len(chart["marks"]) == 30
    labelled = [(m["x"], m["text"]) for m in chart["marks"] if m["labelled"]]
    assert _overlapping(labelled) == []
    assert 0 < len(labelled) < 30
