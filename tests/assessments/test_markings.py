"""Handling markings: the site's list, on every page of a marked assessment, in every export."""

import copy
import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from apps.assessments import services
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import
from apps.assessments.models import Marking
from apps.assessments.selectors import assessment_history
from apps.assessments.tabular import evidence_file_parse
from tests.conftest import login

pytestmark = pytest.mark.django_db

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


@pytest.fixture
def marking(db):
    return Marking.objects.create(name="OFFICIAL-SENSITIVE")


@pytest.fixture
def marked(assessment, analyst, marking):
    return services.assessment_marking_set(assessment=assessment, user=analyst, marking=marking)


@pytest.mark.parametrize(
    "name", ["ach:matrix", "assessments:activity", "key_assumptions:check", "indicators:board", "assessments:history"]
)
def test_every_page_of_a_marked_assessment_shows_the_marking(client, analyst, marked, name):
    login(client, analyst)
    page = client.get(reverse(name, args=[marked.pk])).content.decode()
    assert '<div class="marking" id="marking"' in page and "OFFICIAL-SENSITIVE" in page


def test_unmarked_pages_show_no_marking(client, analyst, assessment):
    login(client, analyst)
    assert 'id="marking"' not in client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert 'id="marking"' not in client.get(reverse("assessments:list")).content.decode()


def test_json_export_carries_the_marking(client, analyst, marked):
    login(client, analyst)
    data = json.loads(client.get(reverse("ach:export", args=[marked.pk, "json"])).content)
    assert data["marking"] == "OFFICIAL-SENSITIVE"


def test_csv_and_xlsx_exports_start_with_the_marking(client, analyst, marked):
    login(client, analyst)
    content = client.get(reverse("ach:export", args=[marked.pk, "csv"])).content
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == ["Handling marking: OFFICIAL-SENSITIVE"] and rows[1][0] == "key"
    content = client.get(reverse("ach:export", args=[marked.pk, "xlsx"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert [ws.cell(1, 1).value for ws in workbook.worksheets] == ["Handling marking: OFFICIAL-SENSITIVE"] * 3
    assert [ws.cell(2, 1).value for ws in workbook.worksheets] == ["key", "analyst", "hypothesis"]


def test_evidence_import_skips_a_leading_marking_row():
    content = b"Handling marking: OFFICIAL-SENSITIVE\nsummary,credibility,relevance\nA meeting,high,low\n"
    parsed = evidence_file_parse(content=content, filename="x.csv")
    assert not parsed.file_errors and [i["summary"] for i in parsed.items] == ["A meeting"]


def test_import_takes_a_marking_from_the_list_and_refuses_an_unknown_one(team, marking):
    data = copy.deepcopy(AQIM)
    data["marking"] = "TOP SECRET"
    with pytest.raises(AssessmentFileError) as exc:
        assessment_import(data=data, team=team, create_analysts=True)
    assert exc.value.errors == ["marking: no handling marking named “TOP SECRET” (the site admin keeps the list)"]
    data["marking"] = "OFFICIAL-SENSITIVE"
    imported = assessment_import(data=data, team=team, create_analysts=True)
    assert imported.marking == marking
    assert assessment_export(assessment=imported)["marking"] == "OFFICIAL-SENSITIVE"


def test_analyst_sets_the_marking_and_it_is_in_the_history(client, analyst, assessment, marking):
    login(client, analyst)
    response = client.post(reverse("assessments:marking", args=[assessment.pk]), {"marking": marking.pk})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.marking == marking
    changes = [c for c in assessment_history(assessment=assessment) if c.model == "assessment" and c.action == "edited"]
    assert changes[-1].user == analyst and ("marking_id", None, marking.pk) in changes[-1].diffs


def test_supervisor_gets_403_and_outsider_404_when_setting_the_marking(
    client, supervisor, outsider, assessment, marking
):
    url = reverse("assessments:marking", args=[assessment.pk])
    login(client, supervisor)
    assert client.post(url, {"marking": marking.pk}).status_code == 403
    login(client, outsider)
    assert client.post(url, {"marking": marking.pk}).status_code == 404
    assessment.refresh_from_db()
    assert assessment.marking is None


def test_site_admin_maintains_the_list_in_the_admin(client, marking):
    from tests import factories

    admin_user = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    login(client, admin_user)
    response = client.post(reverse("admin:assessments_marking_add"), {"name": "NATO RESTRICTED", "order": 2})
    assert response.status_code == 302
    assert list(Marking.objects.values_list("name", flat=True)) == ["OFFICIAL-SENSITIVE", "NATO RESTRICTED"]
