"""The panel poll tells an open matrix when its items changed under it (a teammate's edit)."""

import json

import pytest
from django.urls import reverse

from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.selectors import items_signature

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _poll(client, assessment, *, shown: str, items: str):
    url = reverse("ach:panel", args=[assessment.pk])
    return client.get(url, {"shown": shown, "items": items}, **HTMX)


def _events(response) -> set[str]:
    return set(json.loads(response.headers.get("HX-Trigger", "{}")))


def _token(client, assessment) -> str:
    """The panel's own token, as the page renders it."""
    first = _poll(client, assessment, shown="", items="")
    return first.content.decode().split("shown=", 1)[1].split("&", 1)[0].split('"', 1)[0]


def test_every_kind_of_item_change_moves_the_signature_and_a_rating_does_not(assessment, analyst):
    seen = [items_signature(assessment_id=assessment.pk)]
    evidence = list(assessment.evidence.order_by("order"))
    hypothesis = assessment.hypotheses.first()
    rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence[0].pk, hypothesis_id=hypothesis.pk, label="C"
    )
    assert items_signature(assessment_id=assessment.pk) == seen[-1]
    changes = [
        lambda: services.evidence_update(evidence=evidence[0], user=analyst, expected_version=1, summary="Edited"),
        lambda: services.evidence_reorder(
            assessment=assessment, user=analyst, ordered_ids=[e.pk for e in reversed(evidence)]
        ),
        lambda: services.evidence_delete(evidence=evidence[1], user=analyst),
        lambda: services.hypothesis_create(assessment=assessment, user=analyst, statement="A fourth idea"),
    ]
    for change in changes:
        change()
        seen.append(items_signature(assessment_id=assessment.pk))
    assert len(set(seen)) == len(seen)


def test_the_poll_tells_an_unchanged_page_nothing_and_a_stale_matrix_to_refresh(client, analyst, assessment):
    client.force_login(analyst)
    items = items_signature(assessment_id=assessment.pk)
    token = _token(client, assessment)
    quiet = _poll(client, assessment, shown=token, items=items)
    assert quiet.status_code == 204 and _events(quiet) == set()
    evidence = list(assessment.evidence.order_by("order"))
    # A move changes no score: the panel has nothing new, but the matrix must redraw.
    services.evidence_reorder(assessment=assessment, user=analyst, ordered_ids=[e.pk for e in reversed(evidence)])
    moved = _poll(client, assessment, shown=token, items=items)
    assert moved.status_code == 204 and _events(moved) == {"items-changed"}


def test_new_scores_refresh_the_regions_that_show_them(client, analyst, assessment):
    client.force_login(analyst)
    items = items_signature(assessment_id=assessment.pk)
    token = _token(client, assessment)
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.first()
    rating_set(assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label="I")
    response = _poll(client, assessment, shown=token, items=items)
    assert response.status_code == 200 and _events(response) == {"scores-changed"}
    assert 'id="panel"' in response.content.decode()


def test_an_outsider_polling_gets_404(client, outsider, assessment):
    client.force_login(outsider)
    assert _poll(client, assessment, shown="", items="").status_code == 404
