"""Real Chromium: a burst of disagreement alerts reaches each member as one notification, one line per alert;
an analyst's lists only the rows she has rated, the supervisor's all of them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.services.digests import digests_send_due
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _rate(assessment, user, row: int, label: str) -> None:
    evidence = list(assessment.evidence.order_by("order"))
    for hypothesis in assessment.hypotheses.order_by("order"):
        rating_set(
            assessment=assessment, analyst=user, evidence_id=evidence[row].pk, hypothesis_id=hypothesis.pk, label=label
        )


def test_a_digest_in_the_notifications_page_keeps_the_anchoring_rule(
    browser_ready, live_server, page, browser, live_matrix, team
):
    assessment, alice, bob = live_matrix["assessment"], live_matrix["alice"], live_matrix["bob"]
    carol = factories.member(team, "analyst", username="carol")
    services.snapshot_compute(assessment_id=assessment.pk)
    _rate(assessment, bob, 0, "N")
    for row in (0, 1):
        _rate(assessment, alice, row, "CC")
        _rate(assessment, carol, row, "II")
        services.snapshot_compute(assessment_id=assessment.pk)
    sent = digests_send_due(now=timezone.now() + timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES, seconds=1))
    assert len(sent) == 4  # alice, bob, carol, sam

    log_in(page, live_server, "sam")
    expect(page.locator("#unread-count")).to_have_text("1")
    page.click("#notifications-link")
    item = page.locator("#notifications li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("6 alerts in the last 15 minutes:")
    expect(item).to_contain_text("Analysts' disagreement on E2 × H3 is now extreme.")
    assert item.locator("br").count() == 6

    other = browser.new_context().new_page()
    log_in(other, live_server, "bob")
    other.click("#notifications-link")
    item = other.locator("#notifications li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("3 alerts in the last 15 minutes:")
    expect(item).to_contain_text("Analysts' disagreement on E1 × H1 is now extreme.")
    expect(item).not_to_contain_text("E2")
    item.locator("a").click()
    other.wait_for_url(f"{live_server.url}/assessments/{assessment.pk}/")
