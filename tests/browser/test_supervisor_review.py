"""Real Chromium: an analyst submits, a supervisor comments on a cell and returns it, the analyst replies,
revises and resubmits, the supervisor sees what changed, resolves the thread and approves; the report says so."""

import re

import pytest
from playwright.sync_api import expect

from apps.ach.models import Rating
from apps.ach.services import ratings_bulk_create
from apps.comments.models import Thread

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username):
    page = browser.new_context().new_page()
    log_in(page, live_server, username)
    return page


def test_a_cell_comment_goes_round_the_review_until_approval(browser_ready, live_server, browser, live_matrix):
    assessment, alice = live_matrix["assessment"], live_matrix["alice"]
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    ratings_bulk_create(assessment=assessment, rows=[(alice, e, h, "C", "") for e in evidence for h in hypotheses])
    matrix_url = f"{live_server.url}/assessments/{assessment.pk}/"
    cell = f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypotheses[0].pk}"]'

    analyst = _as(browser, live_server, "alice")
    analyst.goto(matrix_url)
    analyst.click("#review button[value=submit]")
    expect(analyst.locator("#assessment-header .badge").first).to_have_text("In review")

    supervisor = _as(browser, live_server, "sam")
    supervisor.goto(f"{matrix_url}review/board/")
    expect(supervisor.locator("#review-since")).to_contain_text("First review of this assessment")
    supervisor.goto(matrix_url)
    supervisor.locator(f"#ev-{evidence[0].pk} a.comment-link").click()
    expect(supervisor.locator("#id_evidence")).to_have_value(str(evidence[0].pk))
    supervisor.select_option("#id_hypothesis", str(hypotheses[0].pk))
    supervisor.fill("#id_body", "Why is E1 consistent with H one? The source says otherwise.")
    supervisor.click("#thread-form button")
    expect(supervisor.locator("#thread h2")).to_contain_text("E1 × H1")
    supervisor.fill("#review input[name=comment]", "See the thread on E1 × H1.")
    supervisor.click("#review button[value=return]")
    expect(supervisor.locator("#assessment-header .badge").first).to_have_text("Returned")

    analyst.goto(matrix_url)
    expect(analyst.locator(cell)).to_have_class(re.compile(r"commented comment-open"))
    analyst.locator(f"#ev-{evidence[0].pk} a.comment-marker").click()
    analyst.locator("#threads a", has_text="E1 × H1").click()
    analyst.fill("#id_body", "Fair point: revised to I.")
    analyst.click("#reply-form button")
    expect(analyst.locator("#thread ol.comments li")).to_have_count(2)
    analyst.goto(matrix_url)
    analyst.locator(cell).click()
    analyst.click('#cell-picker button[data-v="I"]')
    expect(analyst.locator(cell)).to_have_text("I")
    analyst.click("#review button[value=submit]")
    expect(analyst.locator("#assessment-header .badge").first).to_have_text("In review")
    assert Rating.objects.get(analyst=alice, evidence=evidence[0], hypothesis=hypotheses[0]).get_value_display() == "I"

    supervisor.goto(f"{matrix_url}review/board/")
    expect(supervisor.locator("#review-since")).to_contain_text("Changed since my last review")
    expect(supervisor.locator(f"#review-row-{evidence[0].pk}")).to_have_class(re.compile(r"changed"))
    expect(supervisor.locator(f"#review-row-{evidence[1].pk}")).not_to_have_class(re.compile(r"changed"))
    supervisor.locator("#review-threads a", has_text="E1 × H1").click()
    expect(supervisor.locator("#thread")).to_contain_text("Fair point: revised to I.")
    supervisor.click("#resolve-form button[value=resolve]")
    expect(supervisor.locator("#thread-state")).to_have_text("resolved")
    supervisor.click("#review button[value=approve]")
    expect(supervisor.locator("#assessment-header .badge").first).to_have_text("Approved")
    assert Thread.objects.get().resolved

    analyst.goto(f"{matrix_url}report/")
    expect(analyst.locator("#report-approved")).to_contain_text("Approved by sam")
    marking = getattr(assessment, "marking", None)
    expect(analyst.locator("#marking-top")).to_have_text(str(marking) if marking else "HANDLING MARKING NOT SET")
