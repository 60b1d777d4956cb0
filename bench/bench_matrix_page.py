"""The whole matrix-page request for 12 hypotheses × 200 evidence × 10 analysts, PostgreSQL included.

Target: p95 at most 150 ms. Run with `make bench` (needs PostgreSQL; DATABASE_URL overrides).
"""

import statistics
import time

import benchdb

RUNS = 40
TARGET_MS = 150.0


def main() -> None:
    connection = benchdb.setup()
    old_name = connection.settings_dict["NAME"]
    try:
        from django.test import Client

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
    finally:
        benchdb.teardown(connection, old_name)


if __name__ == "__main__":
    main()
