"""Time score_assessment on a 50 hypotheses × 5,000 evidence × 50 analysts matrix, then the sensitivity search.

Targets on a 2-core machine: scoring at most 100 ms per call; the 100-removal search for the items that
change the leader at most 1 s at 12 × 200 × 10 and 5 s at 50 × 5,000 × 50. Run as
``python bench/bench_scoring.py``.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.ach.scoring import (
    RATING_CODES,
    evidence_reliability,
    evidence_weight,
    items_to_change_leader,
    score_assessment,
)

HYPOTHESES = 50
EVIDENCE = 5_000
ANALYSTS = 50
RUNS = 20
TARGET_MS = 100.0

# Roughly what a worked matrix holds: some cells not rated yet, a few judged not applicable.
RATING_MIX = {"": 0.10, "NA": 0.05, "CC": 0.10, "C": 0.20, "N": 0.25, "I": 0.20, "II": 0.10}
LEVELS = ["low", "medium", "high"]


def build_matrix(
    seed: int = 20240601, analysts: int = ANALYSTS, evidence: int = EVIDENCE, hypotheses: int = HYPOTHESES
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratings, PARC weights, priors, reliabilities and origins (one item in ten shares one of 20 origins)."""
    rng = np.random.default_rng(seed)
    codes = np.array([RATING_CODES[label] for label in RATING_MIX], dtype=np.int8)
    ratings = rng.choice(codes, size=(analysts, evidence, hypotheses), p=list(RATING_MIX.values()))
    levels = [(rng.choice(LEVELS), rng.choice(LEVELS)) for _ in range(evidence)]
    weights = np.array([evidence_weight(*pair) for pair in levels])
    reliability = np.array([evidence_reliability(*pair) for pair in levels])
    origins = np.where(rng.random(evidence) < 0.1, rng.integers(0, 20, evidence), -1)
    priors = np.full(hypotheses, 1.0 / hypotheses)
    return ratings, weights, priors, reliability, origins


def first_calls() -> float:
    """Seconds for the first score_assessment and items_to_change_leader in this process, on a one-cell
    matrix: importing numba, then compiling the kernels (a cold or stale cache) or loading them from it."""
    start = time.perf_counter()
    tiny = build_matrix(analysts=1, evidence=1, hypotheses=2)
    score_assessment(*tiny[:3], reliability=tiny[3], origins=tiny[4])
    items_to_change_leader(tiny[0], tiny[2], reliability=tiny[3], origins=tiny[4])
    return time.perf_counter() - start


def main() -> None:
    print(f"first calls in a process (numba import, kernels compiled or loaded from cache): {first_calls():.2f} s")
    ratings, weights, priors, reliability, origins = build_matrix()

    def run() -> None:
        score_assessment(ratings, weights, priors, reliability=reliability, origins=origins)

    run()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    median, p95 = np.percentile(timings, [50, 95])
    print(
        f"score_assessment {HYPOTHESES} hypotheses × {EVIDENCE:,} evidence × {ANALYSTS} analysts, {RUNS} runs: "
        f"median {median:.1f} ms, p95 {p95:.1f} ms (target: at most {TARGET_MS:.0f} ms on a 2-core machine)"
    )
    for shape, target in (((12, 200, 10), 1.0), ((ANALYSTS, EVIDENCE, HYPOTHESES), 5.0)):
        ratings, _, priors, reliability, origins = build_matrix(1, *shape)
        # A clear leader, so that the search runs its 100 removals: H1 is rated C wherever it was I or II.
        lead = ratings[:, :, 0]
        lead[(lead == RATING_CODES["I"]) | (lead == RATING_CODES["II"])] = RATING_CODES["C"]
        start = time.perf_counter()
        found = items_to_change_leader(ratings, priors, reliability=reliability, origins=origins)
        seconds = time.perf_counter() - start
        print(
            f"items_to_change_leader {shape[2]} hypotheses × {shape[1]:,} evidence × {shape[0]} analysts: "
            f"{seconds:.2f} s for {found.searched} removals (leader changed after "
            f"{found.items_to_change_leader}; target: at most {target:.0f} s)"
        )


if __name__ == "__main__":
    main()
