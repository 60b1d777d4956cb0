from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.models import ScoreSnapshot
from apps.core.charts import line_chart
from apps.core.types import HtmxRequest

from ..display import scores_chart

HISTORY_LIMIT = 200


@require_http_methods(["GET"])
@login_required
def history(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version")[:HISTORY_LIMIT])[::-1]
    keys: list[str] = []
    for snapshot in snapshots:
        for key in snapshot.results.get("ach", {}).get("hypotheses", []):
            if key not in keys:
                keys.append(key)

    def series(metric: str) -> dict[str, list[float]]:
        return {
            key: [
                snapshot.results.get("ach", {}).get("team", {}).get(key, {}).get(metric, 0.0) for snapshot in snapshots
            ]
            for key in keys
        }

    labels = [f"v{s.version}" for s in snapshots]
    # Steps where evidence arrived are marked with the keys of the new items.
    markers = {
        i: ", ".join(s.trigger_evidence[:5]) + ("…" if len(s.trigger_evidence) > 5 else "")
        for i, s in enumerate(snapshots)
        if s.trigger_evidence
    }
    context = {
        "assessment": assessment,
        "snapshots": snapshots[::-1],
        "posterior_chart": line_chart(series("posterior"), labels=labels, maximum=1.0, markers=markers),
        "weighted_chart": line_chart(series("weighted_inconsistency"), labels=labels, markers=markers),
    }
    return render(request, "ach/history.html", context)


@require_http_methods(["GET"])
@login_required
def snapshot_detail(request: HtmxRequest, pk: int, version: int):
    assessment = assessment_for_user(request.user, pk)
    snapshot = get_object_or_404(ScoreSnapshot, assessment=assessment, version=version)
    results = snapshot.results.get("ach", {})
    team = results.get("team", {})
    context = {
        "assessment": assessment,
        "snapshot": snapshot,
        "results": results,
        "ranking": [{"key": key, **team[key]} for key in results.get("ranking", []) if key in team],
        "chart": scores_chart(hypotheses_keys=results.get("hypotheses", []), results=results),
    }
    return render(request, "ach/snapshot.html", context)
