"""The `sat-workbench/teams@1` JSON format: teams, members and roles, loaded idempotently and atomically.

The schema sits with the other published formats in apps/assessments/schema/; it is read as a file,
so this module imports nothing from the apps above accounts.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.core.jsonfile import json_place

from .models import Membership, Role
from .services import ACCOUNT_FIELDS, account_ensure, membership_add, membership_role_set, team_admin_check, team_ensure

FORMAT = "sat-workbench/teams@1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "assessments" / "schema" / "teams-v1.schema.json"


class TeamsFileError(Exception):
    """A file that cannot be loaded; .errors lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class LoadSummary:
    """What a load did (or, in a dry run, would do), as lists of names for each outcome."""

    created: dict[str, list[str]] = field(default_factory=lambda: {"teams": [], "users": [], "memberships": []})
    updated: dict[str, list[str]] = field(default_factory=lambda: {"teams": [], "users": [], "memberships": []})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {"teams": [], "users": [], "memberships": []})

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {len(self.created[kind])} created, {len(self.updated[kind])} updated, "
            f"{len(self.unchanged[kind])} unchanged"
            for kind in ("teams", "users", "memberships")
        ]


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def teams_file_validate(data: Any) -> None:
    """Raise TeamsFileError listing every problem, each with its place (`teams[0].members[2].role: …`)."""
    if not isinstance(data, dict):
        raise TeamsFileError(["(top level): expected a JSON object"])
    validator = jsonschema.Draft202012Validator(schema())
    errors = [f"{json_place(e.absolute_path)}: {e.message}" for e in sorted(validator.iter_errors(data), key=str)]
    if errors:
        raise TeamsFileError(errors)
    for name, count in Counter(t["name"] for t in data["teams"]).items():
        if count > 1:
            errors.append(f"teams: team “{name}” is listed {count} times")
    details: dict[str, tuple[int, int, dict]] = {}
    for t, team in enumerate(data["teams"]):
        for username, count in Counter(m["username"] for m in team["members"]).items():
            if count > 1:
                errors.append(f"teams[{t}].members: {username} is listed {count} times")
        for m, member in enumerate(team["members"]):
            place = f"teams[{t}].members[{m}]"
            if member.get("email"):
                try:
                    validate_email(member["email"])
                except ValidationError:
                    errors.append(f"{place}.email: “{member['email']}” is not an e-mail address")
            given = {name: member[name] for name in ACCOUNT_FIELDS if name in member}
            if member["username"] in details:
                first_t, first_m, first = details[member["username"]]
                for name in given.keys() & first.keys():
                    if given[name] != first[name]:
                        errors.append(
                            f"{place}.{name}: differs from teams[{first_t}].members[{first_m}].{name} "
                            f"for the same user {member['username']}"
                        )
            else:
                details[member["username"]] = (t, m, given)
    if errors:
        raise TeamsFileError(errors)


@transaction.atomic
def teams_load(*, data: Any, dry_run: bool = False, actor=None) -> LoadSummary:
    """Create or update the file's teams, users and memberships; a bad file writes nothing.

    Idempotent: a second load of the same file reports everything unchanged and writes no row.
    Members the file does not list are kept (removing someone is a decision for the team's members page).
    Memberships change through the same services as that page (actor None: the command line), so each
    change is in the team's feed and a team never loses its last team admin.
    """
    teams_file_validate(data)
    summary = LoadSummary()
    for t, item in enumerate(data["teams"]):
        team, created = team_ensure(actor=actor, name=item["name"])
        if not created:
            team_admin_check(actor=actor, team=team)
        (summary.created if created else summary.unchanged)["teams"].append(team.name)
        # Team admins first: a file that hands the role from one member to another promotes before it demotes.
        members = sorted(enumerate(item["members"]), key=lambda pair: pair[1]["role"] != Role.TEAM_ADMIN)
        for m, member in members:
            username = member["username"]
            given = {name: member[name] for name in ACCOUNT_FIELDS if name in member}
            user, outcome = account_ensure(actor=actor, username=username, details=given)
            # A user listed in several teams is counted once (validation made their details agree).
            if username not in summary.created["users"] + summary.updated["users"] + summary.unchanged["users"]:
                getattr(summary, outcome)["users"].append(username)
            label = f"{username} in {team.name}"
            membership = Membership.objects.filter(user=user, team=team).first()
            try:
                if membership is None:
                    membership_add(actor=actor, team=team, username=username, role=member["role"], via="teams file")
                    summary.created["memberships"].append(f"{label} ({member['role']})")
                elif membership.role != member["role"]:
                    label += f" ({membership.role} → {member['role']})"
                    membership_role_set(
                        actor=actor,
                        team=team,
                        membership_id=membership.pk,
                        role=member["role"],
                        version=None,
                        via="teams file",
                    )
                    summary.updated["memberships"].append(label)
                else:
                    summary.unchanged["memberships"].append(label)
            except ValidationError as exc:
                raise TeamsFileError([f"teams[{t}].members[{m}]: {' '.join(exc.messages)}"]) from exc
    if dry_run:
        transaction.set_rollback(True)
    return summary
