"""Every write door keeps the write seam's rules: the freeze (approved, archived …), item versions, attribution.

The doors are enumerated, not listed: the pages from the URL resolver, the API from its router, the management
commands from Django's registry. A door the test does not know fails it: teach it below (and make the door call
the services, which keep the rules).

A new frozen state is one line in FROZEN.
"""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, get_commands
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.ach import services as ach_services
from apps.api import urls as api_urls
from apps.assessments import services
from apps.assessments.exchange import assessment_export
from apps.assessments.models import Assessment
from apps.comments import services as comment_services
from apps.indicators import services as indicator_services
from apps.key_assumptions import services as kac_services
from tests import factories
from tests.api.conftest import client_for
from tests.assessments.test_freeze import (
    ALLOWED_WHILE_FROZEN,
    HTMX,
    PAYLOAD,
    READ_ONLY,
    assessment_patterns,
    database_state,
    ids_for,
)
from tests.htmlforms import form_data, forms_in
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


def _approve(assessment, people):
    services.assessment_review(assessment=assessment, user=people["analyst"], action="submit")
    services.assessment_review(assessment=assessment, user=people["supervisor"], action="approve")


def _archive(assessment, people):
    services.assessment_archive(assessment=assessment, user=people["team_admin"])


def _resolve(assessment, people):
    ach_services.assessment_resolve(
        assessment=assessment, user=people["supervisor"], outcome="H1", resolved_on=datetime.date(2026, 11, 30)
    )


# state -> (how to get there, the page doors that still act on it: (URL name, action)).
# Approval and resolution let the review conversation, resolving, un-resolving and forking go on;
# archiving leaves only restoring and the member's own notification preference.
FROZEN = {
    "approved": (_approve, ALLOWED_WHILE_FROZEN),
    "archived": (_archive, {("assessments:archive", ""), ("assessments:follow", "")}),
    "resolved": (_resolve, ALLOWED_WHILE_FROZEN),
}

# Pages whose URL names no assessment: each says why it is not a door to an existing assessment's content.
NOT_ASSESSMENT_DOORS = {
    "healthz": "health check, reads nothing of a team",
    "favicon": "a redirect to the static icon",
    "metrics": "process metrics",
    "assessments:list": "the list; GET only",
    "assessments:list_redirect": "/assessments/ redirects to the list; writes nothing",
    "admin_login": "the admin's sign-in",
    "oidc_authentication_init": "OpenID Connect sign-in: sends to the provider (apps/accounts/oidc.py)",
    "oidc_authentication_callback": "OpenID Connect sign-in: the provider's answer signs the user in",
    "oidc_logout": "signs the user out",
    "assessments:create": "creates a new draft (services.assessment_create, field rules tested in test_single_line)",
    "assessments:import": "creates a new assessment from a file; attribution tested in test_write_seam",
    "assessments:upload": "load by id: tested below (test_a_file_load_by_id_through_the_upload_page…)",
    "assessments:notifications": "the member's own notifications",
    "assessments:notifications_read": "marks the member's own notifications read",
    "assessments:notification_open": "marks one of the member's own notifications read",
}
# Whole namespaces that write only the user's own account, tokens or session, never an assessment.
NOT_ASSESSMENT_NAMESPACES = {
    "accounts": "sign-in, passwords, profile, teams of the user",
    "api_tokens": "the user's API tokens",
    "two_factor": "the user's second factor",
    "admin": "site admins; every assessment model's admin is read-only (apps/assessments/admin.py ReadOnlyAdmin)",
    "api": "the REST API: its router's doors are tested below",
}
# Management commands of the project: what each does to existing assessments.
COMMANDS = {
    "import_assessment": "load by id: tested below",
    "load_demo": "creates the demo team's assessments, never changes an existing one",
    "export_assessment": "reads",
    "rescore_sweep": "moves date-dependent results on, never a frozen assessment's (tests/indicators)",
    "load_teams": "teams and accounts only",
    "serve": "runs the server",
    "send_digests": "sends alert digests that are due: notifications only, never an assessment",
    "warm": "writes nothing: warms the process (apps/core/warmup.py)",
}


@pytest.fixture
def people(team, analyst, teammate, supervisor):
    return {
        "analyst": analyst,
        "teammate": teammate,
        "supervisor": supervisor,
        "team_admin": factories.member(team, "team_admin", username="tess"),
    }


@pytest.fixture
def populated(assessment, people):
    """Every kind of row a URL can name, with a stable id for file loads."""
    analyst = people["analyst"]
    assumption = make_assumption(assessment, analyst, confidence="unsupported")
    evidence = assessment.evidence.first()
    kac_services.evidence_link_set(assumption=assumption, evidence=evidence, relation="supports", user=analyst)
    kac_services.requirement_create(assumption=assumption, user=analyst, need="More", due=None)
    indicator = make_indicator(assessment, analyst)
    indicator_services.observation_add(
        indicator=indicator, user=analyst, status="emerging", source="Wire", on=datetime.date(2026, 1, 1)
    )
    comment_services.thread_start(
        assessment=assessment, user=people["team_admin"], body="Why?", evidence_id=evidence.pk
    )
    source = services.source_create(assessment=assessment, user=analyst, name="Agent X", grade="C")
    services.evidence_source_set(
        evidence=assessment.evidence.order_by("order").last(), user=analyst, source=source, information=3
    )
    Assessment.objects.filter(pk=assessment.pk).update(slug="maghreb-1")
    assessment.refresh_from_db()
    return assessment


def _frozen(populated, people, state):
    FROZEN[state][0](populated, people)
    populated.refresh_from_db()
    return populated


def _walk(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def test_every_page_url_is_an_assessment_door_or_says_why_it_is_not():
    unknown = []
    for name, pattern in _walk():
        space = name.split(":")[0] if ":" in name else None
        if "pk" in pattern.pattern.regex.groupindex or space in NOT_ASSESSMENT_NAMESPACES:
            continue
        if name not in NOT_ASSESSMENT_DOORS:
            unknown.append(name)
    assert not unknown, f"new doors: say what they write (NOT_ASSESSMENT_DOORS) or take the assessment's pk: {unknown}"


@pytest.mark.parametrize("state", list(FROZEN))
def test_every_page_door_refuses_a_frozen_assessment_and_changes_nothing(client, populated, people, state):
    frozen = _frozen(populated, people, state)
    allowed = FROZEN[state][1]
    client.force_login(people["team_admin"])  # holds both the editing and the reviewing role
    before = database_state()
    refused = set()
    for name, pattern in assessment_patterns():
        url = reverse(name, kwargs=ids_for(frozen, name, pattern))
        actions = ["submit", "approve", "return", "reopen", "comment"] if name == "assessments:review" else [""]
        for action in actions:
            if (name, action) in allowed:
                continue
            for headers in ({}, HTMX):
                response = client.post(url, {**PAYLOAD, "body": "A reply", "action": action}, **headers)
                expected = 405 if name in READ_ONLY else 403
                assert response.status_code == expected, f"{state}: POST {url} {action} → {response.status_code}"
                if response.status_code == 403:
                    refused.add(name)
    assert database_state() == before
    edits = {"assessments:evidence_edit", "ach:cell_set", "key_assumptions:assumption_edit", "indicators:edit"}
    assert edits <= refused


def _api_doors():
    """(route name, method, URL kwargs' names) for every write the API router serves."""
    for pattern in api_urls.router.urls:
        # A copy: serving a request adds to the view's own dict.
        for method in list(getattr(pattern.callback, "actions", {})):
            if method in ("post", "put", "patch", "delete"):
                yield pattern.name, method, set(pattern.pattern.regex.groupindex)


def test_the_api_router_serves_the_writes_this_test_knows():
    doors = {(name, method) for name, method, _ in _api_doors()}
    assert doors <= {
        ("assessment-list", "post"),
        ("hypothesis-list", "post"),
        ("evidence-list", "post"),
        ("evidence-batch", "post"),
        ("evidence-detail", "patch"),
        ("evidence-duplicate", "post"),
        ("evidence-duplicate", "delete"),
        ("evidence-merge", "post"),
        ("hypothesis-duplicate", "post"),
        ("hypothesis-duplicate", "delete"),
        ("hypothesis-merge", "post"),
        ("rating-list", "post"),
        ("indicator-observations", "post"),
    }, f"a new API write: add it here and to the frozen test's payloads: {doors}"
    assert ("evidence-detail", "patch") in doors and ("rating-list", "post") in doors


API_PAYLOAD = {
    "title": "Rewritten",
    "question": "Which?",
    "statement": "Added while frozen",
    "summary": "Added while frozen",
    "items": [{"summary": "Added while frozen"}],
    "version": 1,
    "ratings": [{"evidence": "E1", "hypothesis": "H1", "value": "CC"}],
    "of": "E2",
    "into": "E2",
    "into_version": 1,
    "status": "met",
    "date": "2026-11-30",
    "source": "Wire",
}


@pytest.mark.parametrize("state", list(FROZEN))
def test_every_api_write_refuses_a_frozen_assessment_and_changes_nothing(populated, people, state):
    frozen = _frozen(populated, people, state)
    api = client_for(people["team_admin"])
    known = {
        "assessment_pk": frozen.pk,
        "key": "E1",
        "version": frozen.content_version,
    }
    before = database_state()
    for name, method, kwargs in list(_api_doors()):
        if name == "assessment-list":
            continue  # creates a new assessment: nothing frozen to refuse
        if name.startswith("indicator"):
            known["key"] = frozen.indicators.first().key
        elif name.startswith("evidence"):
            known["key"] = "E1"
        elif name.startswith("hypothesis"):
            known["key"] = "H1"
        url = reverse(f"api:{name}", kwargs={k: known[k] for k in kwargs})
        response = getattr(api, method)(url, API_PAYLOAD, format="json")
        # An archived assessment is out of reach (403); an approved or resolved one is in a state that refuses
        # the change (409).
        expected = 403 if state == "archived" else 409
        assert response.status_code == expected, f"{state}: {method.upper()} {url} → {response.status_code}"
    assert database_state() == before


@pytest.mark.parametrize("state", list(FROZEN))
def test_a_file_load_by_id_through_the_upload_page_and_the_command_is_refused_when_frozen(
    client, populated, people, state, tmp_path
):
    data = {**assessment_export(assessment=populated), "title": "Rewritten while frozen"}
    frozen = _frozen(populated, people, state)
    before = database_state()
    client.force_login(people["team_admin"])
    upload = SimpleUploadedFile("a.json", json.dumps(data).encode(), content_type="application/json")
    response = client.post(reverse("assessments:upload"), {"file": upload, "team": frozen.team_id})
    assert response.status_code == 400 and "read-only" in response.content.decode()
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="read-only"):
        call_command("import_assessment", str(path), team=frozen.team.name, stdout=io.StringIO())
    assert database_state() == before


def test_every_management_command_of_the_project_is_known():
    ours = {name for name, app in get_commands().items() if app.startswith("apps.")}
    assert ours <= set(COMMANDS), f"a new command: say what it writes (COMMANDS): {ours - set(COMMANDS)}"


@pytest.mark.parametrize("state", ["approved", "archived"])
def test_fork_leaves_the_frozen_original_as_it_is(client, populated, people, state):
    frozen = _frozen(populated, people, state)
    before = assessment_export(assessment=frozen)
    client.force_login(people["team_admin"])
    response = client.post(reverse("assessments:fork", args=[frozen.pk]), {"with_ratings": "1"})
    assert response.status_code == (302 if state == "approved" else 403)
    assert Assessment.objects.filter(team=frozen.team).count() == (2 if state == "approved" else 1)
    assert assessment_export(assessment=frozen) == before


def _versioned_forms(client, assessment):
    """(URL name, URL, the form's fields) for every page that renders an edit form carrying a version."""
    for name, pattern in assessment_patterns():
        url = reverse(name, kwargs=ids_for(assessment, name, pattern))
        response = client.get(url, **HTMX)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if 'name="version"' not in response.content.decode():
            continue
        for form in forms_in(response.content.decode()):
            # An edit form shows the version of its row; a create form's is empty.
            if form_data(form).get("version", [""]) != [""]:
                yield name, form["action"] or url, form_data(form)


@pytest.mark.parametrize("version", [None, "0"], ids=["missing", "stale"])
def test_every_versioned_edit_door_refuses_a_missing_or_stale_version(client, populated, people, version):
    client.force_login(people["analyst"])
    doors = list(_versioned_forms(client, populated))
    names = {name for name, _, _ in doors}
    assert {
        "assessments:hypothesis_edit",
        "assessments:evidence_edit",
        "key_assumptions:assumption_edit",
        "indicators:edit",
    } <= names
    before = database_state()
    for name, url, fields in doors:
        fields.pop("version")
        if version is not None:
            fields["version"] = [version]
        for field in ("statement", "summary"):
            if field in fields:
                fields[field] = ["Overwritten without the current version"]
        if "reason" in fields:
            fields["reason"] = ["Tidying"]
        body = client.post(url, fields, **HTMX).content.decode()
        assert "Someone else saved this" in body, f"{name} accepted a save with version {version}"
    assert database_state() == before


@pytest.mark.parametrize(("version", "status"), [(None, 400), (1, 409)])
def test_the_api_edit_refuses_a_missing_or_stale_version(populated, people, version, status):
    item = populated.evidence.get(key="E1")
    services.evidence_update(evidence=item, user=people["teammate"], expected_version=1, summary="Edited on the page")
    api = client_for(people["analyst"])
    payload = {"summary": "Overwritten", **({"version": version} if version is not None else {})}
    response = api.patch(reverse("api:evidence-detail", args=[populated.pk, "E1"]), payload, format="json")
    assert response.status_code == status
    assert populated.evidence.get(key="E1").summary == "Edited on the page"
