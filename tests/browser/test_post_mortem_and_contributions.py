"""Real Chromium: a resolved assessment's post-mortem stays as recorded when a rating is attempted afterwards;
an analyst opens the evidence contribution view for H1 against H4."""

import pytest
from playwright.sync_api import expect

from apps.ach.models import Rating
from apps.ach.services import rating_set, stated_probabilities_set
from apps.assessments.services import snapshot_compute
from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ATTEMPT = """async ([url, evidence, hypothesis]) => {
  const headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}');
  const body = new URLSearchParams({evidence, hypothesis, value: 'C', view: 'mine'});
  const response = await fetch(url, {method: 'POST', headers, body});
  return response.status;
}"""


def _rate(assessment, analyst, rows):
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for e, row in enumerate(rows):
        for h, label in enumerate(row.split()):
            rating_set(
                assessment=assessment,
                analyst=analyst,
                evidence_id=evidence[e].pk,
                hypothesis_id=hypotheses[h].pk,
                label=label,
            )
    snapshot_compute(assessment_id=assessment.pk)


def test_a_resolved_post_mortem_does_not_change_when_a_rating_is_attempted(
    browser_ready, live_server, page, live_matrix, browser
):
    assessment, alice = live_matrix["assessment"], live_matrix["alice"]
    _rate(assessment, alice, ["C I I"])
    stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 80, "H2": 10, "H3": 10})
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    form = page.locator("#resolve-form")
    form.locator("select[name=outcome]").select_option("H2")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/assessments/{assessment.pk}/post-mortem/")
    expect(page.locator("#misleading")).to_contain_text("E1")
    expect(page.locator("#brier")).to_contain_text("1.460")
    # alice tries to turn her I on H2 into a C: every write door is shut while resolved.
    analyst = browser.new_page()
    log_in(analyst, live_server, "alice")
    analyst.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(analyst.locator("#read-only")).to_be_visible()
    evidence = assessment.evidence.order_by("order").first()
    h2 = assessment.hypotheses.get(key="H2")
    status = analyst.evaluate(ATTEMPT, [f"{live_server.url}/assessments/{assessment.pk}/cells/", evidence.pk, h2.pk])
    assert status == 403
    assert Rating.objects.get(analyst=alice, evidence=evidence, hypothesis=h2).value == Rating.Value.I
    page.reload()
    expect(page.locator("#misleading")).to_contain_text("E1")
    expect(page.locator("#brier")).to_contain_text("1.460")
    expect(page.locator("#frozen-note")).to_contain_text("read-only until a supervisor un-resolves it")


def test_an_analyst_opens_the_contribution_view_for_h1_against_h4(browser_ready, live_server, page, team):
    alice = factories.member(team, "analyst", username="alice")
    assessment = factories.assessment_with_matrix(
        team=team, user=alice, hypotheses=("One", "Two", "Three", "Four"), evidence=3
    )
    # E1 C on H1 against I on H4 moves them apart most; E2 leans to H4; E3 says nothing between them.
    _rate(assessment, alice, ["C N N I", "N N N C", "C C C C"])
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/contributions/")
    page.select_option("#first", "H1")
    page.select_option("#second", "H4")
    page.locator("#contributions-form button[type=submit]").click()
    chart = page.locator("#contribution-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("g.bar")
    expect(bars).to_have_count(2)
    assert bars.nth(0).get_attribute("data-key") == "E1" and bars.nth(1).get_attribute("data-key") == "E2"
    assert float(bars.nth(0).get_attribute("data-value")) > 0 > float(bars.nth(1).get_attribute("data-value"))
