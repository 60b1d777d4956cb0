"""ACH's parts of the assessment's pages, handed to the registry in apps.py."""

from django.template.loader import render_to_string

from apps.core.charts import line_chart


def history_section(request, snapshots: list) -> str:
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
        "posterior_chart": line_chart(series("posterior"), labels=labels, maximum=1.0, markers=markers, percent=True),
        "weighted_chart": line_chart(series("weighted_inconsistency"), labels=labels, markers=markers),
    }
    return render_to_string("ach/history.html", context, request=request)


def ranking_of(results: dict) -> list[dict]:
    team = results.get("team", {})
    return [{"key": key, **team[key]} for key in results.get("ranking", []) if key in team]


def snapshot_section(request, results: dict) -> str:
    return render_to_string("ach/snapshot.html", {"ranking": ranking_of(results)}, request=request)


def profile_section(request, user) -> str:
    """The user's scores across resolved assessments and their reliability table, on their profile page."""
    from ..postmortem import calibration_for_user

    return render_to_string("ach/profile_section.html", calibration_for_user(user=user), request=request)
