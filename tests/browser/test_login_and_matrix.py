"""Real Chromium against the live server: login, rating by mouse and keyboard, live scores."""

import re

import pytest
from playwright.sync_api import expect

from apps.ach.models import Rating
from apps.assessments.models import Evidence

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_lands_on_their_teams_dashboard(browser_ready, live_server, page, live_matrix):
    log_in(page, live_server, "alice")
    expect(page.locator("#dashboard h1")).to_have_text("Maghreb Desk: assessments")
    expect(page.locator("#dashboard")).to_contain_text("Test assessment")


def test_an_analyst_rates_cells_by_mouse_and_keyboard_and_sees_scores_change(
    browser_ready, live_server, page, live_matrix
):
    assessment = live_matrix["assessment"]
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator("#score-rows tr").first.locator("td").first).to_have_text("0")
    first = page.locator(f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypotheses[0].pk}"]')
    first.click()
    page.click('#cell-picker button[data-v="II"]')
    expect(page.locator(f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypotheses[0].pk}"]')).to_have_text("II")
    expect(page.locator("#score-rows tr").first.locator("td").first).to_have_text("2")
    # Keyboard: move right from the focused cell and type "i" for I.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    expect(page.locator(f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypotheses[1].pk}"]')).to_have_text("I")
    expect(page.locator("#score-rows tr").first.locator("td").nth(1)).to_have_text("1")
    assert set(Rating.objects.filter(analyst=live_matrix["alice"]).values_list("value", flat=True)) == {
        Rating.Value.II,
        Rating.Value.I,
    }


def test_a_second_analysts_different_rating_shows_as_disagreement(browser_ready, live_server, page, live_matrix):
    from apps.ach.services import rating_set

    assessment = live_matrix["assessment"]
    evidence = assessment.evidence.order_by("order").first()
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for hypothesis in hypotheses:
        rating_set(
            assessment=assessment,
            analyst=live_matrix["bob"],
            evidence_id=evidence.pk,
            hypothesis_id=hypothesis.pk,
            label="CC",
        )
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    for hypothesis in hypotheses:
        cell = page.locator(f'td.cell[data-e="{evidence.pk}"][data-h="{hypothesis.pk}"]')
        cell.click()
        page.click('#cell-picker button[data-v="II"]')
        expect(page.locator(f'td.cell[data-e="{evidence.pk}"][data-h="{hypothesis.pk}"]')).to_have_text("II")
    page.click("text=Team consensus")
    cell = page.locator(f'td.cell[data-e="{evidence.pk}"][data-h="{hypotheses[0].pk}"]')
    expect(cell).to_have_class(re.compile(r"d-extreme"))


def test_the_other_analysts_page_shows_new_scores_without_a_reload(browser_ready, live_server, browser, live_matrix):
    _two_analysts_see_new_evidence_scored(live_server, browser, live_matrix)


def test_the_other_analysts_page_updates_when_the_real_worker_rescores(
    browser_ready, celery_worker_thread, live_server, browser, live_matrix
):
    from apps.assessments.models import ScoreSnapshot

    before = ScoreSnapshot.objects.count()
    _two_analysts_see_new_evidence_scored(live_server, browser, live_matrix)
    # The snapshot the page shows was stored by the worker, not in the web request.
    assert ScoreSnapshot.objects.count() > before


def _two_analysts_see_new_evidence_scored(live_server, browser, live_matrix):
    assessment = live_matrix["assessment"]
    alice_page = browser.new_context().new_page()
    bob_page = browser.new_context().new_page()
    log_in(alice_page, live_server, "alice")
    log_in(bob_page, live_server, "bob")
    bob_page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(bob_page.locator("#snapshot-status")).to_contain_text("Up to date")
    version_before = bob_page.locator("#snapshot-status").inner_text()
    bob_page.evaluate("window.__notReloaded = true")
    alice_page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    alice_page.fill("#evidence-form textarea[name=summary]", "A new report arrives")
    alice_page.select_option("#evidence-form select[name=credibility]", "high")
    alice_page.click("#evidence-form button[type=submit]")
    expect(alice_page.locator("#matrix")).to_contain_text("A new report arrives")
    assert Evidence.objects.filter(summary="A new report arrives").exists()
    expect(bob_page.locator("#snapshot-status")).not_to_have_text(version_before, timeout=15000)
    expect(bob_page.locator("#snapshot-status")).to_contain_text("Up to date", timeout=15000)
    assert bob_page.evaluate("window.__notReloaded") is True
