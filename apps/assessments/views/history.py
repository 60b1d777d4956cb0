from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.models import ScoreSnapshot
from apps.assessments.selectors import snapshot_latest_version
from apps.assessments.techniques import TECHNIQUES
from apps.assessments.visibility import snapshot_as_seen, view_for
from apps.core.types import HtmxRequest

HISTORY_LIMIT = 200


@require_http_methods(["GET"])
@login_required
def history(request: HtmxRequest, pk: int):
    """Every snapshot of the assessment; each technique adds its own charts of them."""
    assessment = assessment_for_user(request.user, pk)
    view = view_for(assessment=assessment, user=request.user)
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version")[:HISTORY_LIMIT])[::-1]
    latest = snapshots[-1].version if snapshots else None
    snapshots = [
        snapshot_as_seen(view=view, snapshot=s, latest=s.version == latest, assessment=assessment) for s in snapshots
    ]
    # Past figures cannot be computed from a view (apps.assessments.visibility): a technique that hides
    # anything from the viewer draws no history until they have judged every item.
    sections = [t.history_section(request, snapshots) for name, t in TECHNIQUES.items() if not view.hides(name)]
    notices = [view.notice(name) for name in TECHNIQUES if view.hides(name)]
    context = {"assessment": assessment, "snapshots": snapshots[::-1], "sections": sections, "notices": notices}
    return render(request, "assessments/history.html", context)


@require_http_methods(["GET"])
@login_required
def snapshot_detail(request: HtmxRequest, pk: int, version: int):
    assessment = assessment_for_user(request.user, pk)
    snapshot = get_object_or_404(ScoreSnapshot, assessment=assessment, version=version)
    view = view_for(assessment=assessment, user=request.user)
    latest = snapshot.version == snapshot_latest_version(assessment_id=assessment.pk)
    snapshot = snapshot_as_seen(view=view, snapshot=snapshot, latest=latest, assessment=assessment)
    # Of an earlier snapshot a hiding technique shows nothing (its figures cannot be computed from the view).
    sections = [
        t.snapshot_section(request, snapshot.results.get(t.name, {}))
        for name, t in TECHNIQUES.items()
        if latest or not view.hides(name)
    ]
    notices = [view.notice(name) for name in TECHNIQUES if view.hides(name)]
    context = {"assessment": assessment, "snapshot": snapshot, "sections": sections, "notices": notices}
    return render(request, "assessments/snapshot.html", {**context, "latest": latest})
