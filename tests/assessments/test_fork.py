"""Duplicating (forking) an assessment into its team as a new draft."""

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from apps.ach.models import Rating
from apps.assessments import services
from apps.assessments.exchange import assessment_import
from apps.assessments.models import Activity, Assessment
from apps.assessments.selectors import assessment_history
from apps.assessments.services.files import assessment_fork
from apps.indicators.models import Validation
from apps.key_assumptions.models import Judgment
from tests.conftest import login

pytestmark = pytest.mark.django_db

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


@pytest.fixture
def aqim(team, analyst):
    imported = assessment_import(data=copy.deepcopy(AQIM), team=team, create_analysts=True)
    services.assessment_review(assessment=imported, user=analyst, action="submit")
    return imported


def test_fork_with_ratings_copies_everything_as_a_new_draft(aqim, analyst):
    fork = assessment_fork(assessment=aqim, user=analyst, with_ratings=True)
    assert fork.pk != aqim.pk and fork.team == aqim.team and fork.status == Assessment.Status.DRAFT
    assert fork.title == f"Copy of {aqim.title}"
    assert list(fork.evidence.values_list("key", flat=True)) == list(aqim.evidence.values_list("key", flat=True))
    assert Rating.objects.filter(assessment=fork).count() == Rating.objects.filter(assessment=aqim).count() == 795
    assert fork.assumptions.count() == 14 and fork.indicators.count() == 16
    assert Judgment.objects.filter(assumption__assessment=fork).exists()


def test_fork_without_ratings_leaves_the_analysts_judgments_behind(aqim, analyst):
    fork = assessment_fork(assessment=aqim, user=analyst, with_ratings=False)
    assert fork.evidence.count() == 53 and fork.hypotheses.count() == aqim.hypotheses.count()
    assert not Rating.objects.filter(assessment=fork).exists()
    assert not Judgment.objects.filter(assumption__assessment=fork).exists()
    assert not Validation.objects.filter(indicator__assessment=fork).exists()
    assert Rating.objects.filter(assessment=aqim).count() == 795


def test_fork_is_recorded_in_both_feeds_and_the_new_history(aqim, analyst):
    fork = assessment_fork(assessment=aqim, user=analyst, with_ratings=False)
    assert Activity.objects.filter(assessment=aqim, data__fork=fork.pk, actor=analyst).exists()
    assert Activity.objects.get(assessment=fork, data__forked_from=aqim.pk).message.startswith(
        f"Forked from “{aqim.title}”"
    )
    added = [c for c in assessment_history(assessment=fork) if c.action == "added" and c.model == "evidence"]
    assert len(added) == 53


def test_analyst_forks_from_the_page(client, analyst, assessment):
    login(client, analyst)
    response = client.post(reverse("assessments:fork", args=[assessment.pk]), {"with_ratings": "1"})
    fork = Assessment.objects.exclude(pk=assessment.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("ach:matrix", args=[fork.pk])


def test_supervisor_gets_403_and_outsider_404_when_forking(client, supervisor, outsider, assessment):
    url = reverse("assessments:fork", args=[assessment.pk])
    login(client, supervisor)
    assert client.post(url).status_code == 403
    login(client, outsider)
    assert client.post(url).status_code == 404
    assert Assessment.objects.count() == 1
