import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.exchange import marking_row
from apps.assessments.tabular import COLUMNS
from apps.core.types import HtmxRequest

from ..results import results_from, scores_of
from ..scoring import RATING_LABELS
from ..selectors import matrix_get


@require_http_methods(["GET"])
@login_required
def export_table(request: HtmxRequest, pk: int, fmt: str):
    assessment = assessment_for_user(request.user, pk)
    slug = f"assessment-{assessment.pk}"
    if fmt not in ("csv", "xlsx"):
        # export.json is the assessment's own (apps/assessments), matched before this pattern.
        raise Http404("Unknown export format: use json, csv or xlsx.")
    matrix = matrix_get(assessment=assessment)
    computed = results_from(matrix, scores_of(matrix), with_cells=True)
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
            round(float(matrix.weights[i]), 4),
            _rounded(computed["evidence_metrics"][e.key]["diagnosticity"]),
            *[computed["cells"][e.key][k]["consensus"] or "" for k in hkeys],
        ]
        for i, e in enumerate(matrix.evidence)
    ]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if marking := marking_row(assessment):
            writer.writerow(marking)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
        return response
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Evidence"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    ratings = workbook.create_sheet("Ratings")
    ratings.append(["analyst", "evidence", "hypothesis", "rating"])
    for a, i, j in zip(*matrix.ratings.nonzero(), strict=True):
        label = RATING_LABELS[int(matrix.ratings[a, i, j])]
        ratings.append([matrix.analysts[a].username, matrix.evidence[i].key, matrix.hypotheses[j].key, label])
    scores_sheet = workbook.create_sheet("Scores")
    scores_sheet.append(["hypothesis", "statement", "inconsistency", "weighted_inconsistency", "posterior"])
    for h in matrix.hypotheses:
        team = computed["team"][h.key]
        scores_sheet.append(
            [h.key, h.statement, team["inconsistency"], team["weighted_inconsistency"], team["posterior"]]
        )
    if marking := marking_row(assessment):
        for worksheet in workbook.worksheets:
            worksheet.insert_rows(1)
            worksheet.cell(row=1, column=1, value=marking[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}.xlsx"'
    return response


def _rounded(value: float | None) -> float | str:
    # Items nobody rated yet have no diagnosticity: an empty cell.
    return "" if value is None else round(value, 4)
