"""The evidence contribution view: each item's part in the log-odds between two hypotheses the user picks."""

import numpy as np
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.assessments.access import assessment_for_user
from apps.assessments.visibility import view_for
from apps.core.charts import diverging_bar_chart
from apps.core.types import HtmxRequest

from ..results import contributions_of, matrix_visible, scores_of
from ..selectors import matrix_get


@require_http_methods(["GET"])
@login_required
def contributions(request: HtmxRequest, pk: int):
    assessment = assessment_for_user(request.user, pk)
    view = view_for(assessment=assessment, user=request.user)
    # The team's figures as this member may see them (apps.assessments.visibility).
    matrix = matrix_visible(matrix_get(assessment=assessment, for_scoring=True), view.hidden.get("ach", ()))
    keys = [h.key for h in matrix.hypotheses]
    first = request.GET.get("first") or (keys[0] if keys else "")
    second = request.GET.get("second") or (keys[1] if len(keys) > 1 else "")
    context = {"assessment": assessment, "keys": keys, "first": first, "second": second, "bars": []}
    status = 200
    if len(keys) < 2:
        context["error"] = "Contributions compare two hypotheses: add a second one first."
    elif first not in keys or second not in keys:
        context["error"] = "Pick two of this assessment’s hypotheses."
        status = 400
    elif first == second:
        context["error"] = "Pick two different hypotheses."
        status = 400
    else:
        values = contributions_of(matrix, scores_of(matrix), keys.index(first), keys.index(second))
        order = np.argsort(-np.abs(values), kind="stable")
        items = [(matrix.evidence[i].key, round(float(values[i]), 6)) for i in order if abs(values[i]) > 1e-12]
        chart = diverging_bar_chart(items)
        context.update(
            chart=chart,
            bars=chart["bars"],
            toward_first=float(values[values > 0].sum()),
            toward_second=float(values[values < 0].sum()),
            view_notice=view.notice("ach"),
        )
    return render(request, "ach/contributions.html", context, status=status)
