"""Stated probabilities pooled both as the plain mean and weighted by coherence (Karvetski et al., 2013)."""

import math

import pytest

from apps.ach import scoring, services
from apps.ach.selectors import stated_summary


def test_coherence_weights_fall_by_e_every_ten_points_of_incoherence():
    assert scoring.coherence_weights([0, 10, 50]) == pytest.approx([1, math.exp(-1), math.exp(-5)])


def test_the_coherence_weighted_pool_on_hand_worked_statements():
    # Alice 60/40 (adds up: d = 0, w = 1); bob 30/90 (adds to 120: d = 20, w = e⁻² = 0.135335), normalised .25/.75.
    # Plain mean of H1: (.6 + .25) / 2 = .425. Weighted: (.6 + .135335 × .25) / 1.135335 = .558279.
    normalised = [[0.6, 0.4], [0.25, 0.75]]
    assert scoring.stated_pool(normalised)[0] == pytest.approx(0.425)
    assert scoring.stated_pool_coherence_weighted(normalised, [0, 20])[0] == pytest.approx(0.558279, abs=1e-6)
    assert scoring.stated_pool_coherence_weighted([], []) is None


@pytest.mark.django_db
def test_the_stated_section_and_the_judgments_page_show_both_pools(client, assessment, analyst, teammate, supervisor):
    services.stated_probabilities_set(assessment=assessment, analyst=analyst, percents={"H1": 60, "H2": 40, "H3": 0})
    services.stated_probabilities_set(assessment=assessment, analyst=teammate, percents={"H1": 30, "H2": 90, "H3": 0})
    summary = stated_summary(assessment=assessment, hypothesis_keys=["H1", "H2", "H3"])
    assert summary["team"]["H1"] == pytest.approx(0.425)
    assert summary["team_coherence_weighted"]["H1"] == pytest.approx(0.558279, abs=1e-6)
    client.force_login(supervisor)
    page = client.get(f"/assessments/{assessment.pk}/judgments/").content.decode()
    assert "Team stated, coherence-weighted" in page and "<td>42.5%</td><td>55.8%</td>" in page
