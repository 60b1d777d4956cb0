"""Open pages follow the register: a source graded, retracted or restored moves the items signature an open
matrix polls with, so its rows (struck through while the source is retracted) refresh without a reload."""

import json

import pytest
from django.urls import reverse

from apps.assessments import services
from apps.assessments.models import Source
from apps.assessments.selectors import items_signature
from tests.conftest import login

from .test_sources import _matrix

pytestmark = pytest.mark.django_db


def test_grading_retracting_and_restoring_a_source_each_move_the_items_signature(team, analyst):
    assessment = _matrix(team, analyst, ["CC II", "I C"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    seen = [items_signature(assessment_id=assessment.pk)]
    changes = [
        lambda s: services.source_update(source=s, user=analyst, expected_version=s.version, grade="B"),
        lambda s: services.source_retract(source=s, user=analyst, reason="fabricator", expected_version=s.version),
        lambda s: services.source_restore(source=s, user=analyst, expected_version=s.version),
        lambda s: services.source_create(assessment=assessment, user=analyst, name="Wire"),
    ]
    for change in changes:
        change(Source.objects.get(pk=source.pk))
        seen.append(items_signature(assessment_id=assessment.pk))
    assert len(set(seen)) == len(seen)


def test_an_open_matrix_polling_after_a_retraction_is_told_to_redraw_its_rows(client, team, analyst, supervisor):
    assessment = _matrix(team, analyst, ["CC II", "I C"], e1={"origin": "Agent X"})
    services.snapshot_compute(assessment_id=assessment.pk)
    login(client, analyst)
    matrix = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    items = matrix.split('id="matrix-items" name="items" value="')[1].split('"')[0]
    assert "source retracted" not in matrix

    source = Source.objects.get(assessment=assessment)
    services.source_retract(source=source, user=supervisor, reason="fabricator", expected_version=source.version)
    poll = client.get(reverse("ach:panel", args=[assessment.pk]), {"shown": "", "items": items}, HTTP_HX_REQUEST="true")
    assert "items-changed" in json.loads(poll.headers["HX-Trigger"])
    redrawn = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert "source retracted: counts in no score" in redrawn
