import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessments.models import Evidence
from apps.assessments.tabular import evidence_file_parse

GOOD = (
    "summary,source,citation,date,type,credibility,relevance\n"
    "A report,Wire,p.3,2012-04-01,report,high,low\n"
    "A fact,,,,fact,,\n"
)


def _csv(text: str):
    return evidence_file_parse(content=text.encode(), filename="e.csv")


def test_a_good_csv_parses_every_row_with_defaults():
    parsed = _csv(GOOD)
    assert parsed.ok
    assert [item["summary"] for item in parsed.items] == ["A report", "A fact"]
    assert (parsed.items[1]["credibility"], parsed.items[1]["relevance"], parsed.items[1]["type"]) == (
        "medium",
        "medium",
        "fact",
    )
    assert parsed.items[0]["date"].isoformat() == "2012-04-01"


def test_header_names_are_case_insensitive_and_order_free():
    parsed = _csv("Relevance,SUMMARY\nhigh,Something\n")
    assert parsed.ok and parsed.items[0]["relevance"] == "high"


@pytest.mark.parametrize(
    ("text", "row", "message"),
    [
        ("summary,credibility\nx,enormous\n", 1, "credibility"),
        ("summary,relevance\nx,HIGHEST\n", 1, "relevance"),
        ("summary,date\nx,12/04/2012\n", 1, "date"),
        ("summary,type\nx,rumour\n", 1, "type"),
        ("summary,source\n,Wire\n", 1, "summary"),
        ("summary\nok\nfine,extra\n", 2, "has 2 cells but the header has 1 columns"),
        ("summary,source\nok,{}\n".format("s" * 301), 1, "source"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_row_number(text, row, message):
    parsed = _csv(text)
    assert not parsed.ok
    assert any(message in error for error in parsed.row_errors[row]), parsed.row_errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("summary,colour\nx,red\n", "Unknown columns: colour"),
        ("source\nWire\n", "Missing required column: summary"),
        ("summary,summary\nx,y\n", "Duplicate columns: summary"),
        ("summary\n", "no evidence rows"),
    ],
)
def test_file_level_problems_are_reported(text, message):
    parsed = _csv(text)
    assert any(message in error for error in parsed.file_errors), parsed.file_errors


def test_a_non_utf8_csv_is_refused():
    parsed = evidence_file_parse(content="summary\nca\xe9\n".encode("latin-1"), filename="e.csv")
    assert parsed.file_errors == ["The CSV file is not UTF-8 text."]


def test_an_unknown_extension_is_refused():
    assert evidence_file_parse(content=b"x", filename="e.txt").file_errors == ["Upload a .csv or .xlsx file."]


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_file_parses_like_a_csv():
    import datetime

    content = _xlsx([["summary", "date", "credibility"], ["From a sheet", datetime.datetime(2013, 1, 16), "high"]])
    parsed = evidence_file_parse(content=content, filename="e.xlsx")
    assert parsed.ok and parsed.items[0]["date"].isoformat() == "2013-01-16"


def test_a_corrupt_xlsx_is_refused():
    assert evidence_file_parse(content=b"PK not really", filename="e.xlsx").file_errors == [
        "The file is not a readable XLSX workbook."
    ]


@pytest.mark.django_db
def test_preview_lists_row_errors_and_imports_nothing(client, analyst, assessment):
    client.force_login(analyst)
    upload = SimpleUploadedFile("e.csv", b"summary,credibility\ngood,high\nbad,enormous\n")
    response = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"file": upload})
    body = response.content.decode()
    assert "1 with errors" in body and "credibility" in body
    assert 'name="confirm"' not in body
    assert assessment.evidence.count() == 5


@pytest.mark.django_db
def test_preview_then_confirm_imports_every_row_in_one_version(client, analyst, assessment):
    client.force_login(analyst)
    upload = SimpleUploadedFile("e.csv", GOOD.encode())
    preview = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"file": upload})
    token = preview.context["confirm"]
    response = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"confirm": token})
    assert response.status_code == 302
    new = Evidence.objects.filter(assessment=assessment, summary__in=["A report", "A fact"])
    assert new.count() == 2
    assert len({e.added_in_version for e in new}) == 1


@pytest.mark.django_db
def test_a_tampered_confirmation_is_refused(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"confirm": "forged:token"})
    assert response.status_code == 400
    assert assessment.evidence.count() == 5


@pytest.mark.django_db
def test_a_confirmation_for_another_assessment_is_refused(client, analyst, assessment, team):
    from tests.factories import assessment_with_matrix

    other = assessment_with_matrix(team=team, user=analyst, evidence=1)
    client.force_login(analyst)
    preview = client.post(
        reverse("assessments:evidence_import", args=[other.pk]), {"file": SimpleUploadedFile("e.csv", GOOD.encode())}
    )
    response = client.post(
        reverse("assessments:evidence_import", args=[assessment.pk]), {"confirm": preview.context["confirm"]}
    )
    assert response.status_code == 403
    assert assessment.evidence.count() == 5


@pytest.mark.django_db
def test_the_service_rejects_a_batch_with_one_bad_item_whole(analyst, assessment):
    from django.core.exceptions import ValidationError

    from apps.assessments.services import evidence_add

    with pytest.raises(ValidationError) as error:
        evidence_add(
            assessment=assessment,
            user=analyst,
            items=[{"summary": "ok"}, {"summary": "x", "credibility": "no"}],
            via="t",
        )
    assert "row 2" in error.value.message_dict
    assert assessment.evidence.count() == 5


@pytest.mark.django_db
def test_a_second_confirm_of_the_same_preview_is_refused_and_imports_nothing(client, analyst, assessment):
    client.force_login(analyst)
    url = reverse("assessments:evidence_import", args=[assessment.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("e.csv", GOOD.encode())})
    confirm = preview.context["confirm"]
    assert client.post(url, {"confirm": confirm}).status_code == 302
    again = client.post(url, {"confirm": confirm})
    assert again.status_code == 400
    assert "already confirmed" in again.content.decode()
    assert Evidence.objects.filter(assessment=assessment, summary="A report").count() == 1


@pytest.mark.django_db
def test_another_users_preview_cannot_be_confirmed(client, analyst, teammate, assessment):
    client.force_login(analyst)
    url = reverse("assessments:evidence_import", args=[assessment.pk])
    confirm = client.post(url, {"file": SimpleUploadedFile("e.csv", GOOD.encode())}).context["confirm"]
    client.force_login(teammate)
    assert client.post(url, {"confirm": confirm}).status_code == 400
    assert assessment.evidence.count() == 5


@pytest.mark.django_db
def test_a_valid_9_mb_csv_previews_and_confirms(client, analyst, assessment):
    rows = 3000
    summary = "x" * 2990
    content = "summary,credibility,relevance\n" + "".join(f"{i} {summary},high,medium\n" for i in range(rows))
    assert len(content.encode()) > 9_000_000
    client.force_login(analyst)
    url = reverse("assessments:evidence_import", args=[assessment.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("big.csv", content.encode())})
    confirm = preview.context["confirm"]
    assert len(f'name="confirm" value="{confirm}"') < 100  # the rows stay on the server, not in the page
    response = client.post(url, {"confirm": confirm})
    assert response.status_code == 302
    assert assessment.evidence.count() == 5 + rows


def test_the_sweep_purges_old_previews_but_not_loads_in_progress(analyst, assessment):
    from datetime import timedelta

    from django.utils import timezone

    from apps.assessments.models import PendingImport
    from apps.assessments.tasks import sweep_stale_assessments

    def pending(status, hours_ago):
        row = PendingImport.objects.create(
            team=assessment.team, assessment=assessment, user=analyst, via="csv", payload=[], status=status
        )
        PendingImport.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
        return row.pk

    old_preview = pending(PendingImport.Status.PREVIEWED, 2)
    old_running = pending(PendingImport.Status.RUNNING, 2)
    fresh_preview = pending(PendingImport.Status.PREVIEWED, 0)
    sweep_stale_assessments()
    assert set(PendingImport.objects.values_list("pk", flat=True)) == {old_running, fresh_preview}
    assert old_preview not in set(PendingImport.objects.values_list("pk", flat=True))
