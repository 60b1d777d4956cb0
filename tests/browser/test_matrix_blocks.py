"""A matrix larger than one block of rows: sort kept across blocks, arrow keys cross into the next block."""

import pytest
from playwright.sync_api import expect

from apps.ach.display import BLOCK_ROWS
from apps.ach.models import Rating
from apps.assessments import services
from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def long_matrix(transactional_db, team):
    alice = factories.member(team, "analyst", username="alice")
    assessment = factories.assessment_with_matrix(team=team, user=alice, evidence=0)
    # E1–E75 weigh less than E76–E150, so sorting by weight puts E76… first and E26 first in the second block.
    services.evidence_add(
        assessment=assessment,
        user=alice,
        items=[
            {"summary": f"Item {i}", "credibility": "low" if i <= 75 else "high", "relevance": "medium"}
            for i in range(1, 151)
        ],
        via="test",
    )
    return assessment


def test_arrow_down_crosses_into_the_next_block_of_a_sorted_matrix_and_rates_there(
    browser_ready, live_server, page, long_matrix
):
    assert BLOCK_ROWS == 100
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{long_matrix.pk}/")
    page.select_option("select[name=sort]", "weight")
    rows = page.locator("#rows tr[id^=ev-]")
    expect(rows.first.locator("td.ev strong")).to_have_text("E76")
    expect(rows).to_have_count(BLOCK_ROWS)
    last = rows.nth(BLOCK_ROWS - 1)
    expect(last.locator("td.ev strong")).to_have_text("E25")
    last.locator("td.cell").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    focused = page.locator("td.cell:focus")
    expect(focused.locator("xpath=..").locator("td.ev strong")).to_have_text("E26")
    page.keyboard.press("c")
    e26 = long_matrix.evidence.get(key="E26")
    expect(page.locator(f"#ev-{e26.pk} td.cell").first).to_have_text("C")
    expect(rows).to_have_count(150)
    hypothesis = long_matrix.hypotheses.order_by("order").first()
    assert Rating.objects.get(evidence=e26, hypothesis=hypothesis).value == Rating.Value.C
