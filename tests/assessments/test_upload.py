"""The upload page: preview what a file would create, update or leave alone, then load it on confirmation."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Membership, Team
from apps.assessments.models import Assessment, PendingImport
from apps.assessments.services.files import upload_pending_create
from apps.assessments.tasks import load_upload
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


def _token(preview):
    return re.search(r'name="confirm" value="([^"]+)"', preview.content.decode()).group(1)


def _confirm(client, preview):
    return client.post(reverse("assessments:upload"), {"confirm": _token(preview)})


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


def test_a_site_admin_outside_the_team_lands_on_a_page_that_exists_after_loading(client, team):
    admin_user = factories.UserFactory(username="admin", is_staff=True)
    login(client, admin_user)
    response = _confirm(client, _preview(client, _aqim(), team=team.pk, create_analysts="1"))
    assert Assessment.objects.filter(team=team, slug="aqim").exists()
    assert response.status_code == 302 and client.get(response["Location"]).status_code == 200


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


def test_the_preview_waits_on_the_server_and_a_second_confirm_is_refused(client, team, team_admin):
    login(client, team_admin)
    preview = _preview(client, _aqim(), team=team.pk, create_analysts="1")
    pending = PendingImport.objects.get(pk=_token(preview))
    assert pending.kind == "assessment" and pending.team == team and pending.total == 883
    _confirm(client, preview)
    again = _confirm(client, preview)
    assert again.status_code == 400 and "already confirmed" in again.content.decode()
    assert Assessment.objects.count() == 1


def test_only_the_uploader_confirms_a_preview(client, team, team_admin):
    other_admin = factories.member(team, "team_admin", username="tom")
    login(client, team_admin)
    preview = _preview(client, _aqim(), team=team.pk, create_analysts="1")
    login(client, other_admin)
    assert _confirm(client, preview).status_code == 403
    assert not Assessment.objects.exists() and PendingImport.objects.get().consumed_at is None


def test_analysts_who_are_not_members_are_reported_and_not_created_without_the_choice(client, team, team_admin):
    login(client, team_admin)
    page = _preview(client, _aqim(), team=team.pk).content.decode()
    assert "analyst alice: not a member of team Maghreb Desk" in page
    assert not PendingImport.objects.exists() and not Membership.objects.filter(user__username="alice").exists()


def test_an_analyst_of_another_team_is_never_attached_even_when_creating(client, team, team_admin, outsider):
    login(client, team_admin)
    page = _preview(client, _aqim(), team=team.pk, create_analysts="1").content.decode()
    assert "not members of Maghreb Desk:\n          alice, bob, carol. Loading creates their accounts" in page
    data = _aqim()
    data["ratings"][0]["analyst"] = "oscar"
    page = _preview(client, data, team=team.pk, create_analysts="1").content.decode()
    assert "analyst oscar: not a member of team Maghreb Desk (an import never adds an existing account" in page
    assert list(Membership.objects.filter(user=outsider).values_list("team__name", flat=True)) == ["Sahel Cell"]


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (reverse("assessments:upload"), reverse("assessments:upload_progress", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_large_load_runs_as_a_task_and_the_page_ends_with_a_link(
    client, team, team_admin, settings, django_capture_on_commit_callbacks
):
    settings.UPLOAD_TASK_THRESHOLD = 100
    login(client, team_admin)
    preview = _preview(client, _aqim(), team=team.pk, create_analysts="1")
    assert "runs in the background" in preview.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = _confirm(client, preview)
    pending = PendingImport.objects.get()
    assert pending.status == "queued" and not Assessment.objects.exists()
    for callback in callbacks:  # the commit: the (eager) task runs
        callback()
    assert response["Location"] == reverse("assessments:upload_progress", args=[pending.pk])
    assessment = Assessment.objects.get(team=team, slug="aqim")
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    page = partial.content.decode()
    assert partial.status_code == 286 and 'value="883" max="883"' in page
    assert reverse("ach:matrix", args=[assessment.pk]) in page and "every 1s" not in page


def test_a_small_load_stays_synchronous(client, team, team_admin, django_capture_on_commit_callbacks):
    login(client, team_admin)
    preview = _preview(client, _aqim(), team=team.pk, create_analysts="1")
    # Nothing queued on commit runs here: loaded all the same, so the load ran in the request.
    with django_capture_on_commit_callbacks(execute=False):
        response = _confirm(client, preview)
    assert PendingImport.objects.get().status == "done"
    assessment = Assessment.objects.get(team=team, slug="aqim")
    assert response["Location"] == f"/assessments/{assessment.pk}/"


def _queued(team, user, **fields):
    pending = upload_pending_create(
        user=user,
        kind="assessment",
        team=team,
        payload={"data": _aqim(), "team": team.pk, "create_analysts": True, "allow_duplicate": False},
    )
    PendingImport.objects.filter(pk=pending.pk).update(status="queued", **fields)
    return PendingImport.objects.get(pk=pending.pk)


def _progress(client, pending):
    return client.get(reverse("assessments:upload_progress", args=[pending.pk]), headers={"HX-Request": "true"})


def test_progress_of_a_queued_load_keeps_polling(client, team, team_admin):
    login(client, team_admin)
    response = _progress(client, _queued(team, team_admin))
    page = response.content.decode()
    assert response.status_code == 200 and 'hx-trigger="every 1s"' in page
    assert 'value="0" max="883"' in page and "Queued: 0 of 883 items" in page


def test_progress_of_a_running_load_shows_its_counts(client, team, team_admin):
    login(client, team_admin)
    pending = _queued(team, team_admin, done=400)
    PendingImport.objects.filter(pk=pending.pk).update(status="running")
    response = _progress(client, pending)
    page = response.content.decode()
    assert response.status_code == 200 and 'hx-trigger="every 1s"' in page
    assert '<progress value="400" max="883">' in page and "Running: 400 of 883 items" in page


def test_a_failed_task_load_names_each_error_and_writes_nothing(client, team, team_admin):
    bad = _aqim()
    bad["ratings"][0]["evidence"] = "E999"
    pending = _queued(team, team_admin)
    PendingImport.objects.filter(pk=pending.pk).update(payload={**pending.payload, "data": bad})
    load_upload.delay(pending.pk)
    login(client, team_admin)
    response = _progress(client, pending)
    page = response.content.decode()
    assert response.status_code == 286 and "The load failed; nothing was written." in page
    assert "ratings[0].evidence: no evidence with key E999" in page and not Assessment.objects.exists()


def test_the_task_loads_once_however_often_it_runs(team, team_admin):
    pending = _queued(team, team_admin)
    load_upload.delay(pending.pk)
    load_upload.delay(pending.pk)
    pending.refresh_from_db()
    assert pending.status == "done" and pending.done == 883 and Assessment.objects.count() == 1


def test_a_task_load_refuses_a_user_who_lost_the_team_admin_role(team, team_admin):
    pending = _queued(team, team_admin)
    Membership.objects.filter(user=team_admin).update(role="analyst")
    load_upload.delay(pending.pk)
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.errors == ["You cannot load assessments into that team."]
    assert not Assessment.objects.exists()


def test_another_users_progress_is_404(client, team, team_admin):
    pending = _queued(team, team_admin)
    login(client, factories.member(team, "team_admin", username="tom"))
    assert _progress(client, pending).status_code == 404


def test_the_progress_page_without_htmx_is_a_full_page(client, team, team_admin):
    login(client, team_admin)
    pending = _queued(team, team_admin)
    response = client.get(reverse("assessments:upload_progress", args=[pending.pk]))
    assert (
        response.status_code == 200
        and "<html" in response.content.decode()
        and 'id="progress"' in response.content.decode()
    )
