"""Real Chromium at 1440×900: a real matrix fits on the screen, and the side cards keep to their places."""

import pytest
from playwright.sync_api import expect

from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Rows of the matrix inside both the window and the matrix's scroll box.
ROWS_VISIBLE = """
() => {
  const box = document.querySelector(".matrix-wrap").getBoundingClientRect();
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
  return Array.from(document.querySelectorAll("#matrix-table tbody tr[id^=ev-]")).filter((row) => {
    const r = row.getBoundingClientRect();
    return r.top >= top - 1 && r.bottom <= bottom + 1;
  }).length;
}
"""
HEADER_HEIGHT = "() => document.querySelector('#matrix-table thead').getBoundingClientRect().height"

# Pairs of side cards whose boxes intersect, and elements that stick out of their card unclipped.
SIDE_PROBLEMS = """
() => {
  const cards = Array.from(document.querySelectorAll("aside .card")).filter((c) => c.offsetParent !== null);
  const problems = [];
  cards.forEach((a, i) => cards.slice(i + 1).forEach((b) => {
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
      problems.push(`overlap: ${a.id || a.className} / ${b.id || b.className}`);
    }
  }));
  for (const card of cards) {
    const edge = card.getBoundingClientRect().right;
    for (const element of card.querySelectorAll("*")) {
      let clipped = false;
      for (let up = element.parentElement; up && up !== card.parentElement; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
      }
      if (!clipped && element.getBoundingClientRect().right > edge + 1) {
        problems.push(`spills: ${element.tagName}#${element.id} in ${card.id || card.className}`);
      }
    }
  }
  return problems;
}
"""


def test_at_1440_by_900_fifteen_rows_show_and_no_side_card_overlaps_or_spills(browser_ready, live_server, page, team):
    alice = factories.member(team, "analyst", username="alice")
    factories.member(team, "analyst", username="bob")
    statements = [f"Hypothesis {i}: " + "a long explanation of what may have happened " * 3 for i in range(8)]
    assessment = factories.assessment_with_matrix(team=team, user=alice, hypotheses=statements, evidence=40)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.wait_for_selector("#judgment-scores")
    expect(page.locator("#matrix-table")).to_have_class("matrix compact")
    page.locator("#matrix-table").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('.matrix-wrap').scrollIntoView()")
    assert page.evaluate(ROWS_VISIBLE) >= 15
    assert page.evaluate(HEADER_HEIGHT) <= 120
    for scroll in (0, 600, 1200, 10_000):
        page.evaluate(f"() => window.scrollTo(0, {scroll})")
        assert page.evaluate(SIDE_PROBLEMS) == []
    # The details are there on demand: hovering an item shows its metadata.
    first = page.locator("#matrix-table tbody tr").first.locator("td.ev")
    expect(first.locator(".muted")).to_be_hidden()
    first.hover()
    expect(first.locator(".muted")).to_be_visible()
