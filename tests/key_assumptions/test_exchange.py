"""The "assumptions" section of sat-workbench/assessment@1: the AQIM fixture, round trips, bad files."""

import copy
import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone

from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import
from apps.assessments.models import Assessment
from apps.key_assumptions import services
from apps.key_assumptions.models import Assumption, EvidenceLink, Judgment
from tests import factories

from .conftest import make_assumption

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def aqim() -> dict:
    return json.loads((settings.BASE_DIR / "fixtures" / "aqim.json").read_text())


def _minimal(**assumption) -> dict:
    return {
        "format": "sat-workbench/assessment@1",
        "title": "Small",
        "question": "Which?",
        "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
        "evidence": [{"key": "E1", "summary": "Item", "credibility": "medium", "relevance": "medium"}],
        "assumptions": [{"key": "A1", "statement": "Premise", "confidence": "caveats", "impact": "high", **assumption}],
    }


def test_the_aqim_demo_imports_its_fourteen_assumptions_with_links_judgments_and_owners(team, aqim):
    assessment = assessment_import(data=aqim, team=team, create_analysts=True)
    assumptions = Assumption.objects.filter(assessment=assessment)
    assert assumptions.count() == 14
    a1 = assumptions.get(key="A1")
    assert a1.owner.username == "carol"
    assert a1.citation.startswith("Key Findings, bullet 4")
    assert [h.key for h in a1.supports.all()] == ["H4"]
    assert EvidenceLink.objects.filter(assumption__assessment=assessment, relation="challenges").count() >= 3
    assert Judgment.objects.filter(assumption=a1).count() == 3
    # The file's links were known when the assumptions were written: nothing needs re-check.
    assert not assumptions.filter(needs_recheck=True).exists()


def test_the_aqim_export_lists_the_key_uncertainties_first_and_the_disagreements(team, aqim):
    assessment = assessment_import(data=aqim, team=team, create_analysts=True)
    section = {a["key"]: a for a in assessment_export(assessment=assessment)["assumptions"]}
    # One rule everywhere: every unsupported assumption (and any with caveats and high impact), the review
    # board's. A3 and A5 are unsupported with high impact, so they head the check order.
    key_uncertainties = [key for key, a in section.items() if a["results"]["key_uncertainty"]]
    assert set(key_uncertainties) == {key for key, a in section.items() if a["confidence"] == "unsupported"} | {
        key for key, a in section.items() if a["confidence"] == "caveats" and a["impact"] == "high"
    }
    assert {"A3", "A5"} <= set(key_uncertainties) and len(key_uncertainties) > 2
    assert {section["A3"]["results"]["rank"], section["A5"]["results"]["rank"]} == {1, 2}
    # A2: alice solid, bob unsupported, carol caveats -> two steps apart.
    assert section["A2"]["results"]["team_spread"]["confidence"]["counts"] == {
        "solid": 1,
        "caveats": 1,
        "unsupported": 1,
    }
    assert section["A2"]["results"]["disagreement"] is True
    assert {
        "evidence": "E18",
        "note": "Droukdal publicly called for a long war against Americans and NATO.",
    } in section["A2"]["results"]["challenged_by"]


def test_export_then_import_then_export_gives_the_same_section(team, analyst, teammate, supervisor, assessment):
    a1 = make_assumption(assessment, analyst, confidence="unsupported", impact="high", citation="§2 ¶3")
    a2 = make_assumption(assessment, analyst, statement="Second premise", owner=teammate, less_true_now="Less so")
    services.assumption_update(
        assumption=a2,
        expected_version=a2.version,
        user=teammate,
        reason="Sharper",
        statement="Second premise, sharper",
        status="revised",
    )
    services.judgment_set(assumption=a1, analyst=analyst, confidence="solid", impact="high", note="mine")
    services.judgment_set(assumption=a1, analyst=teammate, confidence="unsupported", impact="low")
    services.evidence_link_set(
        assumption=a1, evidence=assessment.evidence.get(key="E1"), relation="supports", user=analyst, note="s"
    )
    services.evidence_link_set(
        assumption=a1, evidence=assessment.evidence.get(key="E2"), relation="challenges", user=analyst, note="c"
    )
    services.assumption_recheck(assumption=a1, user=analyst, reason="Still holds")
    services.evidence_link_set(
        assumption=a1, evidence=assessment.evidence.get(key="E3"), relation="challenges", user=teammate, note="new"
    )
    services.requirement_create(
        assumption=a1, user=analyst, need="Find the network", due=timezone.localdate() + datetime.timedelta(days=9)
    )
    services.evidence_link_set(
        assumption=a2, evidence=assessment.evidence.get(key="E3"), relation="supports", user=analyst
    )
    first = assessment_export(assessment=assessment)
    assert first["assumptions"][0]["flag"]["evidence"] == ["E3"]
    # The file carries the teammate's judgment: a team admin loads it on the team's behalf.
    team_admin = factories.member(team, "team_admin", username="tess")
    copy_of = assessment_import(data=copy.deepcopy(first), team=team, user=team_admin)
    second = assessment_export(assessment=copy_of)
    assert second["assumptions"] == first["assumptions"]
    assert second["assumption_checks"] == first["assumption_checks"]


def test_completed_rounds_round_trip(team, analyst, supervisor, assessment):
    make_assumption(assessment, analyst)
    services.check_complete(assessment=assessment, user=supervisor, note="first look")
    first = assessment_export(assessment=assessment)
    assert first["assumption_checks"][0]["round"] == 1
    assert first["assumption_checks"][0]["completed_by"] == "sam"
    second = assessment_export(assessment=assessment_import(data=first, team=team, user=analyst))
    assert second["assumption_checks"] == first["assumption_checks"]


def test_a_file_with_several_bad_assumptions_lists_every_problem_and_writes_nothing(team, analyst):
    data = _minimal(
        supports=["H9"],
        evidence_links=[
            {"evidence": "E7", "relation": "challenges"},
            {"evidence": "E1", "relation": "supports"},
            {"evidence": "E1", "relation": "challenges"},
        ],
        judgments=[
            {"analyst": "alice", "confidence": "solid", "impact": "low"},
            {"analyst": "alice", "confidence": "caveats", "impact": "low"},
        ],
        history=[{"at": "yesterday", "action": "created"}],
    )
    data["assumptions"].append(dict(data["assumptions"][0]))
    with pytest.raises(AssessmentFileError) as caught:
        assessment_import(data=data, team=team, user=analyst)
    errors = caught.value.errors
    assert "assumptions: duplicate key A1" in errors
    assert "assumptions[0].supports[0]: no hypothesis with key H9" in errors
    assert "assumptions[0].evidence_links[0].evidence: no evidence with key E7" in errors
    assert "assumptions[0].evidence_links[2]: E1 is linked twice" in errors
    assert "assumptions[0].judgments[1]: alice judges A1 twice" in errors
    assert "assumptions[0].history[0].at: not an ISO 8601 date and time: 'yesterday'" in errors
    assert not Assessment.objects.filter(title="Small").exists()


def test_an_unknown_confidence_level_is_refused_by_the_schema_naming_its_place(team, analyst):
    with pytest.raises(AssessmentFileError) as caught:
        assessment_import(data=_minimal(confidence="likely"), team=team, user=analyst)
    assert any(e.startswith("assumptions[0].confidence:") for e in caught.value.errors)


def test_a_misspelt_field_is_refused(team, analyst):
    with pytest.raises(AssessmentFileError) as caught:
        assessment_import(data=_minimal(confidense="solid"), team=team, user=analyst)
    assert any("confidense" in e for e in caught.value.errors)


def test_owners_and_judges_outside_the_team_are_refused_unless_created(team, analyst):
    data = _minimal(owner="zoe", judgments=[{"analyst": "yann", "confidence": "solid", "impact": "low"}])
    with pytest.raises(AssessmentFileError) as caught:
        assessment_import(data=data, team=team, user=analyst)
    assert [e for e in caught.value.errors if e.startswith("analyst ")] == [
        "analyst yann: not a member of team Maghreb Desk (use --create-analysts to create them)",
        "analyst zoe: not a member of team Maghreb Desk (use --create-analysts to create them)",
    ]
    admin = factories.member(team, "team_admin", username="tess")
    imported = assessment_import(data=data, team=team, user=admin, create_analysts=True)
    assert Assumption.objects.get(assessment=imported).owner.username == "zoe"
