"""Real Chromium: an analyst's team panel is her view (apps/assessments/visibility.py) and says so."""

import os

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_panel_says_it_is_her_view_and_opens_the_row_she_completes(browser_ready, live_server, page, live_matrix):
    from apps.ach.services import rating_set
    from apps.assessments.services import snapshot_compute

    assessment = live_matrix["assessment"]
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for hypothesis, label in zip(hypotheses, ("CC", "II", "II"), strict=True):
        rating_set(
            assessment=assessment,
            analyst=live_matrix["bob"],
            evidence_id=evidence[0].pk,
            hypothesis_id=hypothesis.pk,
            label=label,
        )
    snapshot_compute(assessment_id=assessment.pk)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator("#view-notice")).to_have_text(
        "Team figures are hidden until you rate the items yourself (3 to go)."
    )
    row = page.locator(f"#ev-{evidence[0].pk}")
    expect(row).to_contain_text("diag. shown once you rate the row")
    for hypothesis in hypotheses:
        page.locator(f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypothesis.pk}"]').click()
        page.click('#cell-picker button[data-v="N"]')
        expect(page.locator(f'td.cell[data-e="{evidence[0].pk}"][data-h="{hypothesis.pk}"]')).to_have_text("N")
    # Her ratings are rescored (in-process here); the panel's poll brings her view of the new snapshot.
    expect(page.locator("#view-notice")).to_have_text(
        "Team view over the 1 items you have rated; 2 hidden until you rate them."
    )
    expect(page.locator(f"#ev-{evidence[0].pk}")).not_to_contain_text("diag. shown once you rate the row")
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "visibility-panel.png"), full_page=True)
