"""Real Chromium against the live server: an analyst sets an indicator past its threshold and sees the warning."""

import pytest
from playwright.sync_api import expect

from apps.assessments.models import Activity
from apps.indicators import services
from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_indicator(transactional_db, team):
    alice = factories.member(team, "analyst", username="alice")
    factories.member(team, "analyst", username="bob")
    assessment = factories.assessment_with_matrix(team=team, user=alice, evidence=3)
    indicator = services.indicator_create(
        assessment=assessment,
        user=alice,
        statement="Non-African fighters arrive in northern Mali.",
        category="activity",
        threshold="partially_present",
        review_cadence_days=90,
    )
    return {"assessment": assessment, "indicator": indicator}


def test_an_analyst_sets_a_status_past_the_threshold_and_sees_the_warning_appear(
    browser_ready, live_server, page, live_indicator
):
    assessment, indicator = live_indicator["assessment"], live_indicator["indicator"]
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/indicators/{indicator.pk}/")
    expect(page.locator("#indicator-warnings")).to_contain_text("No indicator has reached its warning threshold")
    page.select_option("#id_status", "emerging")
    page.fill("#id_source", "Malian army reporting")
    page.click("#observation-form button[type=submit]")
    expect(page.locator("#current-status")).to_have_text("Emerging")
    expect(page.locator("#indicator-warnings")).to_contain_text("No indicator has reached its warning threshold")
    # Past the threshold (partially present): the rescoring records the warning and the panel shows it.
    page.select_option("#id_status", "fully_present")
    page.fill("#id_source", "French operational reporting")
    page.click("#observation-form button[type=submit]")
    expect(page.locator("#threshold-reached")).to_be_visible()
    expect(page.locator("#indicator-warnings")).to_contain_text("Indicator IND1 reached its warning threshold")
    expect(page.locator("#observation-list")).to_contain_text("French operational reporting")
    assert (
        Activity.objects.filter(assessment=assessment, kind="warning", data__code="indicator_threshold:IND1").count()
        == 1
    )


def test_an_analyst_reaches_an_indicator_from_the_board_and_rates_it_in_the_validator(
    browser_ready, live_server, page, live_indicator
):
    assessment = live_indicator["assessment"]
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("nav.tabs >> text=Indicators")
    expect(page.locator("#indicator-table")).to_contain_text("Non-African fighters")
    expect(page.locator("#ind-IND1 .chip")).to_have_class("chip st-no_information")
    page.click("#ind-IND1 a")
    expect(page.locator("h1")).to_contain_text("IND1")
    page.select_option('#my-validations select[data-h="H1"]', "highly_likely")
    expect(page.locator('#team-validations td[data-h="H1"]')).to_contain_text("HL")
