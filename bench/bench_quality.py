"""The Quality of Information Check: the Sources page and a retraction's rescoring, at 12 hypotheses × 200
evidence × 10 analysts (20 sources of 10 items) and 50 × 5,000 × 50 (500 sources of 10 items), half of the
sources graded.

Prints the page's median and p95 for a supervisor, and the time from a retraction's save to its fresh
snapshot (the rescoring runs in-process on commit, as with no broker), and the same for the restore.
Target: a retraction to its fresh snapshot within 1 s at 12 × 200 × 10. Needs PostgreSQL (DATABASE_URL).
BENCH_QUALITY_LARGE=0 skips the large size (building 12.5 million ratings takes minutes).
"""

import os
import statistics
import time

import benchdb

RUNS = 20
RETRACTIONS = 5
TARGET_MS = 1000.0
ITEMS_PER_SOURCE = 10


def sources_add(assessment) -> list:
    """One source per ten items, every other one graded (bench data, written directly)."""
    from apps.assessments.keys import key_counter_raise
    from apps.assessments.models import Evidence, Source

    items = list(Evidence.objects.filter(assessment=assessment).order_by("order", "id"))
    count = (len(items) + ITEMS_PER_SOURCE - 1) // ITEMS_PER_SOURCE
    sources = Source.objects.bulk_create(
        Source(assessment=assessment, key=f"S{n + 1}", name=f"Source {n + 1}", grade="BCDE"[n % 4] if n % 2 else "")
        for n in range(count)
    )
    for position, item in enumerate(items):
        source = sources[position // ITEMS_PER_SOURCE]
        item.source_entry, item.origin, item.information = source, source.name, 1 + position % 6
    Evidence.objects.bulk_update(items, ["source_entry", "origin", "information"], batch_size=1000)
    key_counter_raise(assessment_id=assessment.pk, prefix="S", keys=[s.key for s in sources])
    return sources


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def figures(hypotheses: int, evidence: int, analysts: int, runs: int) -> None:
    from django.db import transaction
    from django.test import Client

    from apps.accounts.services import membership_ensure
    from apps.assessments import services
    from apps.assessments.models import ScoreSnapshot, Source

    assessment, users = benchdb.build_matrix(hypotheses=hypotheses, evidence=evidence, analysts=analysts)
    sources = sources_add(assessment)
    services.snapshot_compute(assessment_id=assessment.pk)
    supervisor = membership_ensure(team=assessment.team, username=f"bench-sup-{assessment.pk}", password="bench")[0]
    supervisor.memberships.update(role="supervisor")
    client = Client()
    client.force_login(supervisor)
    url = f"/assessments/{assessment.pk}/sources/"
    assert client.get(url).status_code == 200
    timings = sorted(timed(lambda: client.get(url)) for _ in range(runs))
    size = f"{hypotheses} × {evidence:,} × {analysts}"
    print(
        f"QIC page {size} ({len(sources)} sources), {runs} requests: median {statistics.median(timings):.0f} ms, "
        f"p95 {timings[max(0, int(len(timings) * 0.95) - 1)]:.0f} ms"
    )
    retract, restore = [], []
    for n in range(RETRACTIONS):
        source = Source.objects.get(pk=sources[(2 * n + 1) % len(sources)].pk)

        def retracting(source=source):
            with transaction.atomic():
                services.source_retract(source=source, user=supervisor, reason="bench", expected_version=source.version)

        retract.append(timed(retracting))
        assessment.refresh_from_db()
        assert ScoreSnapshot.objects.filter(assessment=assessment, version=assessment.content_version).exists()
        source.refresh_from_db()

        def restoring(source=source):
            with transaction.atomic():
                services.source_restore(source=source, user=supervisor, expected_version=source.version)

        restore.append(timed(restoring))
    print(
        f"retraction to fresh snapshot {size}: median {statistics.median(retract):.0f} ms, max {max(retract):.0f} ms"
        + (f" (target: at most {TARGET_MS:.0f} ms)" if evidence <= 200 else "")
        + f"; restore: median {statistics.median(restore):.0f} ms"
    )


def main() -> None:
    connection = benchdb.setup()
    old_name = connection.settings_dict["NAME"]
    try:
        figures(12, 200, 10, RUNS)
        if os.environ.get("BENCH_QUALITY_LARGE", "1") != "0":
            figures(50, 5000, 50, 5)
    finally:
        benchdb.teardown(connection, old_name)


if __name__ == "__main__":
    main()
