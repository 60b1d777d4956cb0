from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.assessments import exchange as assessment_exchange
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.rescoring import evidence_columns
from apps.assessments.tabular import COLUMNS, evidence_file_parse
from apps.core import spreadsheets
from apps.core.jsonfile import json_load_strict
from apps.core.types import HtmxRequest

from ..exchange import rows_revealed_to
from ..results import results_from, scores_of
from ..scoring import RATING_LABELS
from ..selectors import matrix_get

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNING_SALT = "ach.evidence-import"
SCORE_COLUMNS = ["inconsistency", "weighted_inconsistency", "posterior"]


@require_http_methods(["GET"])
@login_required
def export(request: HtmxRequest, pk: int, fmt: str):
    assessment = assessment_for_user(request.user, pk)
    slug = f"assessment-{assessment.pk}"
    sees_all = assessment.membership.can_review
    if fmt == "json":
        analyst = None if sees_all else request.user.get_username()
        data = assessment_exchange.assessment_export(assessment=assessment, analyst=analyst)
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{slug}.json"'
        return response
    matrix = matrix_get(assessment=assessment)
    computed = results_from(matrix, scores_of(matrix), with_cells=True)
    revealed = rows_revealed_to(matrix, user=request.user, sees_all=sees_all)
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
            round(float(matrix.weights[i]), 4),
            round(computed["evidence_metrics"][e.key]["diagnosticity"], 4),
            *[(computed["cells"][e.key][k]["consensus"] or "") if revealed[i] else "" for k in hkeys],
        ]
        for i, e in enumerate(matrix.evidence)
    ]
    if fmt == "csv":
        response = HttpResponse(spreadsheets.csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
        return response
    if fmt == "xlsx":

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
                "Evidence": [header, *rows],
                "Ratings": [["analyst", "evidence", "hypothesis", "rating"], *ratings],
                "Scores": [["hypothesis", "statement", *SCORE_COLUMNS], *scores],
            }
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{slug}.xlsx"'
        return response
    raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def assessment_import(request: HtmxRequest):
    membership = request.membership
    if not membership or not membership.can_edit:
        raise PermissionDenied("Only analysts and team admins import assessments.")
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["Choose a JSON file to upload."]
        elif upload.size > MAX_UPLOAD_BYTES:
            errors = ["The file is larger than 10 MB."]
        else:
            try:
                data = json_load_strict(upload.read())
            except ValueError as exc:
                errors = [f"Not valid JSON: {exc}."]
            else:
                try:
                    assessment = assessment_exchange.assessment_import(
                        data=data,
                        team=membership.team,
                        user=request.user,
                        create_analysts=bool(request.POST.get("create_analysts")),
                    )
                except assessment_exchange.AssessmentFileError as exc:
                    errors = exc.shown()
                else:
                    messages.success(request, f"Imported “{assessment.title}”.")
                    return redirect("ach:matrix", pk=assessment.pk)
    return render(
        request, "ach/import.html", {"errors": errors, "team": membership.team}, status=400 if errors else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def evidence_import(request: HtmxRequest, pk: int):
    """Upload → preview (every row's errors) → confirm; one transaction, one bad row rejects the file."""
    assessment = assessment_for_user(request.user, pk, write=True)
    columns = COLUMNS + list(evidence_columns())
    context = {
        "assessment": assessment,
        "columns": columns,
        "extra_columns": evidence_columns().values(),
        "parsed": None,
    }
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            items = signing.loads(request.POST["confirm"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            context["file_errors"] = ["The preview expired or was altered; upload the file again."]
            return render(request, "ach/evidence_import.html", context, status=400)
        if items.get("assessment") != assessment.pk:
            raise PermissionDenied
        try:
            created = assessment_services.evidence_add(
                assessment=assessment, user=request.user, items=items["rows"], via=items["via"]
            )
        except ValidationError as exc:
            context["file_errors"] = [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
            return render(request, "ach/evidence_import.html", context, status=400)
        messages.success(request, f"Imported {len(created)} evidence items.")
        return redirect("ach:matrix", pk=assessment.pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_errors"] = ["Choose a CSV or XLSX file."]
        elif upload.size > MAX_UPLOAD_BYTES:
            context["file_errors"] = ["The file is larger than 10 MB."]
        else:
            parsed = evidence_file_parse(content=upload.read(), filename=upload.name, assessment=assessment)
            context["parsed"] = parsed
            context["file_errors"] = parsed.file_errors
            context["preview"] = [
                {"number": n, "cells": [row.get(c, "") for c in columns], "errors": parsed.row_errors.get(n, [])}
                for n, row in enumerate(parsed.rows, start=1)
            ]
            if parsed.ok:
                rows = [
                    {**item, "date": item["date"].isoformat() if item.get("date") else None} for item in parsed.items
                ]
                context["confirm"] = signing.dumps(
                    {
                        "assessment": assessment.pk,
                        "rows": rows,
                        "via": f"{upload.name.rsplit('.', 1)[-1].upper()} import",
                    },
                    salt=SIGNING_SALT,
                    compress=True,
                )
    return render(request, "ach/evidence_import.html", context)
