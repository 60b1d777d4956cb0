"""The sat-workbench/teams@1 file and `manage.py load_teams`."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.accounts.exchange import TeamsFileError, teams_load
from apps.accounts.models import Membership, Team

pytestmark = pytest.mark.django_db

TEAMS = {
    "format": "sat-workbench/teams@1",
    "teams": [
        {
            "name": "Maghreb Desk",
            "members": [
                {"username": "alice", "role": "analyst", "email": "alice@example.org"},
                {"username": "sam", "role": "supervisor"},
            ],
        },
        {"name": "Sahel Cell", "members": [{"username": "alice", "role": "team_admin"}]},
    ],
}


def _write(tmp_path, data) -> str:
    path = tmp_path / "teams.json"
    path.write_text(json.dumps(data))
    return str(path)


def _state():
    return sorted(Membership.objects.values_list("user__username", "team__name", "role", "updated_at"))


def test_load_creates_teams_users_and_roles(tmp_path, capsys):
    call_command("load_teams", _write(tmp_path, TEAMS))
    assert set(Team.objects.values_list("name", flat=True)) == {"Maghreb Desk", "Sahel Cell"}
    assert [(u, t, r) for u, t, r, _ in _state()] == [
        ("alice", "Maghreb Desk", "analyst"),
        ("alice", "Sahel Cell", "team_admin"),
        ("sam", "Maghreb Desk", "supervisor"),
    ]
    alice = get_user_model().objects.get(username="alice")
    assert alice.email == "alice@example.org" and not alice.has_usable_password()
    assert "memberships: 3 created, 0 updated, 0 unchanged" in capsys.readouterr().out


def test_loading_the_same_file_again_changes_nothing(tmp_path, capsys):
    path = _write(tmp_path, TEAMS)
    call_command("load_teams", path)
    before = (_state(), list(get_user_model().objects.values_list("username", "email", "password")))
    capsys.readouterr()
    call_command("load_teams", path)
    assert (_state(), list(get_user_model().objects.values_list("username", "email", "password"))) == before
    assert "memberships: 0 created, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_a_changed_role_is_updated_in_place(tmp_path):
    teams_load(data=TEAMS)
    changed = json.loads(json.dumps(TEAMS))
    changed["teams"][0]["members"][1]["role"] = "team_admin"
    summary = teams_load(data=changed)
    assert summary.updated["memberships"] == ["sam in Maghreb Desk (supervisor → team_admin)"]
    assert Membership.objects.get(user__username="sam").role == "team_admin"
    assert Membership.objects.count() == 3


def test_bad_file_names_each_problem_with_its_place_and_writes_nothing(tmp_path):
    bad = json.loads(json.dumps(TEAMS))
    bad["teams"][0]["members"][1]["role"] = "boss"
    bad["teams"][1]["members"].append({"username": "x"})
    with pytest.raises(CommandError) as exc:
        call_command("load_teams", _write(tmp_path, bad))
    message = str(exc.value)
    assert "nothing was written" in message
    assert "teams[0].members[1].role: 'boss' is not one of" in message
    assert "teams[1].members[1]: 'role' is a required property" in message
    assert not Team.objects.exists() and not get_user_model().objects.exists()


def test_duplicates_and_conflicting_details_are_refused():
    bad = json.loads(json.dumps(TEAMS))
    bad["teams"][0]["members"].append({"username": "sam", "role": "analyst"})
    bad["teams"][1]["members"][0]["email"] = "other@example.org"
    bad["teams"].append({"name": "Sahel Cell", "members": []})
    with pytest.raises(TeamsFileError) as exc:
        teams_load(data=bad)
    assert exc.value.errors == [
        "teams: team “Sahel Cell” is listed 2 times",
        "teams[0].members: sam is listed 2 times",
        "teams[1].members[0].email: differs from teams[0].members[0].email for the same user alice",
    ]
    assert not Team.objects.exists()


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    call_command("load_teams", _write(tmp_path, TEAMS), "--dry-run")
    assert "teams: 2 created" in capsys.readouterr().out
    assert not Team.objects.exists()


def test_unreadable_json_is_a_clear_error(tmp_path):
    path = tmp_path / "teams.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("load_teams", str(path))
    with pytest.raises(TeamsFileError, match="format"):
        teams_load(data={"format": "sat-workbench/assessment@1", "teams": []})


def test_the_load_writes_teams_and_accounts_through_the_account_services_which_refuse_a_non_admin(team, analyst):
    from django.core.exceptions import PermissionDenied

    from apps.accounts.models import Role
    from apps.accounts.services import account_ensure, team_ensure

    Membership.objects.filter(user=analyst, team=team).update(role=Role.TEAM_ADMIN)
    # A team admin (not a site admin) may neither create a team nor change another account's e-mail.
    with pytest.raises(PermissionDenied):
        team_ensure(actor=analyst, name="New Cell")
    oscar = get_user_model().objects.create_user(username="oscar", email="oscar@example.org")
    with pytest.raises(PermissionDenied):
        account_ensure(actor=analyst, username="oscar", details={"email": "taken@example.net"})
    with pytest.raises(PermissionDenied):
        teams_load(data={**TEAMS, "teams": [{"name": "New Cell", "members": []}]}, actor=analyst)
    oscar.refresh_from_db()
    assert oscar.email == "oscar@example.org" and not Team.objects.filter(name="New Cell").exists()
    # Unchanged details need no right: the account is only read.
    assert account_ensure(actor=analyst, username="oscar", details={"email": "oscar@example.org"}) == (
        oscar,
        "unchanged",
    )
