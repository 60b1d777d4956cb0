"""The `sat-workbench/assessment@1` JSON format: validate, import (atomically) and export."""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import jsonschema
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Membership, Team
from apps.accounts.services import analyst_create, may_create_accounts, username_errors
from apps.core.dates import date_problem
from apps.core.jsonfile import json_place

from . import services
from .access import write_refusal
from .models import Activity, Assessment, Marking, priors_validate
from .techniques import TECHNIQUES, ImportContext

FORMAT = "sat-workbench/assessment@1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "assessment-v1.schema.json"
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


def _attribution_record(*, assessment: Assessment, context: ImportContext, user, via: str) -> None:
    """One line in the feed per teammate whose judgments someone else loaded: "12 ratings by bob, loaded by tina"."""
    loader = user.get_username() if user else None
    counts: dict[str, list[str]] = {}
    for (username, what), count in sorted(context.attributed.items()):
        if username != loader:
            counts.setdefault(username, []).append(f"{count} {what if count > 1 else what[:-1]}")
    for username, parts in counts.items():
        services.activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"{' and '.join(parts)} by {username}, {via} by {loader or 'the command line'}",
            actor=user,
            data={"action": "on_behalf", "analyst": username, "via": via},
        )


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
        services.assessments.as_of_validate(_as_of(data))
    except ValidationError as exc:
        errors.extend(f"as_of: {message}" for message in exc.messages)
    if errors:
        raise AssessmentFileError(errors)
    return context


def _marking(data: dict) -> Marking | None:
    return Marking.objects.filter(name=data["marking"]).first() if data.get("marking") else None


# CSV and XLSX exports start with this line when the assessment carries a marking; imports skip it.
MARKING_PREFIX = "Handling marking: "


def marking_row(assessment: Assessment) -> list[str]:
    """The first row of a tabular export: [] when the assessment has no marking."""
    return [f"{MARKING_PREFIX}{assessment.marking.name}"] if assessment.marking_id else []


def _team_users(analysts: set[str], *, team: Team, user) -> tuple[dict, list[str]]:
    """The file's analysts as accounts: the team's members, and new accounts for names nobody has (the
    validation already refused names of existing accounts outside the team and creators without the right)."""
    users = {
        membership.user.username: membership.user
        for membership in Membership.objects.filter(team=team, user__username__in=analysts).select_related("user")
    }
    new_accounts = sorted(analysts - set(users))
    for username in new_accounts:
        users[username] = analyst_create(team=team, username=username, actor=user)
    return users, new_accounts


def _accounts_record(*, assessment: Assessment, usernames: list[str], user, via: str) -> None:
    for username in usernames:
        services.activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"Account {username} created and added to {assessment.team.name} as analyst ({via})",
            actor=user,
        )


@transaction.atomic
def assessment_import(
    *, data: Any, team: Team, user=None, create_analysts: bool = False, keep_authors: bool = False
) -> Assessment:
    """Import a whole assessment in one transaction; a bad file writes nothing. keep_authors: a copy (fork)
    whose judgments stay their authors' whoever makes it."""
    context = assessment_file_validate(
        data, team=team, create_analysts=create_analysts, user=user, keep_authors=keep_authors
    )
    marking = _marking(data)
    slug = data.get("id", "")
    if slug and Assessment.objects.filter(team=team, slug=slug).exists():
        raise AssessmentFileError(
            [f"id: team {team.name} already has an assessment with id “{slug}”; load the file to update it in place"]
        )
    users, new_accounts = _team_users(context.analysts, team=team, user=user)
    context.users = users
    context.user = user
    assessment = services.assessment_create(
        team=team,
        user=user,
        title=data["title"],
        question=data["question"],
        description=data.get("description", ""),
        marking=marking,
        as_of=_as_of(data),
        slug=slug,
    )
    _accounts_record(assessment=assessment, usernames=new_accounts, user=user, via="JSON import")
    hypotheses = services.hypotheses_import(assessment=assessment, items=data["hypotheses"], user=user)
    services.sources_load(assessment=assessment, items=data.get("sources", []), user=user)
    evidence_items = [
        {"key": item["key"], **services.evidence_fields_from(item), "source_key": item.get("source_key", "")}
        for item in data["evidence"]
    ]
    try:
        created = services.evidence_add(assessment=assessment, user=user, items=evidence_items, via="JSON import")
    except ValidationError as exc:
        # Rows are numbered from 1 by the service; the file's places from 0.
        raise AssessmentFileError(
            [f"evidence ({place}): {message}" for place, messages in exc.message_dict.items() for message in messages]
        ) from exc
    context.hypotheses = hypotheses
    context.evidence = {e.key: e for e in created}
    for technique in TECHNIQUES.values():
        technique.import_section(assessment, data, context)
    _attribution_record(assessment=assessment, context=context, user=user, via="copied" if keep_authors else "loaded")
    assessment.refresh_from_db()
    return assessment


def assessment_export(*, assessment: Assessment, analyst: str | None = None, view=None) -> dict[str, Any]:
    """The whole assessment; with `analyst`, without what that analyst may not see yet (anchoring); with a
    view (apps.assessments.visibility), as that view shows it: its figures computed from it, and redacted."""
    from .visibility import RULES

    if view is not None and not view.sees_all:
        analyst = view.username
    hypotheses = list(assessment.hypotheses.order_by("order", "id"))
    evidence = list(assessment.evidence.select_related("source_entry").order_by("order", "id"))
    data: dict[str, Any] = {
        "format": FORMAT,
        **({"id": assessment.slug} if assessment.slug else {}),
        "marking": assessment.marking.name if assessment.marking else None,
        "title": assessment.title,
        "question": assessment.question,
        "description": assessment.description,
        **({"as_of": assessment.as_of.isoformat()} if assessment.as_of else {}),
        "hypotheses": [
            {
                "key": h.key,
                **{name: value for name in services.HYPOTHESIS_FIELDS if (value := getattr(h, name)) is not None},
            }
            for h in hypotheses
        ],
        "evidence": [
            {
                "key": e.key,
                **{name: getattr(e, name) for name in services.EVIDENCE_FIELDS},
                "date": e.date.isoformat() if e.date else None,
                **({"source_key": e.source_entry.key} if e.source_entry else {}),
            }
            for e in evidence
        ],
        "sources": services.sources_export(assessment=assessment),
    }
    for name, technique in TECHNIQUES.items():
        rule = RULES.get(name)
        if view is not None and view.hides(name) and rule is not None and rule.export is not None:
            data.update(rule.export(assessment, view))
        else:
            data.update(technique.export_section(assessment))
    if analyst is not None:
        for technique in TECHNIQUES.values():
            technique.redact_section(data, analyst)
    return data


# Loading by stable id: a file with an "id" updates the team's assessment of that id in place.


@dataclass
class LoadResult:
    assessment: Assessment
    action: str  # "created" | "updated" | "unchanged"
    changes: list[str]


def assessment_duplicates(*, data: dict, team: Team) -> list[Assessment]:
    """Assessments of the team a file without an id would duplicate (same title and question)."""
    return list(Assessment.objects.filter(team=team, title=data.get("title"), question=data.get("question")))


@transaction.atomic
def assessment_load(
    *,
    data: Any,
    team: Team,
    user=None,
    create_analysts: bool = False,
    allow_duplicate: bool = False,
    dry_run: bool = False,
) -> LoadResult:
    """Load a file: update the assessment with the file's "id" in place, or create it.

    Without an id, a file whose title and question match an assessment of the team is refused unless
    allow_duplicate, since loading it would create a second copy.
    """
    context = assessment_file_validate(data, team=team, create_analysts=create_analysts, user=user)
    slug = data.get("id", "")
    existing = Assessment.objects.select_for_update().filter(team=team, slug=slug).first() if slug else None
    if existing is None:
        if not slug and not allow_duplicate:
            duplicates = assessment_duplicates(data=data, team=team)
            if duplicates:
                raise AssessmentFileError(
                    [
                        f"(top level): team {team.name} already has “{duplicates[0].title}” with the same question "
                        f"(assessment {duplicates[0].pk}); loading this file would create a duplicate. Give the "
                        'file an "id" to update it in place, or allow the duplicate (--allow-duplicate).'
                    ]
                )
        assessment = assessment_import(data=data, team=team, user=user, create_analysts=create_analysts)
        result = LoadResult(assessment=assessment, action="created", changes=[])
    else:
        try:
            changes = _assessment_update(
                assessment=existing, data=data, context=context, user=user, create=create_analysts
            )
        except ValidationError as exc:
            raise AssessmentFileError([f"{existing.slug}: {message}" for message in exc.messages]) from exc
        existing.refresh_from_db()
        result = LoadResult(assessment=existing, action="updated" if changes else "unchanged", changes=changes)
    if dry_run:
        # A preview: everything above ran and is undone, including the rescoring enqueued on commit.
        transaction.set_rollback(True)
    return result


def _differences(instance, wanted: dict[str, Any]) -> list[str]:
    return [name for name, value in wanted.items() if getattr(instance, name) != value]


def _order_ids(rows: dict[str, Any], listed: list[str]) -> list[int] | None:
    """The new order (the file's items in its order, then the others as they were); None if unchanged."""
    current = sorted(rows.values(), key=lambda row: (row.order, row.pk))
    ordered = [rows[key].pk for key in listed] + [row.pk for row in current if row.key not in set(listed)]
    return None if ordered == [row.pk for row in current] else ordered


def _source_names(assessment: Assessment) -> dict[str, str]:
    return dict(assessment.sources.values_list("key", "name"))


def _as_of(data: dict) -> date | None:
    """The file's "as_of" (the schema checked its format): the date the assessment is judged as of."""
    return date.fromisoformat(data["as_of"]) if data.get("as_of") else None


def _assessment_update(*, assessment: Assessment, data: dict, context: ImportContext, user, create: bool) -> list[str]:
    """Bring the assessment up to the file through the same services as the forms: each edited item's
    version moves on (an edit form opened before the load is then refused as stale), the freeze and the
    field rules hold, and the feed records each change."""
    refusal = write_refusal(assessment)
    if refusal is not None:
        raise AssessmentFileError([f"id: “{assessment.slug}” is “{assessment.title}” (#{assessment.pk}). {refusal}"])
    users, new_accounts = _team_users(context.analysts, team=assessment.team, user=user)
    _accounts_record(assessment=assessment, usernames=new_accounts, user=user, via="file load")
    context.users, context.user = users, user
    changes: list[str] = []

    settings = {name: data.get(name, "") for name in services.ASSESSMENT_FIELDS}
    fields = services.assessment_update(assessment=assessment, user=user, via="file load", **settings)
    marking = _marking(data)
    if assessment.marking_id != (marking.pk if marking else None):
        services.assessment_marking_set(assessment=assessment, user=user, marking=marking)
        fields.append("marking")
    if services.assessment_as_of_set(assessment=assessment, user=user, as_of=_as_of(data)):
        fields.append("as-of date")
    if fields:
        changes.append(f"assessment: {', '.join(fields)} changed")

    hypotheses = {h.key: h for h in assessment.hypotheses.all()}
    for item in data["hypotheses"]:
        hypothesis = hypotheses.get(item["key"])
        if hypothesis is None:
            hypotheses[item["key"]] = services.hypothesis_create(
                assessment=assessment, user=user, statement=item["statement"], key=item["key"]
            )
            changes.append(f"hypothesis {item['key']} added")
        elif hypothesis.statement != item["statement"]:
            services.hypothesis_update(
                hypothesis=hypothesis, user=user, statement=item["statement"], expected_version=hypothesis.version
            )
            changes.append(f"hypothesis {item['key']}: statement changed")
    priors = {hypotheses[item["key"]].pk: item.get("prior") for item in data["hypotheses"]}
    stored = dict(assessment.hypotheses.values_list("pk", "prior"))
    if any(stored.get(pk) != prior for pk, prior in priors.items()):
        # Hypotheses the file does not list keep no prior: the file's priors must then sum to 1 on their own.
        services.priors_set(assessment=assessment, user=user, priors=priors)
        changes.append("hypotheses: priors changed")
    ordered = _order_ids(hypotheses, [item["key"] for item in data["hypotheses"]])
    if ordered is not None:
        services.hypothesis_reorder(assessment=assessment, user=user, ordered_ids=ordered)
        changes.append("hypotheses: order changed")

    changes.extend(services.sources_load(assessment=assessment, items=data.get("sources", []), user=user))
    evidence = {e.key: e for e in assessment.evidence.all()}
    source_names = _source_names(assessment)
    new_items = []
    for item in data["evidence"]:
        wanted = services.evidence_fields_from(item)
        wanted["date"] = date.fromisoformat(wanted["date"]) if wanted["date"] else None
        if item.get("source_key"):
            wanted["origin"] = source_names.get(item["source_key"], wanted["origin"])
        current = evidence.get(item["key"])
        if current is None:
            new_items.append({"key": item["key"], **wanted})
        elif fields := _differences(current, wanted):
            try:
                services.evidence_update(evidence=current, user=user, expected_version=current.version, **wanted)
            except ValidationError as exc:
                raise AssessmentFileError([f"evidence {item['key']}: {m}" for m in exc.messages]) from exc
            changes.append(f"evidence {item['key']}: {', '.join(fields)} changed")
    if new_items:
        for created in services.evidence_add(assessment=assessment, user=user, items=new_items, via="file update"):
            evidence[created.key] = created
        changes.append(f"evidence added: {', '.join(i['key'] for i in new_items)}")
    ordered = _order_ids(evidence, [item["key"] for item in data["evidence"]])
    if ordered is not None:
        services.evidence_reorder(assessment=assessment, user=user, ordered_ids=ordered)
        changes.append("evidence: order changed")

    context.hypotheses, context.evidence = hypotheses, evidence
    for technique in TECHNIQUES.values():
        changes.extend(technique.update_section(assessment, data, context))
    if changes:
        _attribution_record(assessment=assessment, context=context, user=user, via="loaded")
        services.activity_record(
            assessment=assessment,
            kind=Activity.Kind.CHANGE,
            message=f"Updated from file “{assessment.slug}”: "
            + "; ".join(changes[:10])
            + (f" and {len(changes) - 10} more" if len(changes) > 10 else ""),
            actor=user,
        )
    return changes
