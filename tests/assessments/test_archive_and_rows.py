"""Evidence rows can be moved and deleted from the matrix; a team admin archives and restores assessments."""

import json

import pytest
from django.urls import reverse

from apps.assessments.models import Activity, Evidence
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _row(page: str, evidence) -> str:
    return page.split(f'id="ev-{evidence.pk}"')[1].split("</tr>")[0]


def test_every_evidence_row_on_the_matrix_has_move_and_a_confirmed_delete(client, assessment, analyst):
    client.force_login(analyst)
    page = client.get(assessment.get_absolute_url()).content.decode()
    for evidence in assessment.evidence.all():
        row = _row(page, evidence)
        assert reverse("assessments:evidence_move", args=[assessment.pk, evidence.pk]) in row
        assert "▲" in row and "▼" in row and "✕" in row
        delete = reverse("assessments:evidence_delete", args=[assessment.pk, evidence.pk])
        assert f'hx-post="{delete}" hx-confirm="Delete {evidence.key} and its ratings?"' in row


def test_a_supervisor_sees_no_row_controls(client, assessment, supervisor):
    client.force_login(supervisor)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "/move/" not in _row(page, assessment.evidence.first())


def test_deleting_evidence_from_its_row_is_recorded_in_the_feed(client, assessment, analyst):
    evidence = assessment.evidence.get(key="E2")
    client.force_login(analyst)
    response = client.post(reverse("assessments:evidence_delete", args=[assessment.pk, evidence.pk]), **HTMX)
    # Nothing to swap: the row's region, the matrix, refreshes itself on the event.
    assert response.status_code == 204 and json.loads(response.headers["HX-Trigger"]) == {"items-changed": {}}
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    line = Activity.objects.filter(assessment=assessment).first()
    assert line.message.startswith("Evidence E2 deleted") and line.actor == analyst


def test_moving_evidence_down_from_its_row_reorders_the_matrix(client, assessment, analyst):
    first, second = assessment.evidence.order_by("order")[:2]
    client.force_login(analyst)
    client.post(reverse("assessments:evidence_move", args=[assessment.pk, first.pk]), {"direction": "down"}, **HTMX)
    assert list(assessment.evidence.order_by("order").values_list("pk", flat=True)[:2]) == [second.pk, first.pk]


def test_a_team_admin_archives_an_assessment_out_of_the_list_and_restores_it(client, assessment, analyst, team_admin):
    client.force_login(team_admin)
    response = client.post(reverse("assessments:archive", args=[assessment.pk]), {"action": "archive"}, **HTMX)
    assert response.headers["HX-Redirect"] == reverse("assessments:list")
    assessment.refresh_from_db()
    assert assessment.archived_at is not None
    listing = client.get(reverse("assessments:list")).content.decode()
    assert 'id="archived"' in listing and assessment.get_absolute_url() in listing.split('id="archived"')[1]
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Archived" in page and 'id="evidence-form"' not in page and "Restore from the archive" in page
    client.force_login(analyst)
    assert assessment.get_absolute_url() not in client.get(reverse("assessments:list")).content.decode()
    assert client.get(assessment.get_absolute_url()).status_code == 404
    client.force_login(team_admin)
    client.post(reverse("assessments:archive", args=[assessment.pk]), {"action": "restore"})
    assessment.refresh_from_db()
    assert assessment.archived_at is None
    assert list(
        Activity.objects.filter(assessment=assessment, data__action__in=["archive", "restore"])
        .order_by("id")
        .values_list("data__action", flat=True)
    ) == ["archive", "restore"]
    client.force_login(analyst)
    assert client.get(assessment.get_absolute_url()).status_code == 200


def test_an_archived_assessment_refuses_writes_even_from_its_team_admin(client, assessment, team_admin):
    client.force_login(team_admin)
    client.post(reverse("assessments:archive", args=[assessment.pk]), {"action": "archive"})
    response = client.post(reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": "Late"})
    assert response.status_code == 403
    assert not assessment.hypotheses.filter(statement="Late").exists()


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_only_a_team_admin_archives(client, assessment, team, role):
    user = factories.member(team, role, username=f"someone-{role}")
    client.force_login(user)
    response = client.post(reverse("assessments:archive", args=[assessment.pk]), {"action": "archive"})
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.archived_at is None


def test_an_outsider_cannot_archive(client, assessment, outsider):
    client.force_login(outsider)
    assert client.post(reverse("assessments:archive", args=[assessment.pk]), {"action": "archive"}).status_code == 404
