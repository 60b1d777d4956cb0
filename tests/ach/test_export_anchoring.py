"""Exports follow the page's anchoring rule: an analyst sees teammates' ratings of a row once they rated all of it."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from apps.ach.services import rating_set

pytestmark = pytest.mark.django_db

SECRET = "bob-thinks-E2-is-decisive"


@pytest.fixture
def rated(assessment, analyst, teammate):
    """alice rated all of E1 and nothing of E2; bob rated E1 and E2 (with a note on E2)."""
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for h in hypotheses:
        rating_set(assessment=assessment, analyst=analyst, evidence_id=evidence[0].pk, hypothesis_id=h.pk, label="C")
        rating_set(assessment=assessment, analyst=teammate, evidence_id=evidence[0].pk, hypothesis_id=h.pk, label="I")
        rating_set(
            assessment=assessment,
            analyst=teammate,
            evidence_id=evidence[1].pk,
            hypothesis_id=h.pk,
            label="II",
            note=SECRET,
        )
    return assessment


def _get(client, user, assessment, fmt):
    client.force_login(user)
    return client.get(reverse("ach:export", args=[assessment.pk, fmt])).content


def test_json_export_hides_teammates_ratings_and_notes_of_rows_the_analyst_has_not_rated(client, analyst, rated):
    body = _get(client, analyst, rated, "json")
    data = json.loads(body)
    assert SECRET not in body.decode()
    assert {(r["analyst"], r["evidence"]) for r in data["ratings"]} == {("alice", "E1"), ("bob", "E1")}
    assert all(cell["consensus"] is None for cell in data["cells"]["E2"].values())
    assert data["cells"]["E1"]["H1"]["consensus"] is not None
    assert set(data["scores"]["analysts"]) == {"alice"}


def test_csv_and_xlsx_exports_hide_the_consensus_and_ratings_of_unrated_rows(client, analyst, rated):
    rows = list(csv.reader(io.StringIO(_get(client, analyst, rated, "csv").decode())))
    assert rows[2][0] == "E2" and rows[2][-3:] == ["", "", ""]
    assert rows[1][0] == "E1" and rows[1][-3:] != ["", "", ""]
    workbook = openpyxl.load_workbook(io.BytesIO(_get(client, analyst, rated, "xlsx")))
    ratings = {(row[0], row[1]) for row in workbook["Ratings"].iter_rows(min_row=2, values_only=True)}
    assert ratings == {("alice", "E1"), ("bob", "E1")}


def test_supervisors_exports_show_everything(client, supervisor, rated):
    data = json.loads(_get(client, supervisor, rated, "json"))
    assert ("bob", "E2", SECRET) in {(r["analyst"], r["evidence"], r.get("note")) for r in data["ratings"]}
    rows = list(csv.reader(io.StringIO(_get(client, supervisor, rated, "csv").decode())))
    assert rows[2][-3:] == ["II", "II", "II"]
    workbook = openpyxl.load_workbook(io.BytesIO(_get(client, supervisor, rated, "xlsx")))
    assert ("bob", "E2") in {(row[0], row[1]) for row in workbook["Ratings"].iter_rows(min_row=2, values_only=True)}


def test_json_export_hides_teammates_assumption_judgments_until_the_analyst_judges(
    client, analyst, teammate, supervisor, assessment
):
    from apps.key_assumptions import services as kac

    assumption = kac.assumption_create(
        assessment=assessment,
        user=analyst,
        statement="AQIM lacks operatives in Europe.",
        confidence="caveats",
        impact="medium",
        could_be_untrue="A diaspora network.",
        owner=analyst,
    )
    kac.judgment_set(assumption=assumption, analyst=teammate, confidence="unsupported", impact="high", note=SECRET)
    body = _get(client, analyst, assessment, "json").decode()
    assert SECRET not in body
    item = json.loads(body)["assumptions"][0]
    assert item["judgments"] == [] and item["results"]["team_spread"] is None
    kac.judgment_set(assumption=assumption, analyst=analyst, confidence="solid", impact="low")
    assert SECRET in _get(client, analyst, assessment, "json").decode()
    assert SECRET in _get(client, supervisor, assessment, "json").decode()
