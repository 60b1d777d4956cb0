"""The whole matrix-page request for 12 hypotheses × 200 evidence × 10 analysts, PostgreSQL included;
its CPU time in the web process (what limits how many opens a core answers at once); what the page's rows
would cost written as a Django template; the first response of a 5,000-item matrix (12 × 5,000 × 3); and a
rating's response at 200 and 2,000 items.

Targets: 12 × 200 × 10 p95 at most 150 ms and at most ~20 ms of CPU a page (so 50 simultaneous opens answer
within p95 500 ms on 2 cores, `make load`); 5,000 items under 1 s and 2 MB; a rating's response the same size
whatever the matrix's. Run with `make bench` (needs PostgreSQL; DATABASE_URL overrides).

The rows (apps/ach/display.py) are built in Python, not in a template partial: the same rows written as a
template (bench/templates/matrix_rows.html) cost several times the whole page's CPU budget, as printed here.
"""

import statistics
import time

import benchdb

RUNS = 40
TARGET_MS = 150.0
CPU_TARGET_MS = 20.0
LARGE_TARGET_MS = 1000.0
LARGE_TARGET_BYTES = 2_000_000


def main() -> None:
    connection = benchdb.setup()
    old_name = connection.settings_dict["NAME"]
    try:
        from django.test import Client

        from apps.assessments import services

        assessment, users = benchdb.build_matrix(hypotheses=12, evidence=200, analysts=10)
        client = Client()
        client.force_login(users[0])
        for view in ("mine", "team"):
            url = f"/assessments/{assessment.pk}/?view={view}"
            assert client.get(url).status_code == 200
            timings = []
            for _ in range(RUNS):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"matrix page ({view}) 12 × 200 × 10 on {connection.vendor}, {RUNS} requests: "
                f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms (target: p95 at most {TARGET_MS:.0f} ms)"
            )
        for view in ("mine", "team"):
            cpu_figures(client, f"/assessments/{assessment.pk}/?view={view}", view)
        rows_template_figures(assessment, users[0])
        rating_figures(assessment, users[0], 200)
        assessment, users = benchdb.build_matrix(hypotheses=12, evidence=2000, analysts=10)
        rating_figures(assessment, users[0], 2000)
        assessment, users = benchdb.build_matrix(hypotheses=12, evidence=5000, analysts=3)
        services.snapshot_compute(assessment_id=assessment.pk)
        client.force_login(users[0])
        for view in ("mine", "team"):
            url = f"/assessments/{assessment.pk}/?view={view}"
            timings, size = [], 0
            for _ in range(5):
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                size = len(response.content)
            print(
                f"matrix page ({view}) 12 × 5,000 × 3, first response: median {statistics.median(timings):.0f} ms, "
                f"max {max(timings):.0f} ms, {size / 1e6:.2f} MB (targets: under {LARGE_TARGET_MS:.0f} ms and "
                f"{LARGE_TARGET_BYTES / 1e6:.0f} MB)"
            )
    finally:
        benchdb.teardown(connection, old_name)


def cpu_figures(client, url: str, view: str) -> None:
    """The page's CPU time in this (the web) process: the database's own work runs in another."""
    timings = []
    for _ in range(RUNS):
        start = time.process_time()
        assert client.get(url).status_code == 200
        timings.append((time.process_time() - start) * 1000)
    timings.sort()
    print(
        f"matrix page ({view}) 12 × 200 × 10, CPU in the web process: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms (target: at most {CPU_TARGET_MS:.0f} ms)"
    )


def rows_template_figures(assessment, user) -> None:
    """The page's rows rendered by a Django template partial, against display.py building them in Python."""
    from pathlib import Path

    from django.template import engines

    from apps.ach.display import MatrixParams, matrix_display
    from apps.ach.scoring import RATING_LABELS, RATING_WORDS
    from apps.assessments.access import assessment_for_user
    from apps.assessments.selectors import snapshot_latest

    assessment = assessment_for_user(user, assessment.pk)
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    results = snapshot.results.get("ach", {}) if snapshot else {}

    def display():
        return matrix_display(
            assessment=assessment, user=user, membership=assessment.membership, params=MatrixParams(), results=results
        )

    shown = display()
    me = shown.matrix.analyst_index(user.pk)
    words = dict(zip(RATING_LABELS, RATING_WORDS, strict=True))
    position = {e.pk: i for i, e in enumerate(shown.matrix.evidence)}
    rows = []
    for row in shown.rows:
        codes = shown.matrix.ratings[me, position[row["evidence"].pk]].tolist()
        cells = [
            {"classes": f"cell r-{RATING_LABELS[c]}" if c else "cell", "hypothesis": h.pk, "key": h.key}
            | {"label": RATING_LABELS[c], "spoken": words[RATING_LABELS[c]], "title": ""}
            for h, c in zip(shown.matrix.hypotheses, codes, strict=True)
        ]
        rows.append({**row, "cells": cells})
    template = engines["django"].from_string((Path(__file__).parent / "templates" / "matrix_rows.html").read_text())
    context = {"rows": rows, "assessment": assessment, "editable": True, "can_comment": True}
    python, templated = [], []
    for _ in range(10):
        start = time.process_time()
        display()
        python.append((time.process_time() - start) * 1000)
        start = time.process_time()
        template.render(context)
        templated.append((time.process_time() - start) * 1000)
    print(
        f"the page's {len(rows)} rows × {len(shown.matrix.hypotheses)} cells as a Django template partial: median "
        f"{statistics.median(templated):.1f} ms of CPU for the rows alone, against {statistics.median(python):.1f} ms "
        f"for the whole matrix_display with the rows built in Python (apps/ach/display.py): the template would "
        f"spend the page's {CPU_TARGET_MS:.0f} ms budget by itself"
    )


def rating_figures(assessment, user, evidence: int) -> None:
    from django.test import Client

    from apps.assessments.services import rescoring

    client = Client()
    client.force_login(user)
    # The request's own cost: rescoring is the worker's, so it is left out here (not run eagerly).
    enqueue, rescoring.rescore_request = rescoring.rescore_request, lambda **kwargs: False
    first = assessment.evidence.order_by("order").first()
    hypothesis = assessment.hypotheses.order_by("order").first()
    timings, size = [], 0
    for label in ("C", "I") * 10:
        start = time.perf_counter()
        response = client.post(
            f"/assessments/{assessment.pk}/cells/",
            {"evidence": first.pk, "hypothesis": hypothesis.pk, "value": label, "view": "mine"},
            HTTP_HX_REQUEST="true",
        )
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        size = len(response.content)
    rescoring.rescore_request = enqueue
    print(f"rating at 12 × {evidence:,} × 10: response {size:,} bytes, median {statistics.median(timings):.1f} ms")


if __name__ == "__main__":
    main()
