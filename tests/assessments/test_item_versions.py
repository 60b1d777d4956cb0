import pytest
from django.urls import reverse

from apps.assessments.models import Evidence
from apps.assessments.services import VersionConflict, evidence_update, hypothesis_update

pytestmark = pytest.mark.django_db


def test_every_update_increments_the_items_version(assessment, analyst):
    evidence = assessment.evidence.get(key="E1")
    evidence_update(evidence=evidence, expected_version=evidence.version, user=analyst, summary="first edit")
    evidence_update(evidence=evidence, expected_version=evidence.version, user=analyst, source="AFP")
    assert Evidence.objects.get(pk=evidence.pk).version == 3
    hypothesis = assessment.hypotheses.get(key="H1")
    assert (
        hypothesis_update(
            hypothesis=hypothesis, expected_version=hypothesis.version, user=analyst, statement="reworded"
        ).version
        == 2
    )


def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(assessment, analyst):
    evidence = assessment.evidence.get(key="E1")
    evidence_update(evidence=evidence, expected_version=evidence.version, user=analyst, summary="page edit")
    stale = assessment.evidence.get(key="E1")
    stale.version = 1
    with pytest.raises(VersionConflict) as conflict:
        evidence_update(evidence=stale, user=analyst, expected_version=1, summary="feed edit")
    assert conflict.value.current.summary == "page edit" and conflict.value.current.version == 2
    assert Evidence.objects.get(pk=evidence.pk).summary == "page edit"
    with pytest.raises(VersionConflict):
        hypothesis_update(
            hypothesis=assessment.hypotheses.get(key="H1"), user=analyst, statement="x", expected_version=7
        )


def test_an_edit_on_the_page_moves_the_version_a_feed_would_check(client, assessment, analyst):
    evidence = assessment.evidence.get(key="E1")
    client.force_login(analyst)
    client.post(
        reverse("assessments:evidence_edit", args=[assessment.pk, evidence.pk]),
        {"summary": "Edited on the page", "credibility": "low", "relevance": "high", "type": "fact", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    with pytest.raises(VersionConflict):
        evidence_update(evidence=evidence, user=analyst, expected_version=1, summary="feed edit")
    assert Evidence.objects.get(pk=evidence.pk).summary == "Edited on the page"
