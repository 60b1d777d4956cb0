"""Real Chromium: after every htmx step on the matrix page, each visible region equals a full reload's.

The regions are the matrix, the team scores panel, the fragility card and the stated probabilities. A
step's swaps may touch any of them; whatever they do, the page must end where a reload of the same
address would put it (volatile text masked: times, polling tokens, htmx's transient classes).
"""

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from apps.ach.services import rating_set

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REGIONS = ("#matrix", "#panel", "#sensitivity", "#stated")

# The htmx requests sent and not yet answered; an answer's swap runs before its XHR's loadend.
IN_FLIGHT = """
window.__pending = new Set();
document.addEventListener("htmx:beforeSend", (evt) => {
  const xhr = evt.detail.xhr;
  window.__pending.add(xhr);
  xhr.addEventListener("loadend", () => window.__pending.delete(xhr));
});
"""
IDLE = "() => window.__pending.size === 0 && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"

# Each region's HTML with the volatile parts masked: htmx's transient classes, the polling tokens, times,
# and the matrix's roving tabindex (which cell Tab enters the grid at follows the focus, not the server).
SNAPSHOT = r"""
(selectors) => selectors.map((selector) => {
  const element = document.querySelector(selector);
  if (!element) return null;
  return element.outerHTML
    .replace(/\bhtmx-[a-z-]+/g, "")
    .replace(/ tabindex="-?\d+"/g, "")
    .replace(/shown=[^"&]*/g, "shown=…")
    .replace(/\d{1,2} [A-Z][a-z]{2}( \d{4})? \d{2}:\d{2}(:\d{2})?/g, "TIME")
    .replace(/class="([^"]*)"/g, (_, names) => `class="${names.trim().replace(/\s+/g, " ")}"`)
    .replace(/\s+class=""/g, "")
    .replace(/\s+/g, " ")
    .replace(/> </g, "><")
    .trim();
})
"""
SAME = f"(expected) => JSON.stringify(({SNAPSHOT})({list(REGIONS)!r})) === JSON.stringify(expected)"


def regions(page) -> list[str | None]:
    return page.evaluate(SNAPSHOT, list(REGIONS))


def settled(page) -> None:
    page.wait_for_function(IDLE)


def reloaded(page) -> list[str | None]:
    other = page.context.new_page()
    other.goto(page.url)
    # The judgment panels load after the page.
    other.wait_for_selector("#judgment-scores")
    settled(other)
    shown = regions(other)
    other.close()
    return shown


def assert_swap_equals_reload(page, step: str) -> None:
    settled(page)
    expected = reloaded(page)
    # The page's own event-driven refreshes may still be arriving: wait for them, then compare.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(SAME, arg=expected, timeout=20_000)
    for selector, now, reload in zip(REGIONS, regions(page), expected, strict=True):
        assert now == reload, f"after {step!r}, {selector} differs from a reload:\nswapped: {now}\nreload:  {reload}"


def cell(page, evidence, hypothesis):
    return page.locator(f'td.cell[data-e="{evidence.pk}"][data-h="{hypothesis.pk}"]')


def test_every_step_on_the_matrix_page_leaves_each_region_as_a_reload_would(
    browser_ready, live_server, page, live_matrix
):
    assessment = live_matrix["assessment"]
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    # bob has rated two rows in full, so the team view, the panel and fragility have something to show.
    for row, labels in ((evidence[0], ("CC", "I", "II")), (evidence[1], ("C", "C", "C"))):
        for hypothesis, label in zip(hypotheses, labels, strict=True):
            rating_set(
                assessment=assessment,
                analyst=live_matrix["bob"],
                evidence_id=row.pk,
                hypothesis_id=hypothesis.pk,
                label=label,
            )
    page.context.add_init_script(IN_FLIGHT)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.wait_for_selector("#judgment-scores")
    assert_swap_equals_reload(page, "open")

    cell(page, evidence[0], hypotheses[0]).focus()
    page.keyboard.press("n")
    expect(cell(page, evidence[0], hypotheses[0])).to_have_text("N")
    assert_swap_equals_reload(page, "rate by key")

    cell(page, evidence[0], hypotheses[1]).click()
    page.click('#cell-picker button[data-v="C"]')
    expect(cell(page, evidence[0], hypotheses[1])).to_have_text("C")
    assert_swap_equals_reload(page, "rate by click")

    cell(page, evidence[0], hypotheses[1]).focus()
    page.keyboard.press("0")
    expect(cell(page, evidence[0], hypotheses[1])).to_have_text("")
    assert_swap_equals_reload(page, "clear")

    for hypothesis, key in ((hypotheses[1], "i"), (hypotheses[2], "a")):
        cell(page, evidence[0], hypothesis).focus()
        page.keyboard.press(key)
    expect(cell(page, evidence[0], hypotheses[2])).to_have_text("NA")
    assert_swap_equals_reload(page, "rate NA (the row complete)")

    page.fill("#evidence-form [name=summary]", "A courier seen in Gao")
    page.click("#evidence-form button[type=submit]")
    expect(page.locator("#matrix-table tbody")).to_contain_text("A courier seen in Gao")
    assert_swap_equals_reload(page, "add evidence")

    page.click(f'#ev-{evidence[2].pk} button[aria-label="Edit E3"]')
    page.fill(f"#ev-{evidence[2].pk} [name=summary]", "Evidence item 3, corrected")
    page.click(f"#ev-{evidence[2].pk} button[type=submit]")
    expect(page.locator(f"#ev-{evidence[2].pk}")).to_contain_text("Evidence item 3, corrected")
    assert_swap_equals_reload(page, "edit evidence")

    page.click(f'#ev-{evidence[0].pk} button[aria-label="Move E1 down"]')
    expect(page.locator("#matrix-table tbody tr").first).to_have_attribute("id", f"ev-{evidence[1].pk}")
    assert_swap_equals_reload(page, "move evidence")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f'#ev-{evidence[2].pk} button[aria-label="Delete E3"]')
    expect(page.locator(f"#ev-{evidence[2].pk}")).to_have_count(0)
    assert_swap_equals_reload(page, "delete evidence")

    page.fill("#hypothesis-form [name=statement]", "A fourth explanation")
    page.click("#hypothesis-form button[type=submit]")
    expect(page.locator("#matrix-table thead th.hyp")).to_have_count(4)
    assert_swap_equals_reload(page, "add a hypothesis")

    page.select_option("#matrix select[name=sort]", "diagnosticity")
    page.wait_for_url(re.compile(r"sort=diagnosticity"))
    assert_swap_equals_reload(page, "sort by diagnosticity")

    page.check("#matrix input[name=hide_nd]")
    page.wait_for_url(re.compile(r"hide_nd=1"))
    assert_swap_equals_reload(page, "hide non-diagnostic")

    page.click("#matrix .tabs a:has-text('Team consensus')")
    page.wait_for_url(re.compile(r"view=team"))
    assert_swap_equals_reload(page, "switch to Team")

    page.click("#matrix .tabs a:has-text('Mine')")
    page.wait_for_url(re.compile(r"view=mine"))
    assert_swap_equals_reload(page, "switch to Mine")

    for index, percent in enumerate((60, 20, 15, 5)):
        page.fill(f"#stated-form input[name^=pct_] >> nth={index}", str(percent))
    page.click("#stated-form button[type=submit]")
    expect(page.locator("#stated-form [role=status]")).to_be_visible()
    assert_swap_equals_reload(page, "state probabilities")

    # Open a thread on an item: the row's Comment link, the form, the thread; then back to the matrix.
    page.click(f"#ev-{evidence[0].pk} a.comment-link")
    page.fill("#thread-form textarea[name=body]", "Is the courier's route confirmed?")
    page.click("#thread-form button")
    page.wait_for_url(re.compile(r"/comments/\d+/$"))
    page.go_back()
    page.go_back()
    expect(page.locator(f"#ev-{evidence[0].pk} .comment-marker")).to_have_count(1)
    assert_swap_equals_reload(page, "open a thread")
