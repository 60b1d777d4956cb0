"""An XLSX decompression bomb (5 M rows, a few hundred KB) through the evidence import's parser.

Target: refused within 5 s and 200 MB of peak memory. Run with `make bench`.
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from apps.assessments.tabular import evidence_file_parse  # noqa: E402
from bench.xlsx_bomb import xlsx_bomb  # noqa: E402

# 5 M rows is refused on its unpacked size; 150 k rows unpack within the limits and stop at the row limit.
CASES = (5_000_000, 150_000)
TARGET_SECONDS = 5.0
TARGET_MB = 200.0


def main() -> None:
    for rows in CASES:
        measure(rows)


def measure(rows: int) -> None:
    content = xlsx_bomb(rows)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    parsed = evidence_file_parse(content=content, filename="bomb.xlsx")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "refused" if parsed.file_errors else "ACCEPTED"
    print(
        f"xlsx bomb {rows:,} rows, {len(content) / 1024:.0f} KB: {verdict} in {seconds:.2f} s, peak RSS "
        f"{peak_mb:.0f} MB ({before_mb:.0f} MB before parsing) (target: refused within {TARGET_SECONDS:.0f} s "
        f"and {TARGET_MB:.0f} MB) — {'; '.join(parsed.file_errors)}"
    )


if __name__ == "__main__":
    main()
