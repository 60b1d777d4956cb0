from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.exchange import FORMAT as TEAMS_FORMAT
from apps.accounts.exchange import TeamsFileError, teams_load
from apps.assessments import exchange as assessment_exchange
from apps.assessments import services as assessment_services
from apps.assessments.access import assessment_for_user
from apps.assessments.models import PendingImport
from apps.assessments.selectors import upload_teams
from apps.assessments.services.files import UPLOAD_KINDS, upload_confirm, upload_pending_create
from apps.assessments.tabular import COLUMNS, evidence_file_parse
from apps.assessments.techniques import evidence_columns
from apps.assessments.visibility import view_for
from apps.core.jsonfile import json_load_strict
from apps.core.types import HtmxRequest

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@require_http_methods(["GET"])
@login_required
def export_json(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    view = view_for(assessment=assessment, user=request.user)
    data = assessment_exchange.assessment_export(assessment=assessment, view=view)
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
                    return redirect(assessment)
    return render(
        request, "assessments/import.html", {"errors": errors, "team": membership.team}, status=400 if errors else 200
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
        messages.success(request, f"Imported {len(created)} evidence item{'s' if len(created) != 1 else ''}.")
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


UPLOAD_MAX_BYTES = 10 * 1024 * 1024


def _upload_preview(request: HtmxRequest, payload: dict):
    """Dry run of one uploaded file; returns (kind, team, result) or raises a file error."""
    data = payload["data"]
    if isinstance(data, dict) and data.get("format") == TEAMS_FORMAT:
        if not request.user.is_staff:
            raise PermissionDenied("Only site admins load teams files.")
        return PendingImport.Kind.TEAMS, None, teams_load(data=data, dry_run=True, actor=request.user)
    team = upload_teams(user=request.user).filter(pk=payload.get("team")).first()
    if team is None:
        raise PermissionDenied("You cannot load assessments into that team.")
    result = assessment_exchange.assessment_load(
        data=data,
        team=team,
        user=request.user,
        create_analysts=payload["create_analysts"],
        allow_duplicate=payload["allow_duplicate"],
        dry_run=True,
    )
    return PendingImport.Kind.ASSESSMENT, team, result


def _upload_new_analysts(request: HtmxRequest, payload: dict, team) -> list[str]:
    """Analysts the file names who are not members of the team: the load would create their accounts."""
    named = assessment_exchange.assessment_file_validate(
        payload["data"], team=team, create_analysts=payload["create_analysts"], user=request.user
    ).analysts
    return sorted(named - set(team.memberships.values_list("user__username", flat=True)))


def _upload_errors(exc: Exception) -> list[str]:
    return exc.shown() if isinstance(exc, assessment_exchange.AssessmentFileError) else exc.errors


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HtmxRequest):
    """Staff and team admins: upload an assessment or teams file, see what it would do, confirm."""
    teams = upload_teams(user=request.user)
    if not request.user.is_staff and not teams.exists():
        raise PermissionDenied("Only site admins and team admins load files.")
    context: dict = {"teams": teams, "errors": [], "preview": None, "threshold": settings.UPLOAD_TASK_THRESHOLD}
    if request.method == "POST" and request.POST.get("confirm"):
        pk = request.POST["confirm"]
        pending = PendingImport.objects.filter(pk=int(pk) if pk.isdigit() else None, kind__in=UPLOAD_KINDS).first()
        if pending is None:
            context["errors"] = ["The preview expired or was altered; upload the file again."]
            return render(request, "assessments/upload.html", context, status=400)
        try:
            pending = upload_confirm(pending=pending, user=request.user)
        except ValidationError as exc:
            context["errors"] = exc.messages
            return render(request, "assessments/upload.html", context, status=400)
        except (assessment_exchange.AssessmentFileError, TeamsFileError) as exc:
            context["errors"] = _upload_errors(exc)
            return render(request, "assessments/upload.html", context, status=400)
        if pending.status != PendingImport.Status.DONE:
            return redirect("assessments:upload_progress", pk=pending.pk)
        messages.success(request, pending.summary)
        loaded = pending.assessment
        # A site admin may load into a team they are not in: its assessment would be a 404 for them.
        if loaded is not None and loaded.team.memberships.filter(user=request.user).exists():
            return redirect(loaded)
        return redirect("assessments:upload")
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            context["errors"] = ["Choose a JSON file."]
        elif upload_file.size > UPLOAD_MAX_BYTES:
            context["errors"] = ["The file is larger than 10 MB."]
        else:
            try:
                data = json_load_strict(upload_file.read())
            except ValueError as exc:
                context["errors"] = [f"Not valid JSON: {exc}"]
            else:
                payload = {
                    "data": data,
                    "team": int(request.POST["team"]) if request.POST.get("team", "").isdigit() else None,
                    # Creating analysts is a team admin's explicit choice, and only into their own team.
                    "create_analysts": bool(request.POST.get("create_analysts")),
                    "allow_duplicate": bool(request.POST.get("allow_duplicate")),
                }
                try:
                    kind, team, result = _upload_preview(request, payload)
                except (assessment_exchange.AssessmentFileError, TeamsFileError) as exc:
                    context["errors"] = _upload_errors(exc)
                else:
                    pending = upload_pending_create(user=request.user, kind=kind, team=team, payload=payload)
                    context["preview"] = {"kind": kind, "result": result, "data": data, "pending": pending}
                    if team is not None:
                        context["preview"]["new_analysts"] = _upload_new_analysts(request, payload, team)
                    context["confirm"] = pending.pk
    return render(request, "assessments/upload.html", context, status=400 if context["errors"] else 200)


@require_http_methods(["GET"])
@login_required
def upload_progress(request: HtmxRequest, pk: int):
    """A load run as a task: the page polls its progress partial until the task is done or failed."""
    pending = get_object_or_404(PendingImport, pk=pk, user=request.user, kind__in=UPLOAD_KINDS)
    context = {"pending": pending}
    if request.htmx:
        # 286 tells htmx to stop polling: the load is over.
        status = 286 if pending.finished else 200
        return render(request, "assessments/upload_progress.html#progress", context, status=status)
    return render(request, "assessments/upload_progress.html", context)
