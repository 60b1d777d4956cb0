from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.techniques import TECHNIQUES
from apps.core.types import HtmxRequest

from . import selectors, services


@require_http_methods(["GET"])
@login_required
def board(request: HtmxRequest, pk: int):
    """The supervisor's review view; opening it moves their "last reviewed" mark to now."""
    assessment = assessment_for_user(request.user, pk, review=True)
    review = selectors.review_get(assessment=assessment, user=request.user, membership=assessment.membership)
    history = [t.history_section(request, review.snapshots) for t in TECHNIQUES.values()] if review.snapshots else []
    response = render(request, "reviews/board.html", {"assessment": assessment, "review": review, "history": history})
    services.review_mark_set(assessment=assessment, user=request.user)
    return response


def _report_context(request: HtmxRequest, assessment) -> dict:
    report = selectors.report_get(assessment=assessment, user=request.user, membership=assessment.membership)
    return {"assessment": assessment, "report": report}


@require_http_methods(["GET"])
@login_required
def report(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    return render(request, "reviews/report.html", _report_context(request, assessment))


@require_http_methods(["GET"])
@login_required
def report_pdf(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    # Imported here: WeasyPrint loads Pango when imported, and only this view needs it.
    from weasyprint import HTML

    html = render_to_string(
        "reviews/report.html", {**_report_context(request, assessment), "pdf": True}, request=request
    )
    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    # The page links the stylesheet; WeasyPrint reads the same file from disk instead of over HTTP.
    stylesheet = CSS(filename=finders.find("css/report.css"))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[stylesheet])
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="assessment-{assessment.pk}-report.pdf"'},
    )
