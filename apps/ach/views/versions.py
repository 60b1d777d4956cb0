"""Read-only: the matrix as of a snapshot version, and what changed between two versions (reviewers)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.models import ScoreSnapshot
from apps.core.types import HtmxRequest

from ..selectors import matrix_as_of, version_diff


def _or_404(call, **kwargs):
    try:
        return call(**kwargs)
    except ScoreSnapshot.DoesNotExist as exc:
        raise Http404("No snapshot at that version.") from exc


@require_http_methods(["GET"])
@login_required
def as_of(request: HtmxRequest, pk: int, version: int):
    # Every analyst's ratings are on this page, so only reviewers see it (the anchoring rule).
    assessment = assessment_for_user(request.user, pk, review=True)
    matrix = _or_404(matrix_as_of, assessment=assessment, version=version)
    rows = [
        (
            key,
            fields,
            [
                sorted(
                    (analyst, label)
                    for (analyst, ekey, hkey), label in matrix.ratings.items()
                    if (ekey, hkey) == (key, h)
                )
                for h in matrix.hypotheses
            ],
        )
        for key, fields in matrix.evidence.items()
    ]
    return render(request, "ach/version.html", {"assessment": assessment, "matrix": matrix, "rows": rows})


@require_http_methods(["GET"])
@login_required
def diff(request: HtmxRequest, pk: int, before: int, after: int):
    assessment = assessment_for_user(request.user, pk, review=True)
    changes = _or_404(version_diff, assessment=assessment, before=before, after=after)
    return render(request, "ach/version_diff.html", {"assessment": assessment, "diff": changes})
