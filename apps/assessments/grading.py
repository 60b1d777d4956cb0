"""Grading sources and information (the Admiralty / NATO system) and what a grade pair does to an item's weight.

No Django: plain values in and out, shared by the evidence (which carries the grades) and the techniques
that read them (ACH's posterior, the Quality of Information Check).

Rules and their sources:

1. A source's reliability is graded A–F, the information an item carries 1–6 (NATO STANAG 2511; the
   Admiralty system; Heuer & Pherson, *Structured Analytic Techniques for Intelligence Analysis*, 2nd ed.
   2015, "Quality of Information Check"). The two grades are independent: a reliable source can pass on
   improbable information and an unknown one confirmed information.

       A completely reliable      1 confirmed by other sources
       B usually reliable         2 probably true
       C fairly reliable          3 possibly true
       D not usually reliable     4 doubtful
       E unreliable               5 improbable
       F cannot be judged         6 cannot be judged

2. The credibility factor of an item whose source is graded is the source's factor times the
   information's factor (``credibility_factor``), defaults

       A 1.0, B 0.9, C 0.75, D 0.5, E 0.25, F 0.7      ×      1 1.0, 2 0.9, 3 0.75, 4 0.5, 5 0.25, 6 0.7

   It takes the place of the low / medium / high credibility factor of ACH's posterior (Schum's discount
   p = r·ℓ + (1 − r)·½, r = credibility × relevance), so it means the chance that the item is informative
   rather than noise every hypothesis explains equally. Why these numbers: an A1 item is taken at face
   value (1.0); the factor falls slowly over the grades an analyst would still act on (B .9, C .75) and
   fast over the doubtful ones (D .5, E .25), so an E5 item keeps 1/16 of its pull, next to nothing; "cannot be
   judged" (F, 6) is placed at .7, the factor of an ungraded item of medium credibility, because not
   knowing is not evidence of unreliability: an F6 item (.49) weighs about as much as an ungraded
   low-credibility one (.5). The two scales multiply because the two doubts are independent (a garbled
   report from a good source and a faithful report from a poor one are both discounted).

3. An item whose source has no grade, or that has no source, keeps the low / medium / high rule exactly.
   An item of a graded source whose information is not graded counts as 6 (cannot be judged).

4. The factors are an assessment setting (``Assessment.reliability["grades"]``, beside the credibility
   and relevance factors): a setting may give any of the twelve, each in (0, 1]; ``grading_checked``
   fills in the defaults and refuses anything else with a reason an analyst can act on.
"""

from collections.abc import Mapping

SOURCE_GRADES: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
INFORMATION_GRADES: dict[int, str] = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
# Rule 3: a graded source's item with no information grade.
INFORMATION_UNGRADED = 6
# Grades that make a source doubtful: a linchpin resting on one of them is flagged.
DOUBTFUL_GRADES: frozenset[str] = frozenset("DEF")

DEFAULT_GRADING: dict[str, dict[str, float]] = {
    "source": {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.7},
    "information": {"1": 1.0, "2": 0.9, "3": 0.75, "4": 0.5, "5": 0.25, "6": 0.7},
}


def grading_checked(setting: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float]]:
    """The grade factors with the defaults filled in (rule 4); ValueError naming what is wrong."""
    setting = setting or {}
    if not isinstance(setting, Mapping):
        raise ValueError("the grade factors must map source and information to their factors")
    unknown = set(setting) - set(DEFAULT_GRADING)
    if unknown:
        raise ValueError(f"unknown grade factors {sorted(unknown)}; expected source and information")
    checked: dict[str, dict[str, float]] = {}
    for scale, defaults in DEFAULT_GRADING.items():
        given = setting.get(scale) or {}
        if not isinstance(given, Mapping) or set(map(str, given)) - set(defaults):
            raise ValueError(f"{scale} factors are given for the grades {', '.join(defaults)}")
        given = {str(grade): value for grade, value in given.items()}
        checked[scale] = {}
        for grade, default in defaults.items():
            value = given.get(grade, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"the factor of {scale} grade {grade} must be a number in (0, 1], not {value!r}")
            checked[scale][grade] = float(value)
    return checked


def credibility_factor(grade: str, information: int | None, factors: Mapping[str, Mapping[str, float]]) -> float:
    """Rule 2: source factor × information factor; information None counts as 6 (rule 3).

    ``factors`` is a ``grading_checked`` result.
    """
    info = INFORMATION_UNGRADED if information is None else information
    try:
        return factors["source"][grade] * factors["information"][str(info)]
    except KeyError as unknown:
        raise ValueError(f"unknown grade {unknown}") from None


def grade_label(grade: str, information: int | None) -> str:
    """ "B2", or "B" when the information is not graded; "" for an ungraded source."""
    if not grade:
        return ""
    return f"{grade}{information}" if information is not None else grade
