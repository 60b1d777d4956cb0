import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.ach.models import Rating
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import
from apps.assessments.models import Assessment, Evidence, Hypothesis
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

SMALL = {
    "format": "sat-workbench/assessment@1",
    "title": "Small",
    "question": "Which?",
    "hypotheses": [{"key": "H1", "statement": "One", "prior": 0.6}, {"key": "H2", "statement": "Two", "prior": 0.4}],
    "evidence": [
        {"key": "E1", "summary": "First", "credibility": "high", "relevance": "high", "date": "2012-03-01"},
        {"key": "E2", "summary": "Second", "credibility": "low", "relevance": "medium", "type": "fact"},
    ],
    "ratings": [
        {"analyst": "alice", "evidence": "E1", "hypothesis": "H1", "rating": "CC"},
        {"analyst": "alice", "evidence": "E1", "hypothesis": "H2", "rating": "II"},
        {"analyst": "alice", "evidence": "E2", "hypothesis": "H2", "rating": "NA", "note": "not applicable"},
        {"analyst": "bob", "evidence": "E1", "hypothesis": "H1", "rating": "I"},
    ],
}


def _import(data, team, **kwargs):
    return assessment_import(data=copy.deepcopy(data), team=team, create_analysts=True, **kwargs)


def test_import_creates_the_assessment_with_keys_priors_and_ratings(team):
    assessment = _import(SMALL, team)
    assert [(h.key, h.prior) for h in assessment.hypotheses.order_by("order")] == [("H1", 0.6), ("H2", 0.4)]
    assert list(assessment.evidence.order_by("order").values_list("key", flat=True)) == ["E1", "E2"]
    assert Rating.objects.filter(assessment=assessment).count() == 4
    assert Rating.objects.get(analyst__username="alice", evidence__key="E2").note == "not applicable"
    assert team.memberships.filter(user__username="bob", role="analyst").exists()


def test_new_evidence_after_an_import_continues_the_key_sequence(team, analyst):
    from apps.assessments.services import evidence_create

    assessment = _import(SMALL, team)
    assert evidence_create(assessment=assessment, user=analyst, summary="next").key == "E3"


def test_export_round_trips_and_adds_computed_results(team):
    assessment = _import(SMALL, team)
    exported = assessment_export(assessment=assessment)
    assert exported["format"] == "sat-workbench/assessment@1"
    assert {r["analyst"] for r in exported["ratings"]} == {"alice", "bob"}
    team_scores = exported["scores"]["team"]
    assert set(team_scores) == {"H1", "H2"}
    assert set(team_scores["H1"]) == {"inconsistency", "weighted_inconsistency", "posterior"}
    assert abs(sum(s["posterior"] for s in team_scores.values()) - 1) < 1e-9
    assert set(exported["scores"]["analysts"]) == {"alice", "bob"}
    assert set(exported["evidence_metrics"]["E1"]) == {"diagnosticity", "linchpin_inconsistency", "linchpin_posterior"}
    assert exported["cells"]["E2"]["H1"] == {"consensus": None, "disagreement": 0.0}
    again = _import({**exported, "title": "Copy"}, team)
    second = assessment_export(assessment=again)
    for key in ("hypotheses", "evidence", "ratings", "scores", "evidence_metrics", "cells"):
        assert second[key] == exported[key]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["ratings"].append({"analyst": "alice", "evidence": "E2", "hypothesis": "H1", "rating": "XX"}),
            "ratings[4].rating",
        ),
        (
            lambda d: d["ratings"].append({"analyst": "alice", "evidence": "E9", "hypothesis": "H1", "rating": "C"}),
            "ratings[4].evidence: no evidence with key E9",
        ),
        (
            lambda d: d["ratings"].append({"analyst": "alice", "evidence": "E1", "hypothesis": "H7", "rating": "C"}),
            "ratings[4].hypothesis: no hypothesis with key H7",
        ),
        (
            lambda d: d["evidence"].append({"key": "E1", "summary": "dup", "credibility": "low", "relevance": "low"}),
            "evidence: duplicate key E1",
        ),
        (
            lambda d: d["hypotheses"].append({"key": "H1", "statement": "dup", "prior": 0.0}),
            "hypotheses: duplicate key H1",
        ),
        (lambda d: d["hypotheses"][0].update(prior=0.7), "Priors must sum to 1"),
        (lambda d: d["evidence"][0].update(credibility="certain"), "evidence[0].credibility"),
        (lambda d: d.update(format="something-else"), "format"),
        (lambda d: d.pop("question"), "'question' is a required property"),
        (lambda d: d["ratings"].append(dict(d["ratings"][0])), "alice rates E1×H1 twice"),
    ],
)
def test_a_bad_file_is_refused_naming_the_place_and_writes_nothing(team, mutate, message):
    data = copy.deepcopy(SMALL)
    mutate(data)
    with pytest.raises(AssessmentFileError) as error:
        _import(data, team)
    assert any(message in e for e in error.value.errors), error.value.errors
    assert not Assessment.objects.exists() and not Evidence.objects.exists() and not Hypothesis.objects.exists()


def test_unknown_analysts_are_refused_without_create_analysts(team):
    with pytest.raises(AssessmentFileError) as error:
        assessment_import(data=copy.deepcopy(SMALL), team=team, create_analysts=False)
    assert any("analyst alice: not a member of team" in e for e in error.value.errors)


def test_import_assessment_command_prints_the_new_id(team, tmp_path, capsys):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL))
    call_command("import_assessment", str(path), "--team", team.name, "--create-analysts")
    new_id = int(capsys.readouterr().out.strip())
    assert Assessment.objects.get(pk=new_id).title == "Small"


def test_import_assessment_command_lists_every_error(team, tmp_path):
    data = copy.deepcopy(SMALL)
    data["ratings"][0]["rating"] = "YES"
    data["hypotheses"][0]["prior"] = 0.9
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as error:
        call_command("import_assessment", str(path), "--team", team.name, "--create-analysts")
    assert "ratings[0].rating" in str(error.value)
    assert not Assessment.objects.exists()


def test_export_assessment_command_prints_json(team, capsys):
    assessment = _import(SMALL, team)
    call_command("export_assessment", str(assessment.pk))
    assert json.loads(capsys.readouterr().out)["title"] == "Small"


def test_the_demo_fixture_validates_against_the_json_schema():
    import jsonschema

    from apps.assessments.exchange import schema

    data = json.loads((ROOT / "fixtures" / "aqim.json").read_text())
    jsonschema.validate(data, schema())


def test_load_demo_is_idempotent(db, capsys):
    call_command("load_demo")
    first = (Assessment.objects.count(), Evidence.objects.count(), Rating.objects.count())
    call_command("load_demo")
    assert (Assessment.objects.count(), Evidence.objects.count(), Rating.objects.count()) == first
    assert "nothing to do" in capsys.readouterr().out


def test_the_demo_assessment_has_the_promised_content(db):
    call_command("load_demo")
    assessment = Assessment.objects.get()
    assert assessment.hypotheses.count() >= 5
    assert assessment.evidence.count() >= 30
    assert all(e.citation for e in assessment.evidence.all())
    assert set(Rating.objects.values_list("analyst__username", flat=True).distinct()) == {"alice", "bob", "carol"}


def test_upload_page_imports_a_file(client, analyst, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Only a team admin may create the accounts the file names (bob).
    client.force_login(factories.member(team, "team_admin", username="tess"))
    upload = SimpleUploadedFile("a.json", json.dumps(SMALL).encode(), content_type="application/json")
    response = client.post(reverse("assessments:import"), {"file": upload, "create_analysts": "1"})
    assert response.status_code == 302
    assert Assessment.objects.get().team.name == "Maghreb Desk"


def test_upload_page_lists_errors_and_imports_nothing(client, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(analyst)
    upload = SimpleUploadedFile("a.json", b"{not json", content_type="application/json")
    response = client.post(reverse("assessments:import"), {"file": upload})
    assert "Not valid JSON" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_downloads_in_each_format(client, analyst, team, fmt):
    assessment = _import(SMALL, team)
    client.force_login(analyst)
    response = client.get(reverse("ach:export", args=[assessment.pk, fmt]))
    assert response.status_code == 200
    assert f"assessment-{assessment.pk}.{fmt}" in response["Content-Disposition"]


def test_csv_export_lists_evidence_with_consensus_columns(client, analyst, team):
    assessment = _import(SMALL, team)
    client.force_login(analyst)
    lines = client.get(reverse("ach:export", args=[assessment.pk, "csv"])).content.decode().splitlines()
    assert lines[0].split(",")[:8] == [
        "key",
        "summary",
        "source",
        "citation",
        "date",
        "type",
        "credibility",
        "relevance",
    ]
    assert lines[0].endswith("H1 consensus,H2 consensus")
    # E1: alice CC and bob I on H1 → mean 0.5 → rounds toward neutral: N.  H2: alice II.
    assert lines[1].endswith(",N,II")


def test_csv_export_carries_the_origin_and_leaves_an_unrated_items_diagnosticity_empty(client, analyst, team):
    import csv

    data = copy.deepcopy(SMALL)
    data["evidence"][0]["origin"] = "Informant A"
    data["evidence"].append({"key": "E3", "summary": "Third", "credibility": "medium", "relevance": "medium"})
    assessment = _import(data, team)
    client.force_login(analyst)
    content = client.get(reverse("ach:export", args=[assessment.pk, "csv"])).content.decode()
    rows = {row["key"]: row for row in csv.DictReader(content.splitlines())}
    assert rows["E1"]["origin"] == "Informant A"
    assert rows["E2"]["origin"] == ""
    assert float(rows["E1"]["diagnosticity"]) > 0
    # Nobody rated E3: no diagnosticity yet, rather than a number.
    assert rows["E3"]["diagnosticity"] == ""


def test_xlsx_export_lists_every_rating_in_long_format(client, analyst, team):
    import io

    import openpyxl

    assessment = _import(SMALL, team)
    client.force_login(analyst)
    content = client.get(reverse("ach:export", args=[assessment.pk, "xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Ratings"]
    rows = sorted(tuple(row) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("alice", "E1", "H1", "CC"),
        ("alice", "E1", "H2", "II"),
        ("alice", "E2", "H2", "NA"),
        ("bob", "E1", "H1", "I"),
    ]
