"""One-line fields (titles, sources, citations, origins, marking names) refuse control characters at every door.

A newline in a title was accepted, then silently stopped every e-mail about the assessment (a header cannot
hold one).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessments import services
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_import, assessment_load
from apps.assessments.models import Assessment
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

TITLE = "Sahel\nBcc: everyone@example.org"


def test_the_new_assessment_form_refuses_a_title_with_a_line_break(client, team, analyst):
    client.force_login(analyst)
    response = client.post(reverse("assessments:create"), {"title": TITLE, "question": "Which?"})
    assert response.status_code == 200
    assert "Write this on one line" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_json_import_with_a_multi_line_title_or_source_is_refused_and_writes_nothing(client, team, analyst):
    data = {
        "format": "sat-workbench/assessment@1",
        "title": TITLE,
        "question": "Which?",
        "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
        "evidence": [
            {"key": "E1", "summary": "First", "source": "Wire\tservice", "credibility": "high", "relevance": "high"}
        ],
    }
    client.force_login(analyst)
    upload = SimpleUploadedFile("a.json", json.dumps(data).encode(), content_type="application/json")
    response = client.post(reverse("assessments:import"), {"file": upload})
    assert response.status_code == 400 and "title: Write this on one line" in response.content.decode()
    data["title"] = "Sahel"
    with pytest.raises(AssessmentFileError, match="source: Write this on one line"):
        assessment_import(data=data, team=team, user=analyst)
    assert not Assessment.objects.exists()


def test_services_refuse_control_characters_whatever_called_them(assessment, analyst):
    with pytest.raises(Exception, match="one line"):
        services.assessment_update(assessment=assessment, user=analyst, title=TITLE)
    evidence = assessment.evidence.first()
    with pytest.raises(Exception, match="one line"):
        services.evidence_update(
            evidence=evidence, user=analyst, expected_version=evidence.version, citation="p. 3\x00"
        )
    assessment.refresh_from_db()
    evidence.refresh_from_db()
    assert "\n" not in assessment.title and evidence.citation == "" and evidence.version == 1


def test_a_file_load_by_id_with_a_multi_line_title_is_refused(assessment, team):
    Assessment.objects.filter(pk=assessment.pk).update(slug="one-line")
    data = {**assessment_export(assessment=Assessment.objects.get(pk=assessment.pk)), "title": TITLE}
    with pytest.raises(AssessmentFileError, match="title: Write this on one line"):
        assessment_load(data=data, team=team, user=None)
    assert Assessment.objects.get(pk=assessment.pk).title != TITLE


def test_the_api_refuses_an_evidence_source_with_a_line_break(assessment, analyst):
    response = client_for(analyst).post(
        f"/api/v1/assessments/{assessment.pk}/evidence/",
        {"summary": "From the feed", "source": "Wire\r\nX-Injected: 1"},
        format="json",
    )
    assert response.status_code == 400 and "one line" in json.dumps(response.json())
    assert not assessment.evidence.filter(summary="From the feed").exists()


def test_an_assessment_titled_on_two_lines_before_the_rule_still_gets_its_e_mails(
    analyst, supervisor, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    Assessment.objects.filter(pk=assessment.pk).update(title="Sahel\nrevised")
    assessment.refresh_from_db()
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_review(assessment=assessment, user=supervisor, action="approve")
    assert mailoutbox and mailoutbox[-1].subject.startswith("[SAT Workbench] Sahel revised: review:")
