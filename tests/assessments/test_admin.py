"""Assessments in the Django admin, and a site admin starting a team from the "No team yet" page."""

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Team
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin(db):
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_site_admin_finds_assessments_in_the_admin_with_a_link_to_the_page(client, site_admin, assessment):
    login(client, site_admin)
    response = client.get(reverse("admin:assessments_assessment_changelist"), {"q": "Test assess"})
    assert response.status_code == 200
    assert reverse("ach:matrix", args=[assessment.pk]) in response.content.decode()
    for name in ("hypothesis", "evidence", "scoresnapshot"):
        assert client.get(reverse(f"admin:assessments_{name}_changelist"), {"q": "E1"}).status_code == 200


def test_admin_is_read_only(client, site_admin, assessment):
    login(client, site_admin)
    assert client.get(reverse("admin:assessments_assessment_add")).status_code == 403
    url = reverse("admin:assessments_evidence_change", args=[assessment.evidence.first().pk])
    response = client.post(url, {"summary": "changed in the admin"})
    assert response.status_code == 403
    assert assessment.evidence.first().summary == "Evidence item 1"


def test_analysts_do_not_get_the_admin(client, analyst):
    login(client, analyst)
    response = client.get(reverse("admin:assessments_assessment_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_site_admin_without_a_team_sees_the_form_and_creates_a_team(client, site_admin):
    login(client, site_admin)
    page = client.get(reverse("assessments:list")).content.decode()
    assert "No team yet" in page and 'id="team-create"' in page
    response = client.post(reverse("accounts:team_create"), {"name": "Horn Desk"})
    assert response.status_code == 302
    assert Membership.objects.get(user=site_admin, team__name="Horn Desk").role == "team_admin"
    assert "Horn Desk: assessments" in client.get(reverse("assessments:list")).content.decode()


def test_a_team_name_in_use_is_refused(client, site_admin, team):
    login(client, site_admin)
    client.post(reverse("accounts:team_create"), {"name": "maghreb desk"})
    assert Team.objects.count() == 1 and not Membership.objects.filter(user=site_admin).exists()


def test_members_without_a_team_see_no_form_and_cannot_create_one(client):
    user = factories.UserFactory(username="newcomer")
    login(client, user)
    assert 'id="team-create"' not in client.get(reverse("assessments:list")).content.decode()
    assert client.post(reverse("accounts:team_create"), {"name": "Mine"}).status_code == 403
    assert not Team.objects.exists()


def test_analyst_cannot_create_a_team(client, analyst):
    login(client, analyst)
    assert client.post(reverse("accounts:team_create"), {"name": "Mine"}).status_code == 403
