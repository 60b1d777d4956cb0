"""The team's spread of judgments on each key assumption, and the order the check lists them in.

The method is Heuer and Pherson's Key Assumptions Check (*Structured Analytic Techniques for
Intelligence Analysis*, 2nd ed., 2015, §8.1): each assumption the judgment rests on is rated
"basically solid", "correct with some caveats" or "unsupported or questionable", and the unsupported
ones are the *key uncertainties*. Here the scale is three steps apart, and impact on the judgment if
the assumption proved wrong (high, medium, low) is the second axis.

Rules (also in the README):

- **Steps.** Confidence is scored by weakness: solid 0, caveats 1, unsupported 2. Impact: low 0,
  medium 1, high 2.
- **Team spread.** For each assumption: how many analysts gave each confidence and impact level,
  the range in steps (highest minus lowest) and Leik's ordinal dispersion D (Leik, "A measure of
  ordinal consensus", *Pacific Sociological Review* 9(2), 1966): with F_i the cumulative share of
  judgments at or below level i, D = 2 · Σ_{i<k} min(F_i, 1 − F_i) / (k − 1). D is 0 when everyone
  agrees and 1 when the team is split half and half between the two extremes.
- **Disagreement.** With at least two judgments, the team disagrees on an assumption when the
  confidence judgments span two steps (someone says solid, someone unsupported), or the impact
  judgments span two steps (high and low), or either dispersion is at least 0.5 (for three levels
  this adds exactly the even split between two adjacent levels, e.g. two solid and two caveats).
- **Key uncertainty** (Heuer & Pherson; ``is_key_uncertainty``, the one rule the check page, the
  snapshot, the API, exports, alerts, the review board and the report all use): every assumption judged
  unsupported, whatever its impact; and one correct with caveats whose impact is high. Retired ones are not.
- **Key uncertainties list** (``key_uncertainties``): those assumptions, the unsupported first, most
  impact first; ties keep the team's own order, then the key's number.
- **Check order.** Retired assumptions last; key uncertainties first; then by exposure (weakness +
  impact steps, highest first), ties by impact (high first), then assumptions the team disagrees on,
  then the team's own order, then the key's number (A2 before A10).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CONFIDENCE_LEVELS = ("solid", "caveats", "unsupported")
IMPACT_LEVELS = ("low", "medium", "high")
CONFIDENCE_STEPS = {level: step for step, level in enumerate(CONFIDENCE_LEVELS)}
IMPACT_STEPS = {level: step for step, level in enumerate(IMPACT_LEVELS)}
DISAGREEMENT_STEPS = 2
DISAGREEMENT_DISPERSION = 0.5
RETIRED = "retired"


def ordinal_dispersion(counts: Sequence[int]) -> float | None:
    """Leik's D for counts per ordered level; None with no judgments."""
    total = sum(counts)
    if total == 0:
        return None
    if len(counts) < 2:
        return 0.0
    cumulative, spread = 0, 0.0
    for count in counts[:-1]:
        cumulative += count
        share = cumulative / total
        spread += min(share, 1 - share)
    return round(2 * spread / (len(counts) - 1), 6)


def _axis(values: list[str], levels: tuple[str, ...], steps: dict[str, int]) -> dict[str, Any]:
    counts = {level: 0 for level in levels}
    for value in values:
        counts[value] += 1
    positions = [steps[value] for value in values]
    return {
        "counts": counts,
        "range": (max(positions) - min(positions)) if positions else 0,
        "dispersion": ordinal_dispersion([counts[level] for level in levels]),
    }


def team_spread(judgments: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The spread of (confidence, impact) judgments by the team's analysts on one assumption."""
    judgments = list(judgments)
    confidence = _axis([c for c, _ in judgments], CONFIDENCE_LEVELS, CONFIDENCE_STEPS)
    impact = _axis([i for _, i in judgments], IMPACT_LEVELS, IMPACT_STEPS)
    reasons = []
    if len(judgments) >= 2:
        for name, axis, extremes in (
            ("confidence", confidence, "solid to unsupported"),
            ("impact", impact, "low to high"),
        ):
            if axis["range"] >= DISAGREEMENT_STEPS:
                reasons.append(f"{name} spans {extremes}")
            elif axis["dispersion"] >= DISAGREEMENT_DISPERSION:
                reasons.append(f"{name} split evenly (dispersion {axis['dispersion']:.2f})")
    return {
        "judged": len(judgments),
        "confidence": confidence,
        "impact": impact,
        "disagreement": bool(reasons),
        "reasons": reasons,
    }


def is_key_uncertainty(*, confidence: str, impact: str, status: str) -> bool:
    if status == RETIRED:
        return False
    return confidence == "unsupported" or (confidence == "caveats" and impact == "high")


def key_uncertainty_reason(*, confidence: str, impact: str) -> str:
    """Why an assumption is a key uncertainty, in the words the alerts and pages use."""
    if confidence == "unsupported":
        return f"judged unsupported ({impact} impact if wrong)"
    return "correct only with caveats, and with high impact if wrong"


def exposure(*, confidence: str, impact: str) -> int:
    """Weakness plus impact in steps: 4 for unsupported and high, 0 for solid and low."""
    return CONFIDENCE_STEPS[confidence] + IMPACT_STEPS[impact]


@dataclass(frozen=True)
class AssumptionFacts:
    key: str
    confidence: str
    impact: str
    status: str
    order: int = 0
    disagreement: bool = False


def _key_number(key: str) -> tuple[int, str]:
    match = re.search(r"(\d+)$", key)
    return (int(match.group(1)) if match else 0, key)


def check_sort_key(item: AssumptionFacts) -> tuple:
    return (
        item.status == RETIRED,
        not is_key_uncertainty(confidence=item.confidence, impact=item.impact, status=item.status),
        -exposure(confidence=item.confidence, impact=item.impact),
        -IMPACT_STEPS[item.impact],
        not item.disagreement,
        item.order,
        _key_number(item.key),
    )


def check_order(items: Iterable[AssumptionFacts]) -> list[str]:
    """Keys in the order the check lists them: key uncertainties first (see the module docstring)."""
    return [item.key for item in sorted(items, key=check_sort_key)]


def key_uncertainties(items: Iterable[AssumptionFacts]) -> list[str]:
    """Keys of the key uncertainties, in order: unsupported by impact (high first), then caveats and high."""
    chosen = [
        item for item in items if is_key_uncertainty(confidence=item.confidence, impact=item.impact, status=item.status)
    ]
    chosen.sort(
        key=lambda item: (
            item.confidence != "unsupported",
            -IMPACT_STEPS[item.impact],
            item.order,
            _key_number(item.key),
        )
    )
    return [item.key for item in chosen]
