"""A JSON import never changes who is in which team, except a team admin creating new accounts."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Membership
from apps.assessments.models import Activity, Assessment
from tests import factories

pytestmark = pytest.mark.django_db


def _file(*analysts: str) -> SimpleUploadedFile:
    data = {
        "format": "sat-workbench/assessment@1",
        "title": "Imported",
        "question": "Which?",
        "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
        "evidence": [{"key": "E1", "summary": "First", "credibility": "high", "relevance": "high"}],
        "ratings": [{"analyst": name, "evidence": "E1", "hypothesis": "H1", "rating": "C"} for name in analysts],
    }
    return SimpleUploadedFile("a.json", json.dumps(data).encode(), content_type="application/json")


def _post(client, *analysts: str):
    return client.post(reverse("assessments:import"), {"file": _file(*analysts), "create_analysts": "1"})


def _memberships() -> set:
    return set(Membership.objects.values_list("user__username", "team__name", "role"))


@pytest.mark.parametrize("role", ["analyst", "team_admin"])
def test_an_import_naming_another_teams_user_and_a_superuser_changes_no_membership(client, team, outsider, role):
    importer = factories.member(team, role, username="importer")
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    before = _memberships()
    client.force_login(importer)
    response = _post(client, "importer", "oscar", "root")
    assert _memberships() == before
    assert not Assessment.objects.exists()
    body = response.content.decode()
    assert "analyst oscar: not a member of team Maghreb Desk" in body
    assert "analyst root: not a member of team Maghreb Desk" in body


def test_an_analyst_cannot_create_accounts_through_an_import(client, team, analyst):
    client.force_login(analyst)
    response = _post(client, "alice", "newcomer")
    assert "only a team admin or a site admin may create accounts" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_a_team_admin_creates_new_analysts_and_the_feed_says_so(client, team):
    admin = factories.member(team, "team_admin", username="tess")
    client.force_login(admin)
    _post(client, "tess", "newcomer")
    assessment = Assessment.objects.get()
    assert Membership.objects.get(user__username="newcomer").team == team
    assert Activity.objects.filter(
        assessment=assessment, message__contains="newcomer", actor=admin, kind=Activity.Kind.CHANGE
    ).exists()


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "a" * 151, "with space"])
def test_usernames_are_validated_like_djangos(client, team, name):
    client.force_login(factories.member(team, "team_admin", username="tess"))
    response = _post(client, "tess", name)
    body = response.content.decode()
    assert "Enter a valid username" in body or "longer than 150 characters" in body
    assert not Assessment.objects.exists()
    assert get_user_model().objects.count() == 1
