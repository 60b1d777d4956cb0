"""Real Chromium: the report page works under our CSP (styled, Print works) and says what analysts stated."""

import pytest
from playwright.sync_api import expect

from apps.ach.services import rating_set, stated_probabilities_set

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# CSP violations reach the page as events (and the console); print() is replaced to observe the button.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def test_the_report_is_styled_prints_and_shows_stated_probabilities_without_csp_violations(
    browser_ready, live_server, page, live_matrix
):
    assessment, alice = live_matrix["assessment"], live_matrix["alice"]
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for evidence in assessment.evidence.all():
        for hypothesis, label in zip(hypotheses, ("C", "I", "II"), strict=True):
            rating_set(
                assessment=assessment, analyst=alice, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
            )
    stated_probabilities_set(assessment=assessment, analyst=alice, percents={"H1": 70, "H2": 20, "H3": 10})
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/report/")
    # Styled: the stylesheet loaded (the top marking sticks to the top of the screen).
    expect(page.locator("#marking-top")).to_have_css("position", "sticky")
    page.click("#print-report")
    page.wait_for_function("() => window.__printed === 1")
    assert page.evaluate("() => window.__violations") == []
    assert not [text for text in console if "Content Security Policy" in text]
    # The marking once at the head and once at the foot.
    expect(page.locator(".marking")).to_have_count(2)
    expect(page.locator("#marking-bottom")).to_be_visible()
    stated = page.locator("#report-stated")
    expect(stated).to_contain_text("70.0%")
    expect(stated).not_to_contain_text("prior")
    expect(page.locator("#report-sensitivity")).to_contain_text("The lead of")
