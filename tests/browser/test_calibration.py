"""Real Chromium: an analyst states probabilities beside the computed ones; a supervisor resolves."""

import pytest
from playwright.sync_api import expect

from apps.ach.models import Resolution, Statement
from apps.ach.services import rating_set
from apps.assessments.services import snapshot_compute

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _rate_first_item(assessment, analyst):
    evidence = assessment.evidence.order_by("order").first()
    for hypothesis, label in zip(assessment.hypotheses.order_by("order"), ("C", "I", "I"), strict=True):
        rating_set(
            assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
        )
    snapshot_compute(assessment_id=assessment.pk)


def test_an_analyst_states_probabilities_and_sees_them_beside_the_computed_posterior(
    browser_ready, live_server, page, live_matrix
):
    assessment = live_matrix["assessment"]
    _rate_first_item(assessment, live_matrix["alice"])
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    form = page.locator("#stated-form")
    form.locator("input[name=pct_H1]").fill("60")
    form.locator("input[name=pct_H2]").fill("30")
    form.locator("button[type=submit]").click()
    # A blank is refused before it leaves the browser (the server refuses it too: see the view tests).
    assert page.locator("#stated-form input[name=pct_H3]").evaluate("el => el.validationMessage")
    assert not Statement.objects.exists()
    page.locator("#stated-form input[name=pct_H3]").fill("20")
    page.locator("#stated-form button[type=submit]").click()
    expect(page.locator("#stated-form")).to_contain_text("Recorded")
    # 60 + 30 + 20 = 110: incoherence 10, used as 54.5 % / 27.3 % / 18.2 %, beside the computed posterior.
    table = page.locator("#stated-table")
    expect(table).to_contain_text("You: stated / computed")
    expect(table.locator("tbody tr").first).to_contain_text("54.5% /")
    expect(page.locator("#incoherence")).to_contain_text("incoherence 10 %")
    assert Statement.objects.get(analyst=live_matrix["alice"]).probabilities.count() == 3


def test_a_supervisor_resolves_the_assessment_and_reads_the_post_mortem(browser_ready, live_server, page, live_matrix):
    from apps.ach.services import stated_probabilities_set

    assessment = live_matrix["assessment"]
    _rate_first_item(assessment, live_matrix["alice"])
    stated_probabilities_set(
        assessment=assessment, analyst=live_matrix["alice"], percents={"H1": 80, "H2": 10, "H3": 10}
    )
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    form = page.locator("#resolve-form")
    form.locator("select[name=outcome]").select_option("H2")
    form.locator("textarea[name=note]").fill("The factions split.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/assessments/{assessment.pk}/post-mortem/")
    expect(page.locator("#outcome")).to_contain_text("H2 proved true")
    # alice stated .8/.1/.1 with H2 true: .64 + .81 + .01 = 1.46; E1 was I for H2: misleading.
    expect(page.locator("#brier")).to_contain_text("1.460")
    expect(page.locator("#misleading")).to_contain_text("E1")
    assert Resolution.objects.get(assessment=assessment).outcome.key == "H2"
