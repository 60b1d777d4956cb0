"""Real Chromium: record a key assumption, link challenging evidence, see the re-check flag appear."""

import pytest
from playwright.sync_api import expect

from apps.assessments.models import Activity
from apps.key_assumptions.models import Assumption

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_an_analyst_records_an_assumption_links_challenging_evidence_and_sees_the_flag(
    browser_ready, live_server, page, live_matrix
):
    assessment = live_matrix["assessment"]
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/assumptions/")
    expect(page.locator("#no-assumptions")).to_be_visible()

    # Record the assumption inline; a missing "could be untrue" is refused in place first.
    page.fill("#id_statement", "AQIM lacks operatives able to work undetected in Europe.")
    page.select_option("#id_confidence", "caveats")
    page.select_option("#id_impact", "high")
    page.select_option("#id_owner", label="alice")
    h1 = assessment.hypotheses.get(key="H1")
    page.check(f"#assumption-form input[type=checkbox][value='{h1.pk}']")
    page.evaluate("document.querySelector('#id_could_be_untrue').removeAttribute('required')")
    page.click("#assumption-form button[type=submit]")
    expect(page.locator("#assumption-form .field-error")).to_have_text("This field is required.")
    page.fill("#id_could_be_untrue", "If a European diaspora network is recruited.")
    page.click("#assumption-form button[type=submit]")
    article = page.locator("article.assumption[data-key='A1']")
    expect(article).to_contain_text("AQIM lacks operatives")
    expect(article.locator(".needs-recheck")).to_have_count(0)
    expect(page.locator("#id_statement")).to_have_value("")

    # Link existing evidence as challenging it: the rescoring flags the assumption.
    page.select_option("#id_link-assumption", label="A1: AQIM lacks operatives able to work undetected in Europe.")
    page.select_option("#id_link-evidence", index=2)
    page.select_option("#id_link-relation", "challenges")
    page.fill("#id_link-note", "A network once operated inside France")
    page.click("#link-form button[type=submit]")
    article = page.locator("article.assumption[data-key='A1']")
    expect(article.locator(".needs-recheck")).to_be_visible()
    expect(article.locator(".kac-flag")).to_contain_text("E2 challenges it (A network once operated inside France)")
    expect(page.locator("#count-flagged")).to_have_text("1")
    assert Assumption.objects.get(assessment=assessment).needs_recheck is True
    assert Activity.objects.filter(assessment=assessment, kind=Activity.Kind.FLAG).count() == 1

    # The team sees it in the activity feed.
    page.click("nav.tabs a:text('Activity')")
    expect(page.locator("#feed")).to_contain_text("Key assumption A1 needs re-check: E2 challenges it")

    # Re-check clears the flag without a reload.
    page.go_back()
    article = page.locator("article.assumption[data-key='A1']")
    article.locator("button", has_text="Mark re-checked").click()
    article.locator("input[name=reason]").fill("E2 is from the 1990s; the network is gone")
    article.locator("button", has_text="Mark re-checked").last.click()
    expect(page.locator("article.assumption[data-key='A1'] .needs-recheck")).to_have_count(0)
    expect(page.locator("#count-flagged")).to_have_text("0")


def test_an_analyst_records_their_judgment_and_then_sees_the_teams_spread(
    browser_ready, live_server, page, live_matrix
):
    from apps.key_assumptions import services

    assessment = live_matrix["assessment"]
    assumption = services.assumption_create(
        assessment=assessment,
        user=live_matrix["bob"],
        statement="Local Sahel populations reject AQIM's Salafism.",
        confidence="caveats",
        impact="high",
        owner=live_matrix["bob"],
    )
    services.judgment_set(assumption=assumption, analyst=live_matrix["bob"], confidence="unsupported", impact="high")
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/assumptions/")
    article = page.locator("article.assumption[data-key='A1']")
    expect(article).to_contain_text("Record your own judgment to see the team's")
    article.locator("select[name=confidence]").select_option("solid")
    article.locator("select[name=impact]").select_option("high")
    article.locator("button", has_text="Record mine").click()
    article = page.locator("article.assumption[data-key='A1']")
    expect(article.locator(".kac-disagreement")).to_contain_text("confidence spans solid to unsupported")
    expect(article).to_contain_text("bob: unsupported, high")
    expect(page.locator("#count-disagreements")).to_have_text("1")
