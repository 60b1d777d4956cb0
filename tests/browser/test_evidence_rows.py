"""Real Chromium: an evidence row's ▲ ▼ ✕ work in the matrix, and delete asks first."""

import pytest
from playwright.sync_api import expect

from apps.assessments.models import Evidence

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_analyst_moves_and_deletes_evidence_from_its_row(browser_ready, live_server, page, live_matrix):
    assessment = live_matrix["assessment"]
    first, second, _ = assessment.evidence.order_by("order")
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click(f'#ev-{first.pk} button[aria-label="Move E1 down"]')
    expect(page.locator("#matrix-table tbody tr").first).to_have_attribute("id", f"ev-{second.pk}")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click(f'#ev-{first.pk} button[aria-label="Delete E1"]')
    expect(page.locator(f"#ev-{first.pk}")).to_be_visible()  # dismissed: nothing deleted
    page.click(f'#ev-{first.pk} button[aria-label="Delete E1"]')
    expect(page.locator(f"#ev-{first.pk}")).to_have_count(0)
    assert dialogs == ["Delete E1 and its ratings?"] * 2
    assert not Evidence.objects.filter(pk=first.pk).exists()
