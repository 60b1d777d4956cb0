"""The Quality of Information Check's own rules: the deception checklist and the flags on the source register.

No Django: plain dicts in (the snapshot's sections, as the viewer may see them) and out.

Sources: Heuer & Pherson, *Structured Analytic Techniques for Intelligence Analysis* (2nd ed., 2015),
"Quality of Information Check" and "Deception Detection" (its four checklists, MOM, POP, MOSES and EVE);
the grades are the Admiralty / NATO system of apps/assessments/grading.py.

Flags, each naming a source or an item:

1. ``single_source``: an item among the ones that move the team's answer most (ACH's answer card: the
   items with the largest log-odds contributions between the leader and its rival) that favours the
   leader and is not confirmed by another source (its information is not graded 1). The lead then rests
   on one source's word.
2. ``doubtful_linchpin``: a linchpin (removing it changes the leader, by either basis) whose source is
   graded D, E or F.
3. ``ungraded``: items of no graded source (no source, or one not graded yet): their weight is the
   low / medium / high rule, not a grade.
"""

from typing import Any

from apps.assessments.grading import DOUBTFUL_GRADES

# Deception Detection's four checklists (Heuer & Pherson), one question each as analysts record them.
QUESTIONS: dict[str, tuple[str, str]] = {
    "mom": (
        "MOM: motive, opportunity and means",
        "Does a potential deceiver have a motive to feed us this, the opportunity to reach this source, and "
        "the means to make it look true?",
    ),
    "pop": (
        "POP: past opposition practices",
        "Has the adversary deceived through channels like this before, and does this reporting fit the pattern?",
    ),
    "moses": (
        "MOSES: manipulability of sources",
        "How easily could this source be fed or controlled? Is its access direct, and has it been vetted?",
    ),
    "eve": (
        "EVE: evaluation of evidence",
        "Is the reporting internally consistent, corroborated by independent sources, and hard to fake? Is "
        "anything missing that should be there?",
    ),
}
CONCERNS: dict[str, str] = {
    "none": "No concern",
    "some": "Some concern",
    "serious": "Serious concern",
    "unknown": "Cannot tell",
}


def flags_of(quality: dict[str, Any], ach: dict[str, Any]) -> list[dict[str, Any]]:
    """The register's flags (rules 1–3) from the check's own section and ACH's, as the viewer sees them."""
    sources = quality.get("sources", {})
    source_of = {item: key for key, s in sources.items() if not s.get("retracted_on") for item in s["items"]}
    information = {item: n for s in sources.values() for item, n in s.get("information", {}).items()}
    flags: list[dict[str, Any]] = []
    answer = ach.get("answer") or {}
    leader = ach.get("leader_by_posterior")
    for entry in answer.get("items", []):
        item = entry["key"]
        if entry["contribution"] > 0 and information.get(item) != 1:
            flags.append(
                {
                    "code": "single_source",
                    "item": item,
                    "source": source_of.get(item),
                    "message": f"{item} is among the items that move the answer most and favours {leader}, but no "
                    "other source confirms it (information not graded 1).",
                }
            )
    linchpins = sorted({key for keys in (ach.get("linchpins") or {}).values() for key in keys})
    for item in linchpins:
        source = source_of.get(item)
        grade = sources[source]["grade"] if source else ""
        if grade in DOUBTFUL_GRADES:
            flags.append(
                {
                    "code": "doubtful_linchpin",
                    "item": item,
                    "source": source,
                    "message": f"{item} is a linchpin and its source {source} is graded {grade}.",
                }
            )
    ungraded = quality.get("ungraded_items", [])
    if ungraded:
        shown = ", ".join(ungraded[:10]) + (f" and {len(ungraded) - 10} more" if len(ungraded) > 10 else "")
        flags.append(
            {
                "code": "ungraded",
                "item": None,
                "source": None,
                "items": ungraded,
                "message": f"{len(ungraded)} item{'s come' if len(ungraded) > 1 else ' comes'} from no graded source: "
                f"{shown}.",
            }
        )
    return flags
