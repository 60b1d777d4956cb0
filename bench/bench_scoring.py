"""Time score_assessment on a 50 hypotheses × 5,000 evidence × 50 analysts matrix.

Target: at most 100 ms per call on a 2-core machine. Run as ``python bench/bench_scoring.py``.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.ach.scoring import RATING_CODES, evidence_weight, score_assessment

HYPOTHESES = 50
EVIDENCE = 5_000
ANALYSTS = 50
RUNS = 20
TARGET_MS = 100.0

# Roughly what a worked matrix holds: some cells not rated yet, a few judged not applicable.
RATING_MIX = {"": 0.10, "NA": 0.05, "CC": 0.10, "C": 0.20, "N": 0.25, "I": 0.20, "II": 0.10}
LEVELS = ["low", "medium", "high"]


def build_matrix(seed: int = 20240601) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.array([RATING_CODES[label] for label in RATING_MIX], dtype=np.int8)
    ratings = rng.choice(codes, size=(ANALYSTS, EVIDENCE, HYPOTHESES), p=list(RATING_MIX.values()))
    weights = np.array([evidence_weight(rng.choice(LEVELS), rng.choice(LEVELS)) for _ in range(EVIDENCE)])
    priors = np.full(HYPOTHESES, 1.0 / HYPOTHESES)
    return ratings, weights, priors


def main() -> None:
    ratings, weights, priors = build_matrix()
    score_assessment(ratings, weights, priors)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        score_assessment(ratings, weights, priors)
        timings.append((time.perf_counter() - start) * 1000)
    median, p95 = np.percentile(timings, [50, 95])
    print(
        f"score_assessment {HYPOTHESES} hypotheses × {EVIDENCE:,} evidence × {ANALYSTS} analysts, {RUNS} runs: "
        f"median {median:.1f} ms, p95 {p95:.1f} ms (target: at most {TARGET_MS:.0f} ms on a 2-core machine)"
    )


if __name__ == "__main__":
    main()
