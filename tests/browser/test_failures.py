"""Real Chromium: a refused htmx request shows a toast and leaves the page; an expired session goes to login."""

import pytest
from playwright.sync_api import expect

from apps.assessments import services

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_refused_rating_shows_a_toast_and_keeps_the_matrix(browser_ready, live_server, page, live_matrix):
    assessment = live_matrix["assessment"]
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.first()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    # Approved behind the analyst's back: her open page still shows the controls, the server refuses.
    from django.contrib.auth import get_user_model

    services.assessment_review(assessment=assessment, user=live_matrix["alice"], action="submit")
    services.assessment_review(
        assessment=assessment, user=get_user_model().objects.get(username="sam"), action="approve"
    )
    page.locator(f'td.cell[data-e="{evidence.pk}"][data-h="{hypothesis.pk}"]').click()
    page.click('#cell-picker button[data-v="II"]')
    expect(page.locator("#toasts .toast-error")).to_contain_text("approved and read-only")
    expect(page.locator("#matrix-table")).to_be_visible()
    expect(page.locator("#dashboard")).to_have_count(0)


def test_an_expired_session_during_an_htmx_request_goes_to_the_login_page(
    browser_ready, live_server, page, live_matrix
):
    assessment = live_matrix["assessment"]
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.context.clear_cookies(name="sessionid")
    page.locator(f'#ev-{assessment.evidence.first().pk} button[aria-label="Move E1 down"]').click()
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=*")
    expect(page.locator("#id_username")).to_be_visible()
