"""Checking a `sat-workbench/assessment@1` file before anything is written: the schema, the keys, the
analysts it names and who may load whose judgments, each technique's section, and the assessment's own fields.
Every problem is collected, each naming its place in the file."""

import json
from collections import Counter
from datetime import date
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import jsonschema
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.accounts.models import Membership, Team
from apps.accounts.services import may_create_accounts, username_errors
from apps.core.dates import date_problem
from apps.core.jsonfile import json_place

from .. import services
from ..models import Marking, priors_validate
from ..techniques import TECHNIQUES, ImportContext

FORMAT = "sat-workbench/assessment@1"


SCHEMA_PATH = Path(__file__).parent.parent / "schema" / "assessment-v1.schema.json"


SHOWN_ERRORS = 100


COUNTED_ERRORS = 10_000


class AssessmentFileError(Exception):
    """A file that cannot be imported; .errors lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:SHOWN_ERRORS]))

    def shown(self) -> list[str]:
        """The first SHOWN_ERRORS problems and how many there are: a file of 145,000 bad items must not
        become an 18 MB page."""
        if len(self.errors) <= SHOWN_ERRORS:
            return self.errors
        total = f"at least {COUNTED_ERRORS}" if len(self.errors) >= COUNTED_ERRORS else str(len(self.errors))
        return [
            *self.errors[:SHOWN_ERRORS],
            f"… and more: {total} problems in all; the first {SHOWN_ERRORS} are listed.",
        ]


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema quotes the whole offending value; a 20 MB string must not come back in the message."""
    if error.validator == "maxLength":
        return f"longer than {error.validator_value} characters"
    if error.validator == "format" and error.validator_value == "date" and isinstance(error.instance, str):
        return date_problem(error.instance)
    return error.message if len(error.message) <= 300 else error.message[:300] + "…"


def _duplicates(values) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _analyst_errors(analysts: set[str], *, team: Team, user, create_analysts: bool) -> list[str]:
    """Named analysts must be members; an import never adds an existing account to a team (any team's
    user, a superuser), and only a team admin or site admin creates new accounts through one."""
    members = set(
        Membership.objects.filter(team=team, user__username__in=analysts).values_list("user__username", flat=True)
    )
    existing = set(get_user_model().objects.filter(username__in=analysts - members).values_list("username", flat=True))
    errors = []
    for username in sorted(analysts - members):
        if username in existing:
            errors.append(
                f"analyst {username}: not a member of team {team.name} (an import never adds an existing account"
                " to a team: a site admin does, in the admin)"
            )
        elif not create_analysts:
            errors.append(
                f"analyst {username}: not a member of team {team.name} (use --create-analysts to create them)"
            )
        elif not may_create_accounts(user=user, team=team):
            errors.append(
                f"analyst {username}: no such account, and only a team admin or a site admin may create accounts"
                " through an import"
            )
        else:
            errors.extend(f"analyst {username}: {message}" for message in username_errors(username))
    return errors


def _attribution_errors(context: ImportContext, *, team: Team, user, keep_authors: bool) -> list[str]:
    """A user loads only her own judgments (ratings, assumption judgments, validations, observations); whoever
    may create the team's accounts through a file (a team admin, a site admin, the command line) loads on the
    team's behalf, and a fork keeps each judgment's author."""
    if keep_authors or may_create_accounts(user=user, team=team):
        return []
    own = user.get_username()
    return [
        f"{what}: {count} by {username}: you may load only your own (a team admin loads a file on the team's behalf)"
        for (username, what), count in sorted(context.attributed.items())
        if username != own
    ]


def assessment_file_validate(
    data: Any, *, team: Team, create_analysts: bool, user=None, keep_authors: bool = False
) -> ImportContext:
    """Every problem with the file, or the context the import needs; raises AssessmentFileError."""
    if not isinstance(data, dict):
        raise AssessmentFileError(["(top level): expected a JSON object"])
    # The format checker refuses impossible dates (2013-02-30) here rather than at save time.
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    # Counting stops at COUNTED_ERRORS: 145,000 bad items would otherwise take half a minute to enumerate.
    found = sorted(
        islice(validator.iter_errors(data), COUNTED_ERRORS),
        key=lambda e: (len(e.absolute_path), json_place(e.absolute_path)),
    )
    errors = [f"{json_place(e.absolute_path)}: {_message(e)}" for e in found]
    if errors:
        raise AssessmentFileError(errors)
    hypothesis_keys = [h["key"] for h in data["hypotheses"]]
    evidence_keys = [e["key"] for e in data["evidence"]]
    source_keys = [s["key"] for s in data.get("sources", [])]
    for name, keys in (("hypotheses", hypothesis_keys), ("evidence", evidence_keys), ("sources", source_keys)):
        for key in _duplicates(keys):
            errors.append(f"{name}: duplicate key {key}")
    for key in _duplicates(" ".join(s["name"].split()).casefold() for s in data.get("sources", [])):
        errors.append(f"sources: two sources named “{key}”")
    try:
        priors_validate([h.get("prior") for h in data["hypotheses"]])
    except ValidationError as exc:
        errors.extend(f"hypotheses: {message}" for message in exc.messages)
    # Techniques add the analysts their sections name (ACH: the raters) while they validate.
    context = ImportContext(hypothesis_keys=set(hypothesis_keys), evidence_keys=set(evidence_keys), analysts=set())
    for technique in TECHNIQUES.values():
        errors.extend(technique.validate_section(data, context))
    errors.extend(_analyst_errors(context.analysts, team=team, user=user, create_analysts=create_analysts))
    errors.extend(_attribution_errors(context, team=team, user=user, keep_authors=keep_authors))
    try:
        services.fields_validate(**{name: data.get(name, "") for name in services.ASSESSMENT_FIELDS})
    except ValidationError as exc:
        errors.extend(f"{name}: {message}" for name, messages in exc.message_dict.items() for message in messages)
    if data.get("marking") and not Marking.objects.filter(name=data["marking"]).exists():
        errors.append(f"marking: no handling marking named “{data['marking']}” (the site admin keeps the list)")
    try:
        services.assessments.as_of_validate(file_as_of(data))
    except ValidationError as exc:
        errors.extend(f"as_of: {message}" for message in exc.messages)
    if errors:
        raise AssessmentFileError(errors)
    return context


def file_as_of(data: dict) -> date | None:
    """The file's "as_of" (the schema checked its format): the date the assessment is judged as of."""
    return date.fromisoformat(data["as_of"]) if data.get("as_of") else None
