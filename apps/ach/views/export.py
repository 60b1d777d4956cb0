from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.exchange import marking_row
from apps.assessments.tabular import COLUMNS
from apps.assessments.visibility import view_for
from apps.core import spreadsheets
from apps.core.types import HtmxRequest

from ..exchange import rows_revealed_to
from ..results import matrix_visible, results_from, scores_of
from ..scoring import RATING_LABELS
from ..selectors import matrix_get

SCORE_COLUMNS = ["inconsistency", "weighted_inconsistency", "posterior"]


@require_http_methods(["GET"])
@login_required
def export_table(request: HtmxRequest, pk: int, fmt: str):
    assessment = assessment_for_user(request.user, pk)
    slug = f"assessment-{assessment.pk}"
    if fmt == "json":
        # export.json is the assessment's own (apps/assessments), matched before this pattern.
        raise Http404
    view = view_for(assessment=assessment, user=request.user)
    matrix = matrix_get(assessment=assessment)
    # Every figure from the viewer's view (apps.assessments.visibility); the raw ratings by the same rule.
    visible = matrix_visible(matrix, view.hidden.get("ach", ()))
    computed = results_from(visible, scores_of(visible), with_cells=True)
    revealed = rows_revealed_to(matrix, user=request.user, sees_all=view.sees_all)
    me = matrix.analyst_index(request.user.pk)
    hkeys = [h.key for h in matrix.hypotheses]
    header = ["key", *COLUMNS, "weight", "diagnosticity", *[f"{k} consensus" for k in hkeys]]
    rows = [
        [
            e.key,
            e.summary,
            e.source,
            e.citation,
            e.date.isoformat() if e.date else "",
            e.type,
            e.credibility,
            e.relevance,
            e.origin,
            e.information or "",
            round(float(matrix.weights[i]), 4),
            _rounded(computed["evidence_metrics"][e.key]["diagnosticity"]),
            *[(computed["cells"][e.key][k]["consensus"] or "") if revealed[i] else "" for k in hkeys],
        ]
        for i, e in enumerate(matrix.evidence)
    ]
    if fmt == "csv":
        marking = marking_row(assessment)
        table = [marking] if marking else []
        response = HttpResponse(spreadsheets.csv_text([*table, header, *rows]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
        return response

    marking = marking_row(assessment)
    table = [marking] if marking else []

    def label(a: int, i: int, j: int) -> str:
        return RATING_LABELS[int(matrix.ratings[a, i, j])]

    ratings = [
        [matrix.analysts[a].username, matrix.evidence[i].key, matrix.hypotheses[j].key, label(a, i, j)]
        for a, i, j in zip(*matrix.ratings.nonzero(), strict=True)
        if a == me or revealed[i]
    ]
    scores = [
        [h.key, h.statement, *(computed["team"][h.key][name] for name in SCORE_COLUMNS)] for h in matrix.hypotheses
    ]
    content = spreadsheets.xlsx_bytes(
        {
            "Evidence": [*table, header, *rows],
            "Ratings": [*table, ["analyst", "evidence", "hypothesis", "rating"], *ratings],
            "Scores": [*table, ["hypothesis", "statement", *SCORE_COLUMNS], *scores],
        }
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{slug}.xlsx"'
    return response


def _rounded(value: float | None) -> float | str:
    # Items nobody rated yet have no diagnosticity: an empty cell.
    return "" if value is None else round(value, 4)
