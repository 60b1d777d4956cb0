"""What a screen reader hears from the matrix: the grid, and each cell's name ("E1 × H2: consistent")."""

import re

import pytest
from django.urls import reverse

from apps.ach.services import rating_set

pytestmark = pytest.mark.django_db


def _rate_row(assessment, analyst, row, labels):
    for hypothesis, label in zip(assessment.hypotheses.order_by("order"), labels, strict=True):
        rating_set(assessment=assessment, analyst=analyst, evidence_id=row.pk, hypothesis_id=hypothesis.pk, label=label)


def _names(page: str) -> list[str]:
    return re.findall(r'<td class="cell[^"]*" tabindex="-1" [^>]*aria-label="([^"]*)"', page)


def test_mine_is_an_editable_grid_whose_cells_say_their_rating_in_words(client, analyst, assessment):
    first = assessment.evidence.order_by("order").first()
    _rate_row(assessment, analyst, first, ("CC", "N", "NA"))
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "mine"}).content.decode()
    assert re.search(r'<table [^>]*role="grid"', page) and 'aria-readonly="true"' not in page
    assert _names(page)[:4] == [
        "E1 × H1: very consistent",
        "E1 × H2: neutral",
        "E1 × H3: not applicable",
        "E2 × H1: not rated",
    ]


def test_team_view_is_read_only_and_hides_unrated_rows_by_name_too(client, analyst, teammate, assessment):
    first, second = assessment.evidence.order_by("order")[:2]
    _rate_row(assessment, teammate, first, ("C", "C", "I"))
    _rate_row(assessment, teammate, second, ("C", "C", "I"))
    _rate_row(assessment, analyst, first, ("C", "C", "I"))
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    assert 'aria-readonly="true"' in page
    names = _names(page)
    # Both analysts agree on the row she rated; the row she has not rated names no teammate's rating.
    assert names[:3] == [
        "E1 × H1: consistent, analysts agree",
        "E1 × H2: consistent, analysts agree",
        "E1 × H3: inconsistent, analysts agree",
    ]
    assert names[3] == "E2 × H1: hidden until you rate this row"
    assert "consistent" not in " ".join(names[3:])
