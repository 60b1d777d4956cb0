"""The matrix page says "partly rated" rather than hiding a row as not diagnostic, and a row that moves no
posterior shows no diagnosticity."""

import pytest
from django.urls import reverse

from apps.ach.services import rating_set

pytestmark = pytest.mark.django_db


def _rate(assessment, analyst, row: int, labels: list[str]) -> None:
    evidence = list(assessment.evidence.order_by("order", "id"))[row]
    for hypothesis, label in zip(assessment.hypotheses.order_by("order", "id"), labels, strict=True):
        if label:
            rating_set(
                assessment=assessment,
                analyst=analyst,
                evidence_id=evidence.pk,
                hypothesis_id=hypothesis.pk,
                label=label,
            )


def _row(page: str, key: str) -> str:
    start = page.index(f">{key}<")
    return page[start : page.index("</tr>", start)]


def test_a_partly_rated_row_says_so_and_stays_when_non_diagnostic_rows_are_hidden(
    client, analyst, supervisor, assessment
):
    _rate(assessment, analyst, 0, ["CC", "", ""])  # E1: two hypotheses nobody has rated
    _rate(assessment, analyst, 1, ["CC", "NA", "NA"])  # E2: moves no posterior
    _rate(assessment, analyst, 2, ["CC", "I", "N"])  # E3: diagnostic
    # A supervisor sees every row's figures (an analyst sees a row's once she has rated all of it).
    client.force_login(supervisor)
    url = reverse("ach:matrix", args=[assessment.pk])
    page = client.get(url, {"view": "team"}).content.decode()
    assert "diag. 0.00, partly rated" in _row(page, "E1") and "not diagnostic" not in _row(page, "E1")
    assert "diag. 0.00" in _row(page, "E2") and "not diagnostic" in _row(page, "E2")
    filtered = client.get(url, {"view": "team", "hide_nd": "1"}).content.decode()
    assert ">E1<" in filtered and ">E3<" in filtered and ">E2<" not in filtered
