"""The Quality of Information Check on the shared surfaces (registered through apps.assessments.techniques):
the review board's flags and the report's source register with each source's weight in the answer. The
figures read ACH's section of the snapshot as the viewer's view shows it (apps.assessments.visibility)."""

from typing import Any

from apps.assessments.techniques import SectionContext
from apps.assessments.visibility import results_for

from .results import register_results
from .selectors import register_get


def _figures(context: SectionContext) -> dict[str, Any]:
    if context.snapshot is None:
        return register_results(quality={}, ach={})
    results = results_for(view=context.view, snapshot=context.snapshot, assessment=context.assessment)
    return register_results(quality=results.get("quality") or {}, ach=results.get("ach") or {})


def board_data(context: SectionContext) -> dict:
    figures = _figures(context)
    return {"flags": figures["flags"], "changed": 0}


def report_data(context: SectionContext) -> dict:
    figures = _figures(context)
    register = register_get(assessment=context.assessment)
    for source in register.sources:
        source.run = figures["sources"].get(source.key)
    return {"sources": register.sources, "flags": figures["flags"]}
