"""The upload page: preview what a file would create, update or leave alone, then load it on confirmation."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Membership, Team
from apps.assessments.models import Assessment
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())
TEAMS = {
    "format": "sat-workbench/teams@1",
    "teams": [{"name": "Horn Desk", "members": [{"username": "hana", "role": "analyst"}]}],
}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _file(data, name="file.json"):
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/json")


def _aqim(**changes):
    data = copy.deepcopy(AQIM)
    data["id"] = "aqim"
    data.update(changes)
    return data


def _preview(client, data, **fields):
    return client.post(reverse("assessments:upload"), {"file": _file(data), **fields})


def _confirm(client, preview):
    token = re.search(r'name="confirm" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(reverse("assessments:upload"), {"confirm": token})


def test_team_admin_previews_a_new_assessment_then_loads_it(client, team, team_admin):
    login(client, team_admin)
    preview = _preview(client, _aqim(), team=team.pk, create_analysts="1")
    page = preview.content.decode()
    assert "Would be <strong>created</strong>" in page and "53 evidence items, 795 ratings" in page
    assert not Assessment.objects.exists()
    response = _confirm(client, preview)
    assessment = Assessment.objects.get(team=team, slug="aqim")
    assert response.status_code == 302 and response["Location"] == reverse("ach:matrix", args=[assessment.pk])


def test_the_same_file_again_previews_unchanged_and_an_edit_previews_its_changes(client, team, team_admin):
    login(client, team_admin)
    _confirm(client, _preview(client, _aqim(), team=team.pk, create_analysts="1"))
    assert "<strong>Unchanged</strong>" in _preview(client, _aqim(), team=team.pk).content.decode()
    page = _preview(client, _aqim(title="AQIM revised"), team=team.pk).content.decode()
    assert "Would be <strong>updated</strong>" in page and "assessment: title changed" in page
    assert Assessment.objects.get().title == AQIM["title"]


def test_errors_are_listed_with_their_place_and_nothing_is_written(client, team, team_admin):
    login(client, team_admin)
    bad = _aqim()
    bad["ratings"][0]["evidence"] = "E999"
    page = _preview(client, bad, team=team.pk, create_analysts="1").content.decode()
    assert "ratings[0].evidence: no evidence with key E999" in page
    assert not Assessment.objects.exists()


def test_site_admin_previews_and_loads_a_teams_file(client):
    admin_user = factories.UserFactory(username="admin", is_staff=True)
    login(client, admin_user)
    preview = _preview(client, TEAMS)
    assert "teams: 1 created" in preview.content.decode() and not Team.objects.filter(name="Horn Desk").exists()
    _confirm(client, preview)
    assert Membership.objects.get(user__username="hana").team.name == "Horn Desk"


def test_team_admins_cannot_load_teams_files_or_into_other_teams(client, team, other_team, team_admin):
    login(client, team_admin)
    assert _preview(client, TEAMS).status_code == 403
    assert _preview(client, _aqim(), team=other_team.pk, create_analysts="1").status_code == 403
    assert not Team.objects.filter(name="Horn Desk").exists() and not Assessment.objects.exists()


def test_analysts_and_supervisors_get_403(client, analyst, supervisor):
    for user in (analyst, supervisor):
        login(client, user)
        assert client.get(reverse("assessments:upload")).status_code == 403


def test_an_altered_confirmation_is_refused(client, team_admin):
    login(client, team_admin)
    response = client.post(reverse("assessments:upload"), {"confirm": "forged"})
    assert response.status_code == 400 and not Assessment.objects.exists()
