"""The whole matrix-page request for 12 hypotheses × 200 evidence × 10 analysts, PostgreSQL included;
the first response of a 5,000-item matrix (12 × 5,000 × 3); and a rating's response at 200 and 2,000 items.

Targets: 12 × 200 × 10 p95 at most 150 ms; 5,000 items under 1 s and 2 MB; a rating's response the same
size whatever the matrix's. Run with `make bench` (needs PostgreSQL; DATABASE_URL overrides).
"""

import statistics
import time

import benchdb

RUNS = 40
TARGET_MS = 150.0
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
