"""Real Chromium, two people: bob's open matrix follows alice's item edits without a reload."""

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_teammates_open_matrix_shows_new_edited_moved_and_deleted_items(
    browser_ready, live_server, browser, live_matrix
):
    assessment = live_matrix["assessment"]
    first, second, third = assessment.evidence.order_by("order")
    url = f"{live_server.url}/assessments/{assessment.pk}/"
    alice, bob = browser.new_page(), browser.new_page()
    try:
        log_in(alice, live_server, "alice")
        log_in(bob, live_server, "bob")
        alice.goto(url)
        bob.goto(url)
        bob_rows = bob.locator("#matrix-table tbody tr")
        expect(bob_rows).to_have_count(3)

        alice.fill("#evidence-form [name=summary]", "A courier seen in Gao")
        alice.click("#evidence-form button[type=submit]")
        expect(bob_rows.last).to_contain_text("A courier seen in Gao")
        expect(bob_rows).to_have_count(4)

        alice.click(f'#ev-{second.pk} button[aria-label="Edit E2"]')
        alice.fill(f"#ev-{second.pk} [name=summary]", "Evidence item 2, corrected")
        alice.click(f"#ev-{second.pk} button[type=submit]")
        expect(bob.locator(f"#ev-{second.pk}")).to_contain_text("Evidence item 2, corrected")

        alice.click(f'#ev-{first.pk} button[aria-label="Move E1 down"]')
        expect(bob_rows.first).to_have_attribute("id", f"ev-{second.pk}")

        alice.once("dialog", lambda dialog: dialog.accept())
        alice.click(f'#ev-{third.pk} button[aria-label="Delete E3"]')
        expect(bob.locator(f"#ev-{third.pk}")).to_have_count(0)
        expect(bob_rows).to_have_count(3)

        alice.fill("#hypothesis-form [name=statement]", "A fourth explanation")
        alice.click("#hypothesis-form button[type=submit]")
        expect(bob.locator("#matrix-table thead th.hyp")).to_have_count(4)
        expect(bob.locator("#matrix-table thead")).to_contain_text("A fourth explanation")
    finally:
        alice.close()
        bob.close()
