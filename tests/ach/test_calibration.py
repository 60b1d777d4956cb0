"""Origins, the reliability setting, sensitivity, stated probabilities and resolution: services and export."""

import copy
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.ach import services
from apps.ach.models import Resolution, Statement
from apps.ach.postmortem import brier_scores_for_user, calibration_get
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import
from apps.assessments.services import snapshot_compute

pytestmark = pytest.mark.django_db

# Alice: E1 C/I and E2 C/I from one informant; bob: E1 I/C. Reliability of E1 and E2 (high/high) is .9 × 1 = .9.
TWO = {
    "format": "sat-workbench/assessment@1",
    "title": "Two",
    "question": "Which?",
    "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
    "evidence": [
        {"key": "E1", "summary": "First", "credibility": "high", "relevance": "high", "origin": "Informant X"},
        {"key": "E2", "summary": "Second", "credibility": "high", "relevance": "high", "origin": " informant  x"},
        {"key": "E3", "summary": "Nobody rated this", "credibility": "low", "relevance": "low"},
    ],
    "ratings": [
        {"analyst": "alice", "evidence": "E1", "hypothesis": "H1", "rating": "C"},
        {"analyst": "alice", "evidence": "E1", "hypothesis": "H2", "rating": "I"},
        {"analyst": "alice", "evidence": "E2", "hypothesis": "H1", "rating": "C"},
        {"analyst": "alice", "evidence": "E2", "hypothesis": "H2", "rating": "I"},
        {"analyst": "bob", "evidence": "E1", "hypothesis": "H1", "rating": "I"},
        {"analyst": "bob", "evidence": "E1", "hypothesis": "H2", "rating": "C"},
    ],
}


def _import(data, team):
    return assessment_import(data=copy.deepcopy(data), team=team, create_analysts=True)


def test_export_carries_origins_reliability_and_sensitivity_with_the_discounted_dependent_posterior(team):
    exported = assessment_export(assessment=_import(TWO, team))
    # One source in the register for both spellings, named as first written (docs/techniques/quality.md).
    assert [e["origin"] for e in exported["evidence"]] == ["Informant X", "Informant X", ""]
    assert exported["reliability"]["credibility"] == {"low": 0.5, "medium": 0.7, "high": 0.9}
    # Alice: p = .9 × .8 + .05 = .77 and .9 × .2 + .05 = .23 on both items of one origin, each counted ½:
    # H1 = .77 / (.77 + .23) = .77, 4 cells. Bob: .23, 2 cells. Team = (4 × .77 + 2 × .23) / 6 = .59.
    team_scores = exported["scores"]["team"]
    assert team_scores["H1"]["posterior"] == pytest.approx(0.59)
    assert exported["evidence_metrics"]["E3"]["diagnosticity"] is None
    sensitivity = exported["sensitivity"]
    assert set(sensitivity) == {"items_to_change_leader", "removal_order", "searched", "without_analyst", "overlaps"}
    # Removing E1 leaves alice on E2 alone (.77, 2 cells) and bob with nothing: H1 still leads. Removing E2
    # leaves alice .77 and bob .23 with 2 cells each: .5 and .5, a tie, which H1 keeps as the earliest. E1 is
    # removed first (margin .54 against .0); then without E2 only the priors remain, a tie: H1 holds.
    assert sensitivity["removal_order"][0] in {"E1", "E2"}
    assert sensitivity["items_to_change_leader"] is None
    assert sensitivity["searched"] == 3
    assert sensitivity["without_analyst"]["bob"] == {"leader": "H1", "posterior": {"H1": 0.77, "H2": 0.23}}
    assert sensitivity["without_analyst"]["alice"]["leader"] == "H2"
    assert sensitivity["overlaps"] == []


def test_import_reads_the_reliability_setting_and_refuses_factors_outside_zero_to_one(team):
    data = copy.deepcopy(TWO)
    data["reliability"] = {"credibility": {"high": 1.0}}
    assessment = _import(data, team)
    assert assessment.reliability["credibility"]["high"] == 1.0
    assert assessment_export(assessment=assessment)["reliability"]["credibility"]["high"] == 1.0
    data["reliability"] = {"credibility": {"high": 0}}
    with pytest.raises(AssessmentFileError):
        _import(data, team)


def test_reliability_set_validates_and_bumps_the_version(assessment):
    version = assessment.content_version
    services.reliability_set(assessment=assessment, reliability={"relevance": {"low": 0.2}})
    assessment.refresh_from_db()
    assert assessment.reliability["relevance"] == {"low": 0.2, "medium": 0.75, "high": 1.0}
    assert assessment.content_version == version + 1
    with pytest.raises(ValidationError):
        services.reliability_set(assessment=assessment, reliability={"relevance": {"low": 1.2}})


def test_stated_probabilities_are_kept_as_entered_with_history_and_exported_normalised(team):
    assessment = _import(TWO, team)
    alice = assessment.team.members.get(username="alice")
    services.stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 50, "H2": 50})
    services.stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 60, "H2": 60})
    assert Statement.objects.filter(assessment=assessment, analyst=alice).count() == 2
    stated = assessment_export(assessment=assessment)["stated"]
    # The latest statement: 60 + 60 = 120, incoherence 20, used as .5 and .5.
    assert stated["analysts"]["alice"]["percent"] == {"H1": 60.0, "H2": 60.0}
    assert stated["analysts"]["alice"]["probability"] == {"H1": 0.5, "H2": 0.5}
    assert stated["incoherence"] == {"alice": 20.0}
    assert stated["team"] == {"H1": 0.5, "H2": 0.5}
    assert "calibration" not in assessment_export(assessment=assessment)


def test_stated_probabilities_need_every_hypothesis_and_percentages(team):
    assessment = _import(TWO, team)
    alice = assessment.team.members.get(username="alice")
    for percents in (
        {"H1": 50},
        {"H1": 50, "H2": 120},
        {"H1": 0, "H2": 0},
        {"H1": "x", "H2": 5},
        {"H1": 1, "H2": 1, "H9": 1},
    ):
        with pytest.raises(ValidationError):
            services.stated_probabilities_set(assessment=assessment, analyst=alice, percents=percents)
    assert not Statement.objects.exists()


def test_only_a_supervisor_resolves_and_only_once(team, supervisor):
    assessment = _import(TWO, team)
    alice = assessment.team.members.get(username="alice")
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.assessment_resolve(assessment=assessment, user=alice, outcome="H1", resolved_on=today)
    with pytest.raises(ValidationError):
        services.assessment_resolve(assessment=assessment, user=supervisor, outcome="H9", resolved_on=today)
    with pytest.raises(ValidationError):
        services.assessment_resolve(
            assessment=assessment, user=supervisor, outcome="H1", resolved_on=today + dt.timedelta(days=1)
        )
    services.assessment_resolve(assessment=assessment, user=supervisor, outcome=None, resolved_on=today)
    with pytest.raises(ValidationError):
        services.assessment_resolve(assessment=assessment, user=supervisor, outcome="H1", resolved_on=today)
    assert Resolution.objects.get(assessment=assessment).outcome is None


def test_calibration_scores_the_stated_and_computed_probabilities_before_the_resolution(team, supervisor):
    assessment = _import(TWO, team)
    snapshot_compute(assessment_id=assessment.pk)
    alice = assessment.team.members.get(username="alice")
    services.stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 70, "H2": 30})
    services.assessment_resolve(
        assessment=assessment, user=supervisor, outcome="H2", resolved_on=timezone.localdate(), note="It was H2."
    )
    # A statement after the resolution does not count.
    services.stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 0, "H2": 100})
    calibration = assessment_export(assessment=assessment)["calibration"]
    assert calibration["outcome"] == "H2"
    # Stated: (.7 − 0)² + (.3 − 1)² = .98. Computed: alice .77 on H1 → .77² + .77² = 1.1858; the team .59 →
    # .59² × 2 = .6962; bob .23 → .23² × 2 = .1058; bob stated nothing.
    assert calibration["brier"]["analysts"]["alice"] == pytest.approx({"stated": 0.98, "computed": 1.1858})
    assert calibration["brier"]["analysts"]["bob"] == {"stated": None, "computed": pytest.approx(0.1058)}
    assert calibration["brier"]["team"] == pytest.approx({"stated": 0.98, "computed": 0.6962})
    # Consensus on H2: E1 (alice I, bob C → mean 0 → N), E2 (alice I), E3 unrated: E2 misled.
    assert calibration["misleading_evidence"] == ["E2"]
    assert brier_scores_for_user(user=alice)[0]["stated"] == pytest.approx(0.98)
    assert calibration_get(assessment=assessment) == calibration
