"""The `indicators` section of `sat-workbench/assessment@1`: the demo file, round trips and bad files."""

import copy
import json
from pathlib import Path

import pytest

from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import
from apps.assessments.models import Assessment
from apps.indicators import services
from apps.indicators.models import Indicator, IndicatorSettings, Observation, Validation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

SMALL = {
    "format": "sat-workbench/assessment@1",
    "title": "Small",
    "question": "Which?",
    "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
    "evidence": [{"key": "E1", "summary": "First", "credibility": "high", "relevance": "high"}],
    "indicators": [
        {
            "key": "IND1",
            "statement": "Fighters arrive from outside Africa.",
            "category": "activity",
            "collection": "Border reporting",
            "citation": "§ 2 ¶3",
            "review_cadence_days": 90,
            "threshold": "emerging",
            "reviewed_on": "2013-01-15",
            "validations": [
                {"analyst": "alice", "hypothesis": "H1", "likelihood": "highly_likely"},
                {"analyst": "alice", "hypothesis": "H2", "likelihood": "unlikely"},
                {"analyst": "bob", "hypothesis": "H1", "likelihood": "likely"},
                {"analyst": "bob", "hypothesis": "H2", "likelihood": "unlikely"},
            ],
            "observations": [
                {"date": "2012-06-01", "status": "not_observed", "source": "Report A", "note": "", "analyst": "alice"},
                {"date": "2013-02-01", "status": "emerging", "source": "Report B", "note": "n", "evidence": "E1"},
            ],
        }
    ],
    "indicator_status_labels": {"emerging": "Stirring"},
}


def _import(data, team):
    return assessment_import(data=copy.deepcopy(data), team=team, create_analysts=True)


def test_the_demo_file_imports_every_indicator_with_its_ratings_and_history(team):
    data = json.loads((ROOT / "fixtures" / "aqim.json").read_text())
    assessment = _import(data, team)
    indicators = Indicator.objects.filter(assessment=assessment)
    assert indicators.count() == len(data["indicators"]) >= 12
    assert Validation.objects.filter(indicator__assessment=assessment).count() == sum(
        len(i["validations"]) for i in data["indicators"]
    )
    assert Observation.objects.filter(indicator__assessment=assessment).count() == sum(
        len(i["observations"]) for i in data["indicators"]
    )
    assert all(indicator.citation for indicator in indicators)
    assert Observation.objects.filter(indicator__assessment=assessment, evidence__key="E20").exists()


def test_import_keeps_each_analysts_judgments_the_history_and_the_renamed_steps(team):
    assessment = _import(SMALL, team)
    indicator = Indicator.objects.get(assessment=assessment)
    assert (indicator.key, indicator.review_cadence_days, str(indicator.reviewed_on)) == ("IND1", 90, "2013-01-15")
    assert set(indicator.validations.values_list("analyst__username", "hypothesis__key", "likelihood")) == {
        ("alice", "H1", "highly_likely"),
        ("alice", "H2", "unlikely"),
        ("bob", "H1", "likely"),
        ("bob", "H2", "unlikely"),
    }
    latest = indicator.observations.order_by("-date").first()
    assert (latest.status, latest.evidence.key, latest.analyst) == ("emerging", "E1", None)
    assert IndicatorSettings.objects.get(assessment=assessment).labels()["emerging"] == "Stirring"


def test_a_new_indicator_after_an_import_continues_the_key_sequence(team, analyst):
    assessment = _import(SMALL, team)
    created = services.indicator_create(assessment=assessment, user=analyst, statement="Next", threshold="emerging")
    assert created.key == "IND2"


def test_export_round_trips_and_adds_the_computed_results(team):
    assessment = _import(SMALL, team)
    exported = assessment_export(assessment=assessment)
    item = exported["indicators"][0]
    # Team H1 = (0.9 + 0.7) / 2 = 0.8, H2 = 0.3: diagnosticity 0.5 (medium).
    assert item["results"]["team"] == {"H1": 0.8, "H2": 0.3}
    assert (item["results"]["diagnosticity"], item["results"]["band"]) == (0.5, "medium")
    assert (item["results"]["status"], item["results"]["reached"], item["results"]["trend"]) == ("emerging", True, "up")
    assert exported["indicator_status_labels"]["emerging"] == "Stirring"
    assert exported["indicator_results"]["favoured"] == "H1"
    assert exported["indicator_results"]["scale"]["could"] == 0.5
    again = _import({**exported, "title": "Copy"}, team)
    second = assessment_export(assessment=again)
    assert second["indicators"] == exported["indicators"]
    assert second["indicator_status_labels"] == exported["indicator_status_labels"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda i: i["validations"].append({"analyst": "carol", "hypothesis": "H9", "likelihood": "could"}),
            "indicators[0].validations[4].hypothesis: no hypothesis with key H9",
        ),
        (
            lambda i: i["validations"].append({"analyst": "alice", "hypothesis": "H1", "likelihood": "could"}),
            "indicators[0].validations[4]: alice rates IND1×H1 twice",
        ),
        (
            lambda i: i["validations"].append({"analyst": "alice", "hypothesis": "H1", "likelihood": "probable"}),
            "indicators[0].validations[4].likelihood",
        ),
        (
            lambda i: i["observations"].append({"date": "2013-02-30", "status": "emerging", "source": "x"}),
            "indicators[0].observations[2].date: 2013-02-30 is not a real date.",
        ),
        (
            lambda i: i["observations"].append({"date": "2999-01-01", "status": "emerging", "source": "x"}),
            "indicators[0].observations[2].date: 2999-01-01 is in the future",
        ),
        (
            lambda i: i["observations"].append(
                {"date": "2013-03-01", "status": "emerging", "source": "x", "evidence": "E7"}
            ),
            "indicators[0].observations[2].evidence: no evidence with key E7",
        ),
        (
            lambda i: i["observations"].append({"date": "2013-03-01", "status": "imminent", "source": "x"}),
            "indicators[0].observations[2].status",
        ),
        (lambda i: i.update(threshold="not_observed"), "indicators[0].threshold"),
        (lambda i: i.update(review_cadence_days=0), "indicators[0].review_cadence_days"),
        (lambda i: i.update(cadence=30), "indicators[0]: Additional properties are not allowed"),
        (lambda i: i.pop("statement"), "indicators[0]: 'statement' is a required property"),
    ],
)
def test_a_bad_indicator_section_is_refused_naming_the_place_and_writes_nothing(team, mutate, message):
    data = copy.deepcopy(SMALL)
    mutate(data["indicators"][0])
    with pytest.raises(AssessmentFileError) as caught:
        _import(data, team)
    assert any(message in error for error in caught.value.errors), caught.value.errors
    assert not Assessment.objects.exists()
    assert not Indicator.objects.exists()


def test_duplicate_indicator_keys_and_clashing_step_names_are_refused(team):
    data = copy.deepcopy(SMALL)
    data["indicators"].append(copy.deepcopy(data["indicators"][0]))
    data["indicator_status_labels"] = {"emerging": "Not observed"}
    with pytest.raises(AssessmentFileError) as caught:
        _import(data, team)
    assert "indicators: duplicate key IND1" in caught.value.errors
    assert "indicator_status_labels: Each step needs a different name." in caught.value.errors
    assert not Assessment.objects.exists()
