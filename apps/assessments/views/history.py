from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.models import ScoreSnapshot
from apps.assessments.rescoring import TECHNIQUES
from apps.core.types import HtmxRequest

HISTORY_LIMIT = 200


@require_http_methods(["GET"])
@login_required
def history(request: HtmxRequest, pk: int):
    """Every snapshot of the assessment; each technique adds its own charts of them."""
    assessment = assessment_for_user(request.user, pk)
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version")[:HISTORY_LIMIT])[::-1]
    sections = [t.history_section(request, snapshots) for t in TECHNIQUES.values()]
    context = {"assessment": assessment, "snapshots": snapshots[::-1], "sections": sections}
    return render(request, "assessments/history.html", context)


@require_http_methods(["GET"])
@login_required
def snapshot_detail(request: HtmxRequest, pk: int, version: int):
    assessment = assessment_for_user(request.user, pk)
    snapshot = get_object_or_404(ScoreSnapshot, assessment=assessment, version=version)
    sections = [t.snapshot_section(request, snapshot.results.get(t.name, {})) for t in TECHNIQUES.values()]
    return render(
        request, "assessments/snapshot.html", {"assessment": assessment, "snapshot": snapshot, "sections": sections}
    )
