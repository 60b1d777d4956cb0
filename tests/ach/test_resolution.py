"""Resolving freezes the assessment and records the post-mortem it scores; un-resolving is recorded."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.ach import services
from apps.ach.models import Rating, Statement
from apps.ach.postmortem import calibration_for_user, calibration_get
from apps.assessments.models import Activity, Assessment
from tests import factories
from tests.assessments.test_freeze import (
    ALLOWED_WHILE_FROZEN,
    HTMX,
    PAYLOAD,
    READ_ONLY,
    assessment_patterns,
    database_state,
    ids_for,
    rows_fill,
)

pytestmark = pytest.mark.django_db

# While resolved, besides what an approved assessment accepts: the supervisor withdrawing the resolution.
ALLOWED_WHILE_RESOLVED = ALLOWED_WHILE_FROZEN | {("ach:unresolve", "")}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _rate(assessment, analyst, cells: dict[tuple[int, int], str]) -> None:
    evidence = list(assessment.evidence.order_by("order", "id"))
    hypotheses = list(assessment.hypotheses.order_by("order", "id"))
    for (e, h), label in cells.items():
        services.rating_set(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence[e].pk,
            hypothesis_id=hypotheses[h].pk,
            label=label,
        )


@pytest.fixture
def resolved_assessment(assessment, analyst, team_admin):
    """Every kind of row a URL can name, then resolved (as a draft: resolving alone freezes it)."""
    rows_fill(assessment, analyst, team_admin)
    _rate(assessment, analyst, {(0, 0): "C", (0, 1): "II"})
    services.assessment_resolve(
        assessment=assessment,
        user=team_admin,
        outcome=assessment.hypotheses.first().key,
        resolved_on=timezone.localdate(),
    )
    assessment.refresh_from_db()
    return assessment


def test_every_write_endpoint_refuses_a_resolved_assessment_and_changes_nothing(
    client, resolved_assessment, team_admin
):
    assert resolved_assessment.status == Assessment.Status.DRAFT and resolved_assessment.resolved_at is not None
    client.force_login(team_admin)
    before = database_state()
    tried = []
    for name, pattern in assessment_patterns():
        if name.startswith("admin:"):
            continue  # the site admin's pages are not a team's doors (staff only, their own login)
        url = reverse(name, kwargs=ids_for(resolved_assessment, name, pattern))
        actions = ["submit", "approve", "return", "reopen", "comment"] if name == "assessments:review" else [""]
        for action in actions:
            if (name, action) in ALLOWED_WHILE_RESOLVED:
                continue
            for headers in ({}, HTMX):
                response = client.post(url, {**PAYLOAD, "action": action}, **headers)
                expected = 405 if name in READ_ONLY else 403
                assert response.status_code == expected, f"POST {url} {action} answered {response.status_code}"
                tried.append((name, response.status_code))
    assert database_state() == before
    refused = {name for name, status in tried if status == 403}
    assert {"ach:cell_set", "ach:stated_set", "assessments:evidence_edit", "indicators:edit"} <= refused


def test_the_api_refuses_writes_to_a_resolved_assessment_with_409(client, resolved_assessment, analyst):
    client.force_login(analyst)
    evidence = resolved_assessment.evidence.first()
    response = client.patch(
        f"/api/v1/assessments/{resolved_assessment.pk}/evidence/{evidence.key}/",
        {"summary": "Rewritten after the resolution", "version": evidence.version},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "resolved" in response.json()["detail"]
    evidence.refresh_from_db()
    assert evidence.summary != "Rewritten after the resolution"


def test_the_post_mortem_is_the_one_recorded_when_resolving(client, resolved_assessment, analyst, team_admin):
    recorded = calibration_get(assessment=resolved_assessment)
    # The first item: C on the true H1, II on H2 → nothing misleading; its computed posterior is scored.
    assert recorded["misleading_evidence"] == []
    assert recorded["brier"]["analysts"]["alice"]["computed"] is not None
    # Even a write that skips every door (the database itself) does not rewrite the post-mortem.
    Rating.objects.filter(assessment=resolved_assessment, value=Rating.Value.C).update(value=Rating.Value.II)
    assert calibration_get(assessment=resolved_assessment) == recorded
    client.force_login(analyst)
    page = client.get(reverse("ach:post_mortem", args=[resolved_assessment.pk])).content.decode()
    assert "No item’s consensus contradicted the true hypothesis." in page


def test_a_supervisor_unresolves_and_the_change_is_recorded_then_the_matrix_is_writable(
    client, resolved_assessment, analyst, supervisor
):
    client.force_login(analyst)
    assert client.post(reverse("ach:unresolve", args=[resolved_assessment.pk])).status_code == 403
    client.force_login(supervisor)
    response = client.post(reverse("ach:unresolve", args=[resolved_assessment.pk]), {"reason": "Wrong date"})
    assert response.status_code == 302
    resolved_assessment.refresh_from_db()
    assert resolved_assessment.resolved_at is None and calibration_get(assessment=resolved_assessment) is None
    activity = Activity.objects.filter(assessment=resolved_assessment, data__action="unresolve").get()
    assert "un-resolved" in activity.message and "Wrong date" in activity.message
    assert activity.data["withdrawn"]["outcome"] == "H1"
    assert activity.data["withdrawn"]["record"]["scores"]["analysts"]["alice"]["computed"]["brier"] is not None
    client.force_login(analyst)
    evidence, hypothesis = resolved_assessment.evidence.first(), resolved_assessment.hypotheses.first()
    response = client.post(
        reverse("ach:cell_set", args=[resolved_assessment.pk]),
        {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "N", "view": "mine"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Rating.objects.get(analyst=analyst, evidence=evidence, hypothesis=hypothesis).value == Rating.Value.N


def _state(assessment, analyst, percents, at):
    statement = services.stated_probabilities_set(assessment=assessment, analyst=analyst, percents=percents)
    Statement.objects.filter(pk=statement.pk).update(stated_at=at)


def test_statements_after_the_outcome_date_do_not_count(assessment, analyst, teammate, supervisor):
    outcome_day = dt.date(2026, 11, 20)
    noon = timezone.make_aware(dt.datetime(2026, 11, 20, 12))
    # On the outcome day itself: counts. Alice's next statement, a day later, is hindsight.
    _state(assessment, analyst, {"H1": 60, "H2": 30, "H3": 10}, noon)
    _state(assessment, analyst, {"H1": 100, "H2": 0, "H3": 0}, noon + dt.timedelta(days=1))
    # Bob stated only after the outcome date: no stated score at all.
    _state(assessment, teammate, {"H1": 90, "H2": 5, "H3": 5}, noon + dt.timedelta(days=2))
    services.assessment_resolve(assessment=assessment, user=supervisor, outcome="H1", resolved_on=outcome_day)
    calibration = calibration_get(assessment=assessment)
    # Alice: (.6 − 1)² + .3² + .1² = .16 + .09 + .01 = .26 (the hindsight 100 % would have scored 0).
    assert calibration["brier"]["analysts"]["alice"]["stated"] == pytest.approx(0.26)
    assert "bob" not in calibration["brier"]["analysts"]
    assert calibration["brier"]["team"]["stated"] == pytest.approx(0.26)


def test_an_analyst_who_rated_only_na_has_no_computed_score(assessment, analyst, teammate, supervisor):
    _rate(assessment, analyst, {(0, 0): "CC", (0, 1): "I", (0, 2): "I"})
    _rate(assessment, teammate, {(0, 0): "NA", (1, 1): "NA"})
    services.assessment_resolve(assessment=assessment, user=supervisor, outcome="H1", resolved_on=timezone.localdate())
    calibration = calibration_get(assessment=assessment)
    assert calibration["brier"]["analysts"]["alice"]["computed"] is not None
    assert "bob" not in calibration["brier"]["analysts"]


def test_skill_and_log_scores_beside_brier_on_hand_worked_numbers(assessment, analyst, supervisor):
    _state(assessment, analyst, {"H1": 50, "H2": 30, "H3": 20}, timezone.now() - dt.timedelta(days=1))
    services.assessment_resolve(assessment=assessment, user=supervisor, outcome="H2", resolved_on=timezone.localdate())
    calibration = calibration_get(assessment=assessment)
    # Brier: .5² + (.3 − 1)² + .2² = .25 + .49 + .04 = .78. Uniform ⅓ each: (⅓)² × 2 + (⅔)² = 6/9 = ⅔.
    # Skill = 1 − .78 / ⅔ = 1 − 1.17 = −.17 (worse than spreading evenly). Log = ln .3 = −1.2040.
    assert calibration["brier"]["analysts"]["alice"]["stated"] == pytest.approx(0.78)
    assert calibration["skill"]["analysts"]["alice"]["stated"] == pytest.approx(-0.17)
    assert calibration["log"]["analysts"]["alice"]["stated"] == pytest.approx(-1.2039728)


def test_the_profile_shows_a_reliability_table_from_ten_forecasts(client, team, analyst, supervisor):
    client.force_login(analyst)
    # Three resolved assessments of three hypotheses: 9 forecasts, no table yet; a fourth makes 12.
    for number in range(4):
        assessment = factories.assessment_with_matrix(team=team, user=analyst)
        _state(assessment, analyst, {"H1": 80, "H2": 15, "H3": 5}, timezone.now() - dt.timedelta(days=1))
        services.assessment_resolve(
            assessment=assessment,
            user=supervisor,
            outcome="H1" if number % 2 else "H2",
            resolved_on=timezone.localdate(),
        )
        profile = calibration_for_user(user=analyst)
        assert (profile["reliability"] is not None) == (number == 3)
    stated = [row for row, _ in profile["reliability"]]
    # 80 % four times, H1 true twice: the .7–.9 bin observes ½. 15 % four times, true twice (H2): ½ in .1–.3.
    # 5 % four times, never true: 0 in 0–.1.
    assert [(r.count, r.observed) for r in stated] == [(4, 0.0), (4, 0.5), (0, None), (0, None), (4, 0.5), (0, None)]
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="reliability-table"' in page and "<td>4</td>" in page
