"""Between the file and the rows: a checked file becomes an assessment (import), updates the team's assessment
of the file's "id" in place (load), and an assessment becomes a file (export). Every write goes through the
services, as a form's would."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Membership, Team
from apps.accounts.services import analyst_create

from .. import services
from ..access import write_refusal
from ..models import Activity, Assessment, Marking
from ..techniques import TECHNIQUES, ImportContext
from .validation import FORMAT, AssessmentFileError, assessment_file_validate, file_as_of


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
        as_of=file_as_of(data),
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
    from ..visibility import RULES

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
    changes = _settings_update(assessment=assessment, data=data, user=user)
    hypotheses, hypothesis_changes = _hypotheses_update(assessment=assessment, data=data, user=user)
    changes.extend(hypothesis_changes)
    changes.extend(services.sources_load(assessment=assessment, items=data.get("sources", []), user=user))
    evidence, evidence_changes = _evidence_update(assessment=assessment, data=data, user=user)
    changes.extend(evidence_changes)
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


def _settings_update(*, assessment: Assessment, data: dict, user) -> list[str]:
    """The assessment's own fields, its marking and its as-of date; the change, if any, as one line."""
    settings = {name: data.get(name, "") for name in services.ASSESSMENT_FIELDS}
    fields = services.assessment_update(assessment=assessment, user=user, via="file load", **settings)
    marking = _marking(data)
    if assessment.marking_id != (marking.pk if marking else None):
        services.assessment_marking_set(assessment=assessment, user=user, marking=marking)
        fields.append("marking")
    if services.assessment_as_of_set(assessment=assessment, user=user, as_of=file_as_of(data)):
        fields.append("as-of date")
    return [f"assessment: {', '.join(fields)} changed"] if fields else []


def _hypotheses_update(*, assessment: Assessment, data: dict, user) -> tuple[dict[str, Any], list[str]]:
    """Hypotheses by key: the new ones added, changed statements saved, then the priors and the order.
    Returns every hypothesis by key, and the changes."""
    hypotheses = {h.key: h for h in assessment.hypotheses.all()}
    changes = []
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
    return hypotheses, changes


def _evidence_update(*, assessment: Assessment, data: dict, user) -> tuple[dict[str, Any], list[str]]:
    """Evidence by key: changed items saved, the new ones added together, then the order. Returns every
    item by key, and the changes."""
    evidence = {e.key: e for e in assessment.evidence.all()}
    changes = []
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
    return evidence, changes
