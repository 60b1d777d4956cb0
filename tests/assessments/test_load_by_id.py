"""Loading an assessment file by its stable "id": update in place by keys, idempotent re-loads, duplicates."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.ach.models import Rating
from apps.assessments import services
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import, assessment_load
from apps.assessments.models import Activity, Assessment
from apps.assessments.selectors import assessment_history, history_tracked
from apps.indicators.models import Indicator
from apps.key_assumptions.models import Assumption
from tests import factories

pytestmark = pytest.mark.django_db

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


def _file(**changes):
    data = copy.deepcopy(AQIM)
    data["id"] = "aqim-2013"
    data.update(changes)
    return data


@pytest.fixture
def team_admin(team):
    # Only a team admin (or staff) may create the file's analysts' accounts.
    return factories.member(team, "team_admin", username="tess")


@pytest.fixture
def other_admin(other_team):
    return factories.member(other_team, "team_admin", username="otto")


def _renamed_analysts(data):
    # An import never attaches another team's accounts, so the other team's copy names its own analysts.
    text = json.dumps(data)
    for name in ("alice", "bob", "carol"):
        text = text.replace(f'"{name}"', f'"{name}-sahel"')
    return json.loads(text)


def _fingerprint(assessment):
    from simple_history.utils import get_history_model_for_model

    history_rows = {m.__name__: get_history_model_for_model(m).objects.count() for m, _ in history_tracked()}
    assessment.refresh_from_db()
    return history_rows, assessment.content_version, Activity.objects.filter(assessment=assessment).count()


def test_loading_the_same_file_again_changes_nothing(team, team_admin):
    first = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True)
    assert first.action == "created" and first.assessment.slug == "aqim-2013"
    before = _fingerprint(first.assessment)
    again = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True)
    assert (again.action, again.changes, again.assessment.pk) == ("unchanged", [], first.assessment.pk)
    assert _fingerprint(first.assessment) == before
    assert Assessment.objects.filter(team=team).count() == 1


def test_an_edited_file_updates_the_assessment_in_place_by_keys(team, team_admin):
    assessment = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True).assessment
    data = _file(title="AQIM, revised")
    data["evidence"][2]["summary"] = "A rewritten third item"
    data["evidence"].append({"key": "E900", "summary": "New item", "credibility": "high", "relevance": "low"})
    data["ratings"][0]["rating"] = "II"
    data["assumptions"][0]["statement"] = "A sharper first assumption"
    data["indicators"][0]["threshold"] = "fully_present"
    result = assessment_load(data=data, team=team, user=team_admin, create_analysts=True)

    assert result.action == "updated" and result.assessment.pk == assessment.pk
    assessment.refresh_from_db()
    assert assessment.title == "AQIM, revised"
    assert assessment.evidence.get(key=AQIM["evidence"][2]["key"]).summary == "A rewritten third item"
    assert assessment.evidence.filter(key="E900").exists() and assessment.evidence.count() == 54
    first = AQIM["ratings"][0]
    rating = Rating.objects.get(
        assessment=assessment,
        analyst__username=first["analyst"],
        evidence__key=first["evidence"],
        hypothesis__key=first["hypothesis"],
    )
    assert rating.get_value_display() == "II" and Rating.objects.filter(assessment=assessment).count() == 795
    assert Assumption.objects.get(assessment=assessment, key="A1").statement == "A sharper first assumption"
    assert Indicator.objects.get(assessment=assessment, key="IND1").threshold == "fully_present"
    # The change is in the history, attributed to the loader.
    edits = [c for c in assessment_history(assessment=assessment) if c.action == "edited" and c.user == team_admin]
    assert {("assessment", "title"), ("evidence", "summary"), ("rating", "value")} <= {
        (c.model, d[0]) for c in edits for d in c.diffs
    }
    assert Activity.objects.filter(assessment=assessment, message__startswith="Updated from file").count() == 1


def test_an_update_rescores_once_and_the_reload_does_not(team, team_admin):
    assessment = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True).assessment
    services.snapshot_compute(assessment_id=assessment.pk)
    data = _file()
    data["ratings"][5]["rating"] = "NA" if data["ratings"][5]["rating"] != "NA" else "C"
    assessment_load(data=data, team=team, user=team_admin, create_analysts=True)
    assert services.snapshot_compute(assessment_id=assessment.pk) is not None
    assessment_load(data=data, team=team, user=team_admin, create_analysts=True)
    assert services.snapshot_compute(assessment_id=assessment.pk) is None


def test_a_file_without_id_is_refused_the_second_time_unless_duplicates_are_allowed(team, team_admin):
    data = copy.deepcopy(AQIM)
    assessment_load(data=data, team=team, user=team_admin, create_analysts=True)
    with pytest.raises(AssessmentFileError) as exc:
        assessment_load(data=data, team=team, user=team_admin, create_analysts=True)
    assert "would create a duplicate" in exc.value.errors[0] and "--allow-duplicate" in exc.value.errors[0]
    assert Assessment.objects.filter(team=team).count() == 1
    assessment_load(data=data, team=team, user=team_admin, create_analysts=True, allow_duplicate=True)
    assert Assessment.objects.filter(team=team).count() == 2


def test_ids_are_per_team(team, other_team, team_admin, other_admin):
    mine = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True)
    theirs = assessment_load(data=_renamed_analysts(_file()), team=other_team, user=other_admin, create_analysts=True)
    assert theirs.action == "created" and theirs.assessment.pk != mine.assessment.pk
    assert theirs.assessment.team == other_team


def test_a_bad_id_is_reported_and_the_plain_import_refuses_an_existing_id(team, team_admin):
    with pytest.raises(AssessmentFileError) as exc:
        assessment_load(data=_file(id="Not a slug!"), team=team, create_analysts=True)
    assert exc.value.errors[0].startswith("id: ")
    assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True)
    with pytest.raises(AssessmentFileError, match="already has an assessment with id"):
        assessment_import(data=_file(), team=team, create_analysts=True)


def test_export_carries_the_id_so_export_then_load_is_unchanged(team, team_admin):
    assessment = assessment_load(data=_file(), team=team, user=team_admin, create_analysts=True).assessment
    exported = assessment_export(assessment=assessment)
    assert exported["id"] == "aqim-2013"
    assert assessment_load(data=exported, team=team, user=team_admin).action == "unchanged"


def test_command_says_created_then_unchanged(team, tmp_path, capsys):
    path = tmp_path / "aqim.json"
    path.write_text(json.dumps(_file()))
    call_command("import_assessment", str(path), "--team", team.name, "--create-analysts")
    first = capsys.readouterr()
    call_command("import_assessment", str(path), "--team", team.name, "--create-analysts")
    second = capsys.readouterr()
    assert first.out == second.out and "created" in first.err and "unchanged" in second.err
