import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.assessments import exchange as assessment_exchange
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.models import PendingImport
from apps.assessments.rescoring import evidence_columns
from apps.assessments.tabular import COLUMNS, evidence_file_parse
from apps.core.types import HtmxRequest

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@require_http_methods(["GET"])
@login_required
def export_json(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    data = assessment_exchange.assessment_export(assessment=assessment)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}.json"'
    return response


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
                data = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                errors = [f"Not valid JSON: {exc}"]
            else:
                try:
                    assessment = assessment_exchange.assessment_import(
                        data=data,
                        team=membership.team,
                        user=request.user,
                        create_analysts=bool(request.POST.get("create_analysts")),
                    )
                except assessment_exchange.AssessmentFileError as exc:
                    errors = exc.errors
                else:
                    messages.success(request, f"Imported “{assessment.title}”.")
                    return redirect(assessment)
    return render(request, "assessments/import.html", {"errors": errors, "team": membership.team})


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
        pending = PendingImport.objects.filter(
            pk=int(request.POST["confirm"]) if request.POST["confirm"].isdigit() else None, user=request.user
        ).first()
        if pending is None:
            context["file_errors"] = ["The preview expired or was altered; upload the file again."]
            return render(request, "assessments/evidence_import.html", context, status=400)
        if pending.assessment_id != assessment.pk:
            raise PermissionDenied
        try:
            created = assessment_services.pending_import_confirm(
                pending=pending, assessment=assessment, user=request.user
            )
        except ValidationError as exc:
            context["file_errors"] = (
                [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            return render(request, "assessments/evidence_import.html", context, status=400)
        messages.success(request, f"Imported {len(created)} evidence items.")
        return redirect(assessment)
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
                context["confirm"] = assessment_services.pending_import_create(
                    assessment=assessment,
                    user=request.user,
                    rows=rows,
                    via=f"{upload.name.rsplit('.', 1)[-1].upper()} import",
                ).pk
    return render(request, "assessments/evidence_import.html", context)
