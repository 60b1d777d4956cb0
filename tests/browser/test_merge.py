"""Real Chromium: an analyst marks a duplicate, a team admin merges it (the matrix shows one row, as a reload
does), and the analyst who rated the pair differently settles her cell from her list."""

import pytest
from playwright.sync_api import expect

from apps.ach.models import Rating, RatingConflict
from apps.ach.services import rating_set
from apps.assessments.models import Evidence
from tests import factories

from .conftest import log_in
from .test_swap_equals_reload import IN_FLIGHT, assert_swap_equals_reload

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_team_admin_merges_two_items_and_the_matrix_shows_one_row(
    browser_ready, live_server, browser, page, live_matrix, team
):
    factories.member(team, "team_admin", username="tess")
    assessment = live_matrix["assessment"]
    e1, e2, e3 = assessment.evidence.order_by("order")
    h1 = assessment.hypotheses.order_by("order").first()
    for evidence, label in ((e1, "CC"), (e2, "II")):
        rating_set(
            assessment=assessment, analyst=live_matrix["bob"], evidence_id=evidence.pk, hypothesis_id=h1.pk, label=label
        )
    matrix = f"{live_server.url}/assessments/{assessment.pk}/"

    # alice marks E2 a duplicate of E1 from its row's edit form.
    log_in(page, live_server, "alice")
    page.goto(matrix)
    page.click(f'#ev-{e2.pk} button[aria-label="Edit E2"]')
    page.select_option(f"#ev-{e2.pk} select[name=of]", label="E1")
    page.fill(f"#ev-{e2.pk} input[name=note]", "The same wire story")
    page.click(f"#ev-{e2.pk} .duplicate-form button[type=submit]")
    expect(page.locator("#duplicates")).to_contain_text("E2 is marked a duplicate of E1: The same wire story")
    expect(page.locator("#duplicates")).not_to_contain_text("Merge")

    # tess, a team admin, merges it: one row remains, and the page is what a reload shows.
    admin = browser.new_context(base_url=live_server.url)
    admin.add_init_script(IN_FLIGHT)
    tess = admin.new_page()
    log_in(tess, live_server, "tess")
    tess.goto(matrix)
    tess.wait_for_selector("#judgment-scores")
    expect(tess.locator("#matrix-table tbody tr")).to_have_count(3)
    tess.once("dialog", lambda dialog: dialog.accept())
    tess.click("#duplicates button:has-text('Merge E2 into E1')")
    expect(tess.locator(f"#ev-{e2.pk}")).to_have_count(0)
    expect(tess.locator("#matrix-table tbody tr")).to_have_count(2)
    expect(tess.locator("#duplicates")).to_have_count(0)
    assert_swap_equals_reload(tess, "merge")
    assert not Evidence.objects.filter(pk=e2.pk).exists()
    assert list(assessment.evidence.order_by("order").values_list("key", flat=True)) == ["E1", "E3"]

    # bob rated the pair differently: his list offers both; taking the duplicate's rates the cell.
    other = browser.new_context(base_url=live_server.url)
    other.add_init_script(IN_FLIGHT)
    bob = other.new_page()
    log_in(bob, live_server, "bob")
    bob.goto(matrix)
    bob.wait_for_selector("#judgment-scores")
    expect(bob.locator("#to-settle")).to_contain_text("E1 × H1: you rated it CC and E2, merged into it, II.")
    bob.click("#to-settle button:has-text('Take II')")
    expect(bob.locator("#to-settle")).not_to_contain_text("To settle")
    expect(bob.locator(f'td.cell[data-e="{e1.pk}"][data-h="{h1.pk}"]')).to_contain_text("II")
    assert_swap_equals_reload(bob, "settle")
    assert not RatingConflict.objects.exists()
    assert Rating.objects.get(analyst=live_matrix["bob"], evidence=e1, hypothesis=h1).get_value_display() == "II"

    # alice rated neither: she has nothing to settle and sees no teammate's.
    page.reload()
    expect(page.locator("#matrix-table tbody tr")).to_have_count(2)
    expect(page.locator("#to-settle")).not_to_contain_text("To settle")
