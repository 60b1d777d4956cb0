"""An approved assessment is read-only until a supervisor reopens it.

The write endpoints are enumerated from the URL resolver, so a new view that forgets the check fails here.
"""

import datetime

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.assessments import services
from apps.assessments.models import Assessment
from apps.comments import services as comment_services
from apps.indicators import services as indicator_services
from apps.key_assumptions import services as kac_services
from apps.key_assumptions.models import CollectionRequirement, EvidenceLink
from tests import factories
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
OUR_APPS = {"accounts", "assessments", "ach", "key_assumptions", "indicators", "quality", "comments", "reviews"}
# What an approved assessment still accepts: the supervisor reopening it or commenting on it, and a
# team admin archiving it (which freezes it further) or restoring it.
ALLOWED_WHILE_FROZEN = {
    ("assessments:review", "reopen"),
    ("assessments:review", "comment"),
    ("assessments:archive", ""),
    # Following or muting is the user's own preference, not the assessment's content.
    ("assessments:follow", ""),
    # Comment threads are the review conversation, which goes on after approval like review comments.
    ("comments:create", ""),
    ("comments:reply", ""),
    ("comments:resolve", ""),
    # Resolving (which hypothesis proved true) and forking a new draft leave the approved matrix as it is.
    ("ach:resolve", ""),
    # Withdrawing a resolution touches only the resolution (the "resolved" freeze, tests/ach/test_resolution.py).
    ("ach:unresolve", ""),
    ("assessments:fork", ""),
}
# Views that only take a POST: a GET is 405 for everyone inside the team (their POSTs are walked below and
# by tests/test_write_doors.py; tests/test_every_view.py walks every GET).
POST_ONLY = {
    "ach:cell_set",
    "ach:priors_set",
    "ach:resolve",
    "ach:stated_set",
    "ach:unresolve",
    "assessments:archive",
    "assessments:evidence_create",
    "assessments:evidence_delete",
    "assessments:evidence_duplicate",
    "assessments:evidence_merge",
    "assessments:evidence_move",
    "assessments:follow",
    "assessments:fork",
    "assessments:hypothesis_create",
    "assessments:hypothesis_delete",
    "assessments:hypothesis_duplicate",
    "assessments:hypothesis_merge",
    "assessments:hypothesis_move",
    "assessments:marking",
    "assessments:review",
    "comments:create",
    "comments:reply",
    "comments:resolve",
    "indicators:as_of",
    "indicators:create",
    "indicators:delete",
    "indicators:observation_add",
    "indicators:observation_delete",
    "indicators:review",
    "indicators:validation_set",
    "key_assumptions:assumption_create",
    "key_assumptions:assumption_move",
    "key_assumptions:challenge_create",
    "key_assumptions:check_complete",
    "key_assumptions:judgment_set",
    "key_assumptions:link_create",
    "key_assumptions:link_delete",
    "key_assumptions:requirement_status",
    "quality:deception_answer",
    "quality:item_source",
    "quality:source_create",
    "quality:source_edit",
    "quality:source_restore",
    "quality:source_retract",
}
# Views that only read: a POST is 405 (refused before anything is looked up).
READ_ONLY = {
    "ach:as_of",
    "ach:contributions",
    "ach:export",
    "ach:judgments",
    "ach:matrix",
    "ach:panel",
    "ach:post_mortem",
    "ach:priors",
    "ach:version_diff",
    "api:assessment-detail",
    "assessments:activity",
    "assessments:export_json",
    "assessments:history",
    "assessments:snapshot",
    "assessments:upload_progress",
    "comments:detail",
    "comments:list",
    "indicators:board",
    "indicators:detail",
    "indicators:panel",
    "key_assumptions:check",
    "key_assumptions:history",
    "key_assumptions:status",
    "quality:register",
    "reviews:board",
    "reviews:report",
    "reviews:report_pdf",
}
# A payload that would pass most of the forms, so a refusal cannot be mistaken for a validation error.
PAYLOAD = {
    "statement": "Rewritten while approved",
    "summary": "Added while approved",
    "credibility": "high",
    "relevance": "high",
    "type": "report",
    "direction": "up",
    "rating": "CC",
    "likelihood": "likely",
    "confidence": "solid",
    "impact": "high",
    "reason": "Because",
    "relation": "challenges",
    "status": "met",
    "need": "More reporting",
    "note": "A note",
    "source": "Wire",
    "on": "2026-11-30",
    "comment": "A comment",
}


def assessment_patterns(resolver=None, prefix=""):
    """(name, route, kwargs) for every URL pattern that takes an assessment's pk."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            # The admin's pks are its own models' (every assessment model's admin is read-only).
            if namespace != "admin:":
                yield from assessment_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and "pk" in entry.pattern.regex.groupindex:
            yield f"{prefix}{entry.name}", entry


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def rows_fill(assessment, analyst, team_admin):
    """Every kind of row a URL can name (tests/test_every_view.py walks the same)."""
    assumption = make_assumption(assessment, analyst, confidence="unsupported")
    evidence = assessment.evidence.first()
    kac_services.evidence_link_set(assumption=assumption, evidence=evidence, relation="supports", user=analyst)
    kac_services.requirement_create(assumption=assumption, user=analyst, need="More", due=None)
    indicator = make_indicator(assessment, analyst)
    indicator_services.observation_add(
        indicator=indicator, user=analyst, status="emerging", source="Wire", on=datetime.date(2026, 1, 1)
    )
    comment_services.thread_start(assessment=assessment, user=team_admin, body="Why?", evidence_id=evidence.pk)
    source = services.source_create(assessment=assessment, user=analyst, name="Agent X", grade="C")
    services.evidence_source_set(
        evidence=assessment.evidence.order_by("order").last(), user=analyst, source=source, information=3
    )


@pytest.fixture
def full_assessment(assessment, analyst, team_admin):
    """Every kind of row a URL can name, then approved."""
    rows_fill(assessment, analyst, team_admin)
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.assessment_review(assessment=assessment, user=team_admin, action="approve")
    assessment.refresh_from_db()
    return assessment


def ids_for(assessment, name: str, pattern) -> dict:
    kind = pattern.default_args.get("kind")
    assumption = assessment.assumptions.first()
    indicator = assessment.indicators.first()
    known = {
        "pk": assessment.pk,
        "item_id": (assessment.hypotheses if kind == "hypothesis" else assessment.evidence).first().pk,
        "assumption_id": assumption.pk,
        "requirement_id": CollectionRequirement.objects.get(assessment=assessment).pk,
        "link_id": EvidenceLink.objects.get(assumption=assumption).pk,
        "indicator_id": indicator.pk,
        "observation_id": indicator.observations.first().pk,
        "version": assessment.content_version,
        "before": assessment.content_version,
        "after": assessment.content_version,
        "thread_id": assessment.comment_threads.first().pk,
        "source_id": assessment.sources.first().pk,
        "fmt": "csv",
    }
    missing = set(pattern.pattern.regex.groupindex) - set(known)
    assert not missing, f"{name} takes {missing}: teach this test which row to name"
    return {key: known[key] for key in pattern.pattern.regex.groupindex}


def database_state() -> str:
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    return "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in models)


def test_every_write_endpoint_refuses_an_approved_assessment_and_changes_nothing(client, full_assessment, team_admin):
    client.force_login(team_admin)  # a team admin holds both the editing and the reviewing role
    before = database_state()
    tried = []
    for name, pattern in assessment_patterns():
        url = reverse(name, kwargs=ids_for(full_assessment, name, pattern))
        actions = ["submit", "approve", "return", "reopen", "comment"] if name == "assessments:review" else [""]
        for action in actions:
            if (name, action) in ALLOWED_WHILE_FROZEN:
                continue
            for headers in ({}, HTMX):
                response = client.post(url, {**PAYLOAD, "action": action}, **headers)
                expected = 405 if name in READ_ONLY else 403
                assert response.status_code == expected, f"POST {url} {action} answered {response.status_code}"
                tried.append((name, response.status_code))
    assert database_state() == before
    refused = {name for name, status in tried if status == 403}
    expected = {"assessments:evidence_edit", "ach:cell_set", "key_assumptions:assumption_edit", "indicators:edit"}
    assert expected <= refused


def test_the_approved_page_hides_every_edit_control_and_says_it_is_read_only(client, full_assessment, analyst):
    client.force_login(analyst)
    body = client.get(full_assessment.get_absolute_url()).content.decode()
    assert 'id="read-only"' in body and "until a supervisor reopens it" in body
    assert 'id="hypothesis-form"' not in body and 'id="evidence-form"' not in body
    assert "/edit/" not in body and "/delete/" not in body
    kac = client.get(reverse("key_assumptions:check", args=[full_assessment.pk])).content.decode()
    assert "/assumptions/add/" not in kac


def test_a_supervisor_can_reopen_an_approved_assessment_and_it_is_editable_again(
    client, full_assessment, supervisor, analyst
):
    client.force_login(supervisor)
    client.post(reverse("assessments:review", args=[full_assessment.pk]), {"action": "comment", "comment": "Fine"})
    client.post(reverse("assessments:review", args=[full_assessment.pk]), {"action": "reopen"})
    full_assessment.refresh_from_db()
    assert full_assessment.status == Assessment.Status.DRAFT
    client.force_login(analyst)
    response = client.post(
        reverse("assessments:hypothesis_create", args=[full_assessment.pk]), {"statement": "After reopening"}
    )
    assert response.status_code == 302
    assert full_assessment.hypotheses.filter(statement="After reopening").exists()


def test_the_return_comment_is_shown_on_the_assessment_page(client, assessment, analyst, supervisor):
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.assessment_review(
        assessment=assessment, user=supervisor, action="return", comment="Source E3 is <b>weak</b>"
    )
    client.force_login(analyst)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert 'id="return-comment"' in body
    assert "Source E3 is &lt;b&gt;weak&lt;/b&gt;" in body


def test_an_approved_assessment_can_be_resolved_and_forked(client, full_assessment, team_admin):
    client.force_login(team_admin)
    hypothesis = full_assessment.hypotheses.first()
    response = client.post(
        reverse("ach:resolve", args=[full_assessment.pk]),
        {"outcome": hypothesis.key, "resolved_on": "2026-11-30", "note": "It happened."},
    )
    assert response.status_code == 302  # back to the post-mortem
    assert full_assessment.resolution.outcome == hypothesis
    response = client.post(reverse("assessments:fork", args=[full_assessment.pk]), {"with_ratings": "1"})
    assert response.status_code == 302
    assert Assessment.objects.filter(team=full_assessment.team).count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"status": Assessment.Status.APPROVED},
        {"status": Assessment.Status.IN_REVIEW},
        {"archived_at": datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)},
        {"resolved_at": datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)},
    ],
    ids=["draft", "approved", "in_review", "archived", "resolved"],
)
def test_the_freeze_as_a_query_filter_agrees_with_write_refusal(assessment, change):
    from apps.assessments.access import writable, write_refusal

    Assessment.objects.filter(pk=assessment.pk).update(**change)
    assessment.refresh_from_db()
    assert Assessment.objects.filter(writable(), pk=assessment.pk).exists() == (write_refusal(assessment) is None)
