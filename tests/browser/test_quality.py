"""Real Chromium, three people: an analyst grades a source, a supervisor retracts it, and every open page (the
analyst's source register, a teammate's matrix panel and his indicator board) shows the new answer without a
reload."""

import re

import pytest
from playwright.sync_api import expect

from apps.ach.services import rating_set
from apps.assessments import services
from tests import factories

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sourced_matrix(transactional_db, team):
    """E1 from Agent X rated [CC, II] by both analysts (for H1), E2 independent [I, C] (for H2): H1 leads with
    E1 and H2 without it."""
    alice = factories.member(team, "analyst", username="alice")
    bob = factories.member(team, "analyst", username="bob")
    factories.member(team, "supervisor", username="sam")
    assessment = services.assessment_create(team=team, user=alice, title="Sourced", question="Which?")
    for statement in ("Regional aims", "Global aims"):
        services.hypothesis_create(assessment=assessment, user=alice, statement=statement)
    services.evidence_add(
        assessment=assessment,
        user=alice,
        items=[
            {"summary": "Courier says the emir looks south", "origin": "Agent X"},
            {"summary": "A statement praising attacks in Europe"},
        ],
        via="test",
    )
    hypotheses = list(assessment.hypotheses.order_by("order"))
    for analyst in (alice, bob):
        for evidence, labels in zip(assessment.evidence.order_by("order"), (("CC", "II"), ("I", "C")), strict=True):
            for hypothesis, label in zip(hypotheses, labels, strict=True):
                rating_set(
                    assessment=assessment,
                    analyst=analyst,
                    evidence_id=evidence.pk,
                    hypothesis_id=hypothesis.pk,
                    label=label,
                )
    services.snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment


def test_an_analyst_grades_a_supervisor_retracts_and_every_open_page_shows_the_new_answer(
    browser_ready, live_server, browser, sourced_matrix
):
    assessment = sourced_matrix
    register = f"{live_server.url}/assessments/{assessment.pk}/sources/"
    alice, bob, sam = browser.new_page(), browser.new_page(), browser.new_page()
    log_in(alice, live_server, "alice")
    log_in(bob, live_server, "bob")
    log_in(sam, live_server, "sam")
    alice.goto(register)
    bob.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    board = browser.new_page()
    log_in(board, live_server, "bob")
    board.goto(f"{live_server.url}/assessments/{assessment.pk}/indicators/")
    expect(board.locator("#col-H1 h3")).to_contain_text("ACH leader")
    bob_leader = bob.locator("#answer-leaders tr", has_text="Leader by posterior")
    expect(bob_leader).to_contain_text("H1")
    expect(alice.locator("#quality-leader")).to_have_text("H1")

    alice.locator("#source-S1 summary", has_text="Grade or edit S1").click()
    alice.select_option("#source-S1 [name='S1-grade']", "A")
    alice.fill("#source-S1 [name='S1-grade_reason']", "Vetted walk-in, reporting confirmed twice")
    alice.click("#source-S1 button:has-text('Save S1')")
    expect(alice.locator("#source-S1 .grade")).to_have_text("graded A")

    sam.goto(register)
    expect(sam.locator("#source-S1 .grade")).to_have_text("graded A")
    sam.locator("#source-S1 summary", has_text="Retract S1").click()
    sam.fill("#r-S1", "Fabricated his access")
    sam.click("#source-S1 button:has-text('Retract S1')")
    expect(sam.locator("#source-S1 h2 s")).to_have_text("Agent X")

    # Pages opened before the retraction follow it: the analyst's register and the teammate's matrix panel.
    expect(alice.locator("#quality-leader")).to_have_text("H2")
    expect(alice.locator("#source-S1 .source-items s")).to_contain_text("E1")
    expect(bob_leader).to_contain_text("H2")
    expect(board.locator("#col-H2 h3")).to_contain_text("ACH leader")
    # The teammate's open matrix strikes the retracted source's item through, as a reload would.
    e1 = assessment.evidence.get(key="E1")
    expect(bob.locator(f"#ev-{e1.pk}")).to_have_class(re.compile(r"\bretracted\b"))
    expect(bob.locator(f"#ev-{e1.pk}")).to_contain_text("source retracted: counts in no score")
    expect(board.locator("#col-H1 h3")).not_to_contain_text("ACH leader")
    for page in (alice, sam):
        page.reload()
    expect(alice.locator("#quality-leader")).to_have_text("H2")
    expect(sam.locator("#source-S1 .source-items s")).to_contain_text("E1")
