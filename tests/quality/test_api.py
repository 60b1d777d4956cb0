"""The Quality of Information Check in the REST API, reached through the registry (apps/api names no technique):
the register in the full snapshot's `techniques`, each source's runs ("what if this source lies?") beside ACH's
other figures, and both as the caller's view shows them."""

import pytest

from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.models import Source
from tests.api.conftest import client_for

from .test_sources import _matrix

pytestmark = pytest.mark.django_db


def _latest(user, assessment) -> dict:
    response = client_for(user).get(f"/api/v1/assessments/{assessment.pk}/snapshots/latest/")
    assert response.status_code == 200
    return response.json()


def test_the_full_snapshot_carries_the_register_and_each_sources_runs(team, analyst):
    # As in test_sources: Agent X's two items favour H1; reversed they favour H2, without them the priors.
    assessment = _matrix(team, analyst, ["CC II", "C I", "N N"], e1={"origin": "Agent X"}, e2={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="D")
    services.snapshot_compute(assessment_id=assessment.pk)

    latest = _latest(analyst, assessment)
    register = latest["techniques"]["quality"]["sources"]["S1"]
    assert (register["name"], register["grade"], register["items"]) == ("Agent X", "D", ["E1", "E2"])
    run = latest["sources"]["S1"]
    assert latest["leader_by_posterior"] == "H1"
    assert (run["items"], run["without"]["leader"], run["reversed"]["leader"]) == (["E1", "E2"], "H1", "H2")
    assert run["without"]["posterior"]["H1"] == pytest.approx(0.5)
    # The list's summaries stay small: the runs are on the full snapshot only.
    listed = client_for(analyst).get(f"/api/v1/assessments/{assessment.pk}/snapshots/").json()["results"][0]
    assert "sources" not in listed and "techniques" not in listed


def test_an_analyst_with_rows_to_rate_gets_runs_without_teammates_ratings(team, analyst, teammate, supervisor):
    # bob (teammate) rated both of Agent X's items; alice (analyst) rated only E3, so her view hides E1 and E2.
    assessment = _matrix(team, teammate, ["CC II", "C I", "N N"], e1={"origin": "Agent X"}, e2={"origin": "Agent X"})
    e3 = assessment.evidence.get(key="E3")
    for hypothesis in assessment.hypotheses.all():
        rating_set(assessment=assessment, analyst=analyst, evidence_id=e3.pk, hypothesis_id=hypothesis.pk, label="N")
    services.snapshot_compute(assessment_id=assessment.pk)

    assert _latest(supervisor, assessment)["sources"]["S1"]["reversed"]["leader"] == "H2"
    mine = _latest(analyst, assessment)
    # In her view Agent X's rows carry no ratings: reversing or dropping them moves nothing (the priors).
    run = mine["sources"]["S1"]
    assert run["reversed"] == run["without"]
    assert run["without"]["leader"] == mine["leader_by_posterior"]
    assert list(run["without"]["posterior"].values()) == [0.5]
    assert mine["team"]["H1"]["posterior"] == pytest.approx(0.5)
    # The register itself is nobody's judgment: she sees it whole.
    assert mine["techniques"]["quality"]["sources"]["S1"]["items"] == ["E1", "E2"]
