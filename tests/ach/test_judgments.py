"""The judgment panels (sensitivity, stated vs computed, resolution), the post-mortem, reliability and the profile."""

import copy
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.ach import services
from apps.ach.models import Resolution, Statement
from apps.assessments.exchange import assessment_import
from apps.assessments.services import snapshot_compute
from tests import factories

from .test_calibration import TWO

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def two(team, analyst, teammate, supervisor):
    """TWO's matrix rated by alice (the analyst) and bob (the teammate), scored once."""
    assessment = assessment_import(data=copy.deepcopy(TWO), team=team, create_analysts=True)
    snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment


def _url(name, assessment):
    return reverse(f"ach:{name}", args=[assessment.pk])


def _state(assessment, user, h1, h2):
    services.stated_probabilities_set(assessment=assessment, analyst=user, percents={"H1": h1, "H2": h2})


def _resolve(assessment, supervisor, outcome="H2"):
    services.assessment_resolve(
        assessment=assessment, user=supervisor, outcome=outcome, resolved_on=timezone.localdate(), note="It was H2."
    )


# --- Access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("judgments", "get"),
        ("stated_set", "post"),
        ("resolve", "post"),
        ("post_mortem", "get"),
        ("reliability", "get"),
        ("reliability", "post"),
    ],
)
def test_outsider_gets_404_on_every_judgment_view(client, outsider, two, name, method):
    client.force_login(outsider)
    response = getattr(client, method)(_url(name, two), {"pct_H1": "50", "pct_H2": "50"})
    assert response.status_code == 404
    assert not Statement.objects.exists()


@pytest.mark.parametrize("persona", ["analyst", "teammate", "supervisor"])
def test_every_member_sees_the_judgments_page_and_the_post_mortem(client, request, two, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("judgments", two)).status_code == 200
    assert client.get(_url("post_mortem", two)).status_code == 200


def test_the_matrix_page_loads_the_judgment_panels_and_shows_unrated_items_as_not_rated_yet(
    client, analyst, supervisor, two
):
    client.force_login(analyst)
    page = client.get(_url("matrix", two)).content.decode()
    assert f'hx-get="{_url("judgments", two)}" hx-trigger="load"' in page
    # An analyst sees no row's figures before rating it, whether or not anyone else has.
    assert "diag. shown once you rate the row" in page
    assert "diag. not rated yet" not in page
    client.force_login(supervisor)
    page = client.get(_url("matrix", two)).content.decode()
    # E3 nobody rated: no diagnosticity, and not hidden as non-diagnostic.
    assert "diag. not rated yet" in page
    assert "Nobody rated this" in client.get(_url("matrix", two), {"hide_nd": "1"}).content.decode()


# --- Sensitivity -----------------------------------------------------------------------------------------


def test_the_panel_shows_the_snapshots_sensitivity_and_the_team_without_each_analyst(client, analyst, two):
    client.force_login(analyst)
    response = client.get(_url("judgments", two), HTTP_HX_TARGET="judgments", **HTMX)
    body = response.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="judgments" ')
    # test_calibration works these numbers: H1 holds through all 3 removals; without bob the team is alice
    # alone (H1 77 %), without alice it is bob alone (H2 leads).
    assert "held through 3 removals" in body
    table = body.split('id="without-analyst"')[1].split("</table>")[0]
    assert "<td>bob</td><td>H1</td><td>77.0%</td><td>23.0%</td>" in table
    assert "<td>alice</td><td>H2" in table and "changes" in table


def _rate(assessment, analyst, rows):
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for item, labels in zip(evidence, rows, strict=False):
        for hypothesis, label in zip(hypotheses, labels, strict=True):
            services.rating_set(
                assessment=assessment, analyst=analyst, evidence_id=item.pk, hypothesis_id=hypothesis.pk, label=label
            )
    snapshot_compute(assessment_id=assessment.pk)


def test_the_panel_names_the_items_whose_removal_changes_the_lead(client, analyst, team):
    assessment = factories.assessment_with_matrix(team=team, user=analyst, hypotheses=("One", "Two"), evidence=3)
    # E1 and E2 C/I, E3 I/C, all of one reliability: H1 leads. Removing E1 or E2 leaves a tie (the smallest
    # margin, 0; E1 goes as the earlier) which H1 keeps; then removing E2 leaves E3 alone: H2 leads.
    _rate(assessment, analyst, [("C", "I"), ("C", "I"), ("I", "C")])
    client.force_login(analyst)
    body = client.get(_url("judgments", assessment)).content.decode()
    assert "The posterior lead of <strong>H1</strong> changes after removing 2 items: E1, E2." in body


def test_the_panel_warns_of_hypotheses_that_may_not_be_mutually_exclusive(client, analyst, team):
    assessment = factories.assessment_with_matrix(team=team, user=analyst, hypotheses=("One", "Two"), evidence=6)
    # Five items C for both, E6 C for H1 only: shared 5, either 6, 5 / 6 ≥ 0.6.
    _rate(assessment, analyst, [("C", "C")] * 5 + [("C", "I")])
    client.force_login(analyst)
    body = client.get(_url("judgments", assessment)).content.decode()
    assert "H1 and H2 may not be mutually exclusive: 5 of the 6 items" in body
    # Every removal after E6's leaves a tie, which H1 keeps as the earliest: the lead holds through all six.
    assert "held through 6 removals" in body


def test_the_polled_scores_answer_204_until_a_statement_or_snapshot_changes_them(client, analyst, two):
    client.force_login(analyst)
    first = client.get(_url("judgments", two), HTTP_HX_TARGET="judgment-scores", **HTMX)
    token = first.content.decode().split("?shown=")[1].split('"')[0]
    again = client.get(_url("judgments", two) + f"?shown={token}", HTTP_HX_TARGET="judgment-scores", **HTMX)
    assert again.status_code == 204
    _state(two, analyst, 60, 40)
    moved = client.get(_url("judgments", two) + f"?shown={token}", HTTP_HX_TARGET="judgment-scores", **HTMX)
    assert moved.status_code == 200 and '<div id="judgment-scores"' in moved.content.decode()


# --- Stated probabilities --------------------------------------------------------------------------------


def test_an_analyst_states_probabilities_and_sees_incoherence_beside_the_computed_posterior(client, analyst, two):
    client.force_login(analyst)
    response = client.post(_url("stated_set", two), {"pct_H1": "70", "pct_H2": "40"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="stated-form"') and "hx-swap-oob" not in body
    assert json.loads(response.headers["HX-Trigger"]) == {"stated-changed": {}}
    statement = Statement.objects.get(analyst=analyst)
    # The scores beside the form refresh themselves on the event.
    body = client.get(_url("judgments", two), HTTP_HX_TARGET="judgment-scores", **HTMX).content.decode()
    assert sorted(statement.probabilities.values_list("percent", flat=True)) == [40.0, 70.0]
    # 70 + 40 = 110: incoherence 10; normalised 63.6 % / 36.4 %; alice's computed posterior .77 / .23.
    assert "incoherence 10 %" in body
    # One statement: the coherence-weighted pool is the same 63.6 %.
    assert "<td>H1</td><td>59.0%</td><td>63.6%</td><td>63.6%</td><td>63.6% / 77.0%</td>" in body


def test_every_statement_is_kept_as_history(client, analyst, two):
    client.force_login(analyst)
    client.post(_url("stated_set", two), {"pct_H1": "70", "pct_H2": "30"})
    response = client.post(_url("stated_set", two), {"pct_H1": "20", "pct_H2": "80"})
    assert response.status_code == 302
    assert Statement.objects.filter(analyst=analyst).count() == 2
    page = client.get(_url("judgments", two)).content.decode()
    assert "Stated 2 times" in page
    history = page.split('id="stated-history"')[1].split("</details>")[0]
    assert history.index("H1 20 %, H2 80 %") < history.index("H1 70 %, H2 30 %")
    assert 'value="20.0"' in page  # the form starts from the latest statement


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pct_H1": "70", "pct_H2": ""}, "H2: state a probability (0 to 100)."),
        ({"pct_H1": "70"}, "H2: state a probability (0 to 100)."),
        ({"pct_H1": "120", "pct_H2": "10"}, "H1: enter a number between 0 and 100."),
        ({"pct_H1": "-1", "pct_H2": "10"}, "H1: enter a number between 0 and 100."),
        ({"pct_H1": "lots", "pct_H2": "10"}, "H1: enter a number between 0 and 100."),
        ({"pct_H1": "0", "pct_H2": "0"}, "At least one probability must be above 0."),
    ],
)
def test_bad_statements_are_refused_with_a_message_and_nothing_saved(client, analyst, two, data, message):
    client.force_login(analyst)
    response = client.post(_url("stated_set", two), data, **HTMX)
    assert message in response.content.decode()
    assert not Statement.objects.exists()


def test_an_analyst_sees_only_their_own_pair_and_a_supervisor_every_analysts(
    client, analyst, teammate, supervisor, two
):
    _state(two, analyst, 70, 30)
    _state(two, teammate, 10, 90)
    client.force_login(teammate)
    body = client.get(_url("judgments", two)).content.decode()
    # bob sees the team's pooled statement ((.7 + .1) / 2 = 40 %) and his own pair, never alice's 70 %. He has
    # rated E1 alone, so the team's computed posterior is over E1 (apps.assessments.visibility): alice's 77 %
    # and his 23 %, each pooled with weight 2 (cells rated), 50 %; the supervisor's 59 % counts alice's E2.
    # Both statements add up to 100: the coherence-weighted pool is the plain mean.
    assert "<td>H1</td><td>50.0%</td><td>40.0%</td><td>40.0%</td><td>10.0% / 23.0%</td></tr>" in body
    assert "Team view over the 1 items you have rated; 2 hidden until you rate them." in body
    assert "alice" not in body.split('id="stated"')[1].split('id="stated-form"')[0]
    client.force_login(supervisor)
    body = client.get(_url("judgments", two)).content.decode()
    assert "<td>H1</td><td>59.0%</td><td>40.0%</td><td>40.0%</td><td>70.0% / 77.0%</td><td>10.0% / 23.0%</td>" in body
    assert 'id="stated-form"' not in body


def test_a_supervisor_cannot_state_probabilities(client, supervisor, two):
    client.force_login(supervisor)
    assert client.post(_url("stated_set", two), {"pct_H1": "50", "pct_H2": "50"}).status_code == 403
    assert not Statement.objects.exists()


# --- Resolution and post-mortem --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["analyst", "teammate"])
def test_only_supervisors_resolve_analysts_get_403(client, request, two, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(_url("resolve", two), {"outcome": "H1", "resolved_on": "2026-01-01"})
    assert response.status_code == 403
    assert not Resolution.objects.exists()
    assert 'id="resolve-form"' not in client.get(_url("judgments", two)).content.decode()


def test_a_supervisor_resolves_and_is_sent_to_the_post_mortem(client, supervisor, two):
    client.force_login(supervisor)
    form = client.get(_url("judgments", two)).content.decode().split('id="resolve-form"')[1]
    # A date input takes ISO dates only, whatever the locale's format.
    assert f'type="date" name="resolved_on" value="{timezone.localdate().isoformat()}"' in form
    response = client.post(
        _url("resolve", two), {"outcome": "none", "resolved_on": "2026-01-02", "note": "<b>no</b>"}, **HTMX
    )
    assert response["HX-Redirect"] == _url("post_mortem", two)
    resolution = Resolution.objects.get(assessment=two)
    assert resolution.outcome is None and resolution.resolved_on == dt.date(2026, 1, 2)
    page = client.get(_url("post_mortem", two)).content.decode()
    assert "none of the hypotheses proved true" in page
    assert "&lt;b&gt;no&lt;/b&gt;" in page and "<b>no</b>" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "H9", "resolved_on": "2026-01-01"}, "Select a valid choice"),
        ({"outcome": "", "resolved_on": "2026-01-01"}, "This field is required"),
        ({"outcome": "H1", "resolved_on": "yesterday"}, "Enter the date as YYYY-MM-DD."),
        ({"outcome": "H1", "resolved_on": "2999-01-01"}, "cannot be in the future"),
    ],
)
def test_bad_resolutions_are_refused_with_a_message_and_nothing_saved(client, supervisor, two, data, message):
    client.force_login(supervisor)
    response = client.post(_url("resolve", two), data, HTTP_HX_TARGET="resolution", **HTMX)
    assert message in response.content.decode()
    assert '<div class="card" id="resolution">' in response.content.decode()
    assert not Resolution.objects.exists()


def test_the_post_mortem_shows_brier_scores_and_misleading_evidence(client, analyst, supervisor, two):
    _state(two, analyst, 70, 30)
    _resolve(two, supervisor)
    client.force_login(supervisor)
    page = client.get(_url("post_mortem", two)).content.decode()
    # Worked in test_calibration: alice stated .98, computed 1.1858; team computed .6962; bob .1058.
    assert "<strong>H2</strong> proved true" in page
    table = page.split('id="brier"')[1].split("</table>")[0]
    assert "<th>Team</th><td>0.980</td><td>0.696</td>" in table
    assert "<td>alice</td><td>0.980</td><td>1.186</td>" in table
    assert "<td>bob</td><td>–</td><td>0.106</td>" in table
    assert "<strong>E2</strong> Second" in page.split('id="misleading"')[1]
    # alice has not rated E3 (apps.assessments.visibility): her own scores, and no computed figure that
    # teammates' ratings she may not see could have moved.
    client.force_login(analyst)
    page = client.get(_url("post_mortem", two)).content.decode()
    table = page.split('id="brier"')[1].split("</table>")[0]
    assert "<th>Team</th><td>0.980</td><td>–</td>" in table and "<td>bob</td>" not in table
    assert "<td>alice</td><td>0.980</td><td>1.186</td>" in table
    assert "<strong>E2</strong> Second" in page.split('id="misleading"')[1]


def test_the_post_mortem_of_an_unresolved_assessment_says_so(client, analyst, two):
    client.force_login(analyst)
    assert "not resolved yet" in client.get(_url("post_mortem", two)).content.decode()


def test_the_post_mortems_queries_do_not_grow_with_analysts_and_statements(client, team, analyst, supervisor, two):
    _state(two, analyst, 70, 30)
    _resolve(two, supervisor)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get(_url("post_mortem", two))
    other = assessment_import(data=copy.deepcopy(TWO), team=team, create_analysts=True)
    evidence = list(other.evidence.order_by("order"))
    hypotheses = list(other.hypotheses.order_by("order"))
    for i in range(4):
        extra = factories.member(team, "analyst", username=f"extra{i}")
        for item in evidence:
            services.rating_set(
                assessment=other, analyst=extra, evidence_id=item.pk, hypothesis_id=hypotheses[0].pk, label="C"
            )
        _state(other, extra, 30, 70)
    snapshot_compute(assessment_id=other.pk)
    _resolve(other, supervisor)
    with CaptureQueriesContext(connection) as large:
        page = client.get(_url("post_mortem", other)).content.decode()
    assert "<td>extra3</td>" in page
    assert len(large) == len(small)


# --- Profile ---------------------------------------------------------------------------------------------


def test_the_profile_lists_the_users_brier_scores_across_resolved_assessments(
    client, analyst, teammate, supervisor, two
):
    _state(two, analyst, 70, 30)
    _resolve(two, supervisor)
    client.force_login(analyst)
    page = client.get(reverse("accounts:profile")).content.decode()
    row = page.split('id="brier-scores"')[1].split("</table>")[0]
    assert f'href="{_url("post_mortem", two)}"' in row
    assert "<td>H2</td><td>0.980</td><td>1.186</td>" in row
    # bob rated but stated nothing: his computed score still counts.
    client.force_login(teammate)
    assert "<td>H2</td><td>–</td><td>0.106</td>" in client.get(reverse("accounts:profile")).content.decode()


def test_the_profile_shows_nothing_of_another_teams_assessments(client, outsider, supervisor, two):
    _resolve(two, supervisor)
    client.force_login(outsider)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "No resolved assessment you took part in yet." in page
    assert two.title not in page


def test_the_profile_needs_a_login(client):
    assert client.get(reverse("accounts:profile")).status_code == 302


# --- Reliability -----------------------------------------------------------------------------------------


def test_the_priors_page_loads_the_reliability_form(client, analyst, two):
    client.force_login(analyst)
    page = client.get(_url("priors", two)).content.decode()
    assert f'hx-get="{_url("reliability", two)}" hx-trigger="load"' in page
    form = client.get(_url("reliability", two), **HTMX).content.decode()
    assert form.lstrip().startswith('<form id="reliability-form"') and 'value="0.9"' in form


def test_an_analyst_sets_the_reliability_factors_and_the_version_moves(client, analyst, two):
    client.force_login(analyst)
    version = two.content_version
    data = {
        "credibility_low": "0.4",
        "credibility_medium": "0.7",
        "credibility_high": "1",
        "relevance_low": "0.5",
        "relevance_medium": "0.75",
        "relevance_high": "1",
    }
    response = client.post(_url("reliability", two), data, **HTMX)
    assert response["HX-Redirect"] == two.get_absolute_url()
    two.refresh_from_db()
    assert two.reliability["credibility"] == {"low": 0.4, "medium": 0.7, "high": 1.0}
    assert two.content_version == version + 1


@pytest.mark.parametrize("value", ["0", "1.5", "-0.2", "", "abc"])
def test_reliability_factors_outside_zero_to_one_are_refused(client, analyst, two, value):
    client.force_login(analyst)
    data = {f"{kind}_{level}": "0.5" for kind in ("credibility", "relevance") for level in ("low", "medium", "high")}
    data["credibility_high"] = value
    response = client.post(_url("reliability", two), data, **HTMX)
    assert response.status_code == 200 and 'class="field-error"' in response.content.decode()
    two.refresh_from_db()
    assert two.reliability == {} or two.reliability["credibility"]["high"] == 0.9


def test_a_supervisor_cannot_change_the_reliability_factors(client, supervisor, two):
    client.force_login(supervisor)
    assert client.post(_url("reliability", two), {"credibility_high": "1"}).status_code == 403
