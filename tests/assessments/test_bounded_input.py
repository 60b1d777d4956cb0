"""Hostile or oversized input gets a clear 400 or form error: never a 500, never a partial write."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessments.models import Activity, Assessment, Evidence

pytestmark = pytest.mark.django_db

GOOD = {
    "format": "sat-workbench/assessment@1",
    "title": "Small",
    "question": "Which?",
    "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
    "evidence": [{"key": "E1", "summary": "First", "credibility": "high", "relevance": "high"}],
    "ratings": [{"analyst": "alice", "evidence": "E1", "hypothesis": "H1", "rating": "C"}],
}


def _import(client, raw: bytes):
    upload = SimpleUploadedFile("a.json", raw, content_type="application/json")
    return client.post(reverse("assessments:import"), {"file": upload})


def _with(**changes) -> bytes:
    data = copy.deepcopy(GOOD)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a":' * 1000 + b"1" + b"}" * 1000, "nested more than"),
        (_with(evidence__0__date="2013-02-30"), "evidence[0].date"),
        (_with().replace(b'"title": "Small"', b'"title": "Small", "likelihoods": {"CC": NaN}'), "NaN"),
        (_with(evidence__0__summary="a\x00b"), "NUL character"),
        (_with().replace(b'"title": "Small"', b'"title": "Small", "title": "Other"'), "appears twice"),
        (_with(evidence__0__summary="x" * 6000), "evidence[0].summary: longer than 5000 characters"),
        (_with(hypotheses__0__statement="x" * 3000), "hypotheses[0].statement: longer than 2000 characters"),
    ],
)
def test_a_hostile_json_import_is_a_clear_400_and_writes_nothing(client, analyst, raw, message):
    client.force_login(analyst)
    response = _import(client, raw)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_import_with_145k_invalid_items_lists_the_first_100_problems_and_the_count(client, analyst):
    data = copy.deepcopy(GOOD)
    data["evidence"] = [{"key": "E1", "summary": "", "credibility": "x", "relevance": "high"}] * 145_000
    client.force_login(analyst)
    # How long it takes (target: under 10 s of CPU) is bench/bench_import_errors.py's, in `make bench`.
    response = _import(client, json.dumps(data, separators=(",", ":")).encode())
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("<li>") == 101
    assert "at least 10000 problems in all; the first 100 are listed" in body
    assert len(body) < 100_000


def test_a_nul_byte_in_a_review_comment_is_refused(client, supervisor, assessment):
    client.force_login(supervisor)
    response = client.post(
        reverse("assessments:review", args=[assessment.pk]), {"action": "comment", "comment": "a\x00b"}
    )
    assert response.status_code == 302  # back to the board, where the refusal is the message shown
    assert not Activity.objects.filter(kind=Activity.Kind.REVIEW).exists()


def test_evidence_form_refuses_an_overlong_summary_naming_the_field(client, analyst, assessment):
    client.force_login(analyst)
    before = Evidence.objects.count()
    response = client.post(
        reverse("assessments:evidence_create", args=[assessment.pk]),
        {"summary": "x" * 5001, "credibility": "medium", "relevance": "medium", "type": "report"},
        HTTP_HX_REQUEST="true",
    )
    assert "at most 5000 characters" in response.content.decode()
    assert Evidence.objects.count() == before


def _tabular(content: bytes, filename: str):
    from apps.assessments.tabular import evidence_file_parse

    return evidence_file_parse(content=content, filename=filename)


@pytest.mark.parametrize(("rows", "message"), [(500_000, "unpacks to too much data"), (150_000, "Too many rows")])
def test_an_xlsx_decompression_bomb_is_refused(rows, message):
    # How fast, and in how much memory (target: 5 s, 200 MB), is bench/bench_xlsx_bomb.py's, in `make bench`.
    from bench.xlsx_bomb import xlsx_bomb

    parsed = _tabular(xlsx_bomb(rows), "bomb.xlsx")
    assert not parsed.items
    assert any(message in error for error in parsed.file_errors), parsed.file_errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"summary\n" + b"x" * 140_000 + b"\n", "longer than 10000 characters"),
        (b'summary\n"' + b"x" * 140_000 + b'"\n', "longer than 10000 characters"),
        (b"summary\na\x00b\n", "NUL character"),
    ],
)
def test_an_oversized_or_nul_csv_cell_is_a_file_error(content, message):
    parsed = _tabular(content, "e.csv")
    assert any(message in error for error in parsed.file_errors), parsed.file_errors


def test_a_summary_over_its_limit_is_a_row_error_naming_the_field():
    parsed = _tabular(b"summary\n" + b"x" * 5001 + b"\n", "e.csv")
    assert "summary" in parsed.row_errors[1][0] and "at most 5000 characters" in parsed.row_errors[1][0]


def test_a_csv_cell_over_128_kb_through_the_page_is_a_clear_error(client, analyst, assessment):
    client.force_login(analyst)
    upload = SimpleUploadedFile("e.csv", b'summary\n"' + b"x" * 140_000 + b'"\n', content_type="text/csv")
    response = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"file": upload})
    assert response.status_code == 200  # the import page again, with the file's problem
    assert "longer than 10000 characters" in response.content.decode()


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, analyst, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(analyst)
    response = _import(client, b" " * (2 * 1024 * 1024) + json.dumps(GOOD).encode())
    assert response.status_code == 400
    assert not Assessment.objects.exists()
