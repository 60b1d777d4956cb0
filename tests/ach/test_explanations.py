"""Each figure an analyst reads carries a short "what this means / what it does not" beside it: the ranking
and the posterior on the matrix page (the team's answer), the fragility of the lead on the judgments panel,
the calibration scores on the post-mortem and on the profile."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.ach import services
from apps.assessments.services import snapshot_compute
from tests import factories

pytestmark = pytest.mark.django_db


def _explained(html: str, element_id: str) -> str:
    """The text of the element with that id (a <p> or a <details>), tags stripped."""
    match = re.search(rf'<(p|details)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert match, f"no #{element_id} on the page"
    return re.sub(r"<[^>]+>", "", match.group(2))


@pytest.fixture
def rated(team, analyst):
    assessment = factories.assessment_with_matrix(team=team, user=analyst, hypotheses=("One", "Two"), evidence=2)
    evidence = list(assessment.evidence.all())
    hypotheses = list(assessment.hypotheses.all())
    for item, labels in zip(evidence, (("C", "I"), ("CC", "N")), strict=True):
        for hypothesis, label in zip(hypotheses, labels, strict=True):
            services.rating_set(
                assessment=assessment, analyst=analyst, evidence_id=item.pk, hypothesis_id=hypothesis.pk, label=label
            )
    snapshot_compute(assessment_id=assessment.pk)
    return assessment


def test_the_matrix_page_explains_the_ranking_and_the_posterior_and_what_they_do_not_mean(client, rated, analyst):
    client.force_login(analyst)
    html = client.get(reverse("ach:matrix", args=[rated.pk])).content.decode()
    ranking, posterior = _explained(html, "ranking-explained"), _explained(html, "posterior-explained")
    assert "Ranking" in ranking and "What it does not mean: least against is not proven" in ranking
    assert "Posterior" in posterior and "What it does not mean: it is not a calibrated chance" in posterior


def test_the_judgments_panel_explains_the_fragility_of_the_lead(client, rated, analyst):
    client.force_login(analyst)
    html = client.get(reverse("ach:judgments", args=[rated.pk])).content.decode()
    fragility = _explained(html, "fragility-explained")
    assert "hangs on a handful of items" in fragility and "What it does not mean" in fragility


def test_the_post_mortem_and_the_profile_explain_the_calibration_scores(client, rated, analyst, supervisor):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.assessment_resolve(assessment=rated, user=supervisor, outcome="H1", resolved_on=yesterday)
    client.force_login(analyst)
    post_mortem = _explained(
        client.get(reverse("ach:post_mortem", args=[rated.pk])).content.decode(), "calibration-explained"
    )
    assert "Skill" in post_mortem and "What they do not mean" in post_mortem
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "What they do not mean" in _explained(profile, "calibration-explained")
    # Two forecasts: the reliability table (explained beside it once it has ten) says when it will appear.
    assert "A reliability table appears once you have made 10 forecasts" in profile
