"""Real Chromium: WCAG 2.1 AA. axe-core finds no serious or critical violation on any page type, for an
analyst, a supervisor and a team admin (and signed out), and an analyst rates a whole matrix by keyboard alone.

The pages are the demo's (``load_demo``: the AQIM assessment with ratings, snapshots, key assumptions and
indicators), so every region has something to show.
"""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from apps.accounts.models import Team
from apps.ach.models import Rating
from apps.ach.scoring import RATING_WORDS
from apps.assessments.models import Assessment, ScoreSnapshot
from apps.assessments.services import evidence_add
from apps.comments.services import thread_start
from apps.indicators.models import Indicator

from .conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "workbench-demo"
BLOCKING = ("serious", "critical")
axe = Axe()


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get(team__name="Maghreb Desk")
    alice = assessment.team.members.get(username="alice")
    evidence = assessment.evidence.order_by("order").first()
    thread = thread_start(
        assessment=assessment, user=alice, body="Is this source independent?", evidence_id=evidence.pk
    )
    return {
        "assessment": assessment,
        "evidence": evidence,
        "hypothesis": assessment.hypotheses.order_by("order").first(),
        "thread": thread,
        "indicator": Indicator.objects.filter(assessment=assessment).order_by("pk").first(),
        "version": ScoreSnapshot.objects.filter(assessment=assessment).latest("version").version,
        "team": Team.objects.get(name="Maghreb Desk"),
    }


def pages_for(role: str, demo: dict) -> list[str]:
    """Every page type the role may open (each must answer 200)."""
    a = f"/assessments/{demo['assessment'].pk}"
    pages = [
        "/",
        f"{a}/?view=team",
        f"{a}/?view=team&density=full",
        f"{a}/history/",
        f"{a}/history/{demo['version']}/",
        f"{a}/report/",
        f"{a}/assumptions/",
        f"{a}/indicators/",
        f"{a}/indicators/{demo['indicator'].pk}/",
        f"{a}/activity/",
        f"{a}/comments/",
        f"{a}/comments/{demo['thread'].pk}/",
        f"{a}/contributions/",
        f"{a}/post-mortem/",
        "/notifications/",
        "/accounts/profile/",
        "/accounts/api-tokens/",
    ]
    if role in ("analyst", "team admin"):
        # Mine, compact (the demo's 53 items open compact) and with details; the forms that write.
        pages += [f"{a}/", f"{a}/?view=mine&density=full", f"{a}/priors/", f"{a}/reliability/"]
        pages += [f"{a}/evidence/import/", "/assessments/import/", "/assessments/new/"]
    if role in ("supervisor", "team admin"):
        pages += [f"{a}/review/board/", f"{a}/versions/{demo['version']}/"]
    if role == "team admin":
        pages += ["/upload/", f"/accounts/teams/{demo['team'].pk}/members/"]
    return pages


def blocking_violations(page) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def settled(page) -> None:
    # Regions that load after the page (the judgment panels, the reliability form) are part of what a reader meets.
    page.wait_for_function("() => !document.querySelector('[hx-trigger=\"load\"], .htmx-request')")


def log_in_as(page, live_server, username: str) -> None:
    log_in(page, live_server, username, DEMO_PASSWORD)


@pytest.mark.parametrize(("username", "role"), [("alice", "analyst"), ("sam", "supervisor"), ("tess", "team admin")])
def test_no_page_has_a_serious_or_critical_axe_violation(browser_ready, live_server, page, demo, username, role):
    log_in_as(page, live_server, username)
    problems = {}
    for path in pages_for(role, demo):
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{username} {path}: {response.status}"
        settled(page)
        if found := blocking_violations(page):
            problems[path] = found
    if role != "supervisor":
        # The evidence and hypothesis forms open inside the matrix (full rows, so the buttons show).
        page.goto(f"{live_server.url}/assessments/{demo['assessment'].pk}/?view=mine&density=full")
        page.get_by_role("button", name=f"Edit {demo['evidence'].key}", exact=True).click()
        # The edit form (the row holds the duplicate-mark form too).
        expect(page.locator(f"#ev-{demo['evidence'].pk} form[hx-post$='/edit/']")).to_be_visible()
        if found := blocking_violations(page):
            problems["evidence edit form"] = found
        page.get_by_role("button", name=f"Edit {demo['hypothesis'].key}", exact=True).click()
        expect(page.locator(f"#hyp-{demo['hypothesis'].pk} form[hx-post$='/edit/']")).to_be_visible()
        if found := blocking_violations(page):
            problems["hypothesis edit form"] = found
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_signed_out_pages_have_no_serious_or_critical_axe_violation(browser_ready, live_server, page, demo):
    problems = {}
    for path in ("/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/sent/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if found := blocking_violations(page):
            problems[path] = found
    assert not problems, problems


# Rating keys and the words a screen reader says for them (the matrix's help lists the same keys).
KEYS = [("C", "CC"), ("c", "C"), ("n", "N"), ("i", "I"), ("I", "II"), ("a", "NA"), ("2", "C"), ("4", "I"), ("1", "CC")]
WORDS = dict(zip(("", "CC", "C", "N", "I", "II", "NA"), RATING_WORDS, strict=True))


def focused_cell(page) -> dict | None:
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el && el.matches('td.cell') ? {e: el.dataset.e, h: el.dataset.h, label: el.getAttribute('aria-label')}"
        " : null; }"
    )


def test_an_analyst_rates_every_cell_by_keyboard_alone(browser_ready, live_server, page, live_matrix):
    assessment = live_matrix["assessment"]
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").focus()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-for-tests-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    grid = page.get_by_role("grid")
    expect(grid.locator('td.cell[tabindex="0"]')).to_have_count(1)

    # Tab from the top of the page reaches the grid once, at its first cell.
    for _ in range(120):
        page.keyboard.press("Tab")
        if focused_cell(page):
            break
    start = focused_cell(page)
    assert start and (start["e"], start["h"]) == (str(evidence[0].pk), str(hypotheses[0].pk))
    assert start["label"] == f"{evidence[0].key} × {hypotheses[0].key}: not rated"

    expected = {}
    keys = iter(KEYS)
    for row, item in enumerate(evidence):
        for col, hypothesis in enumerate(hypotheses):
            key, label = next(keys)
            cell = page.locator(f'td.cell[data-e="{item.pk}"][data-h="{hypothesis.pk}"]')
            expect(cell).to_be_focused()
            page.keyboard.press(key)
            # The row comes back from the server; the focus stays on the cell, which says its new rating.
            expect(cell).to_have_text(label)
            expect(cell).to_have_attribute("aria-label", f"{item.key} × {hypothesis.key}: {WORDS[label]}")
            expect(cell).to_be_focused()
            expected[item.pk, hypothesis.pk] = label
            if col < len(hypotheses) - 1:
                page.keyboard.press("ArrowRight")
            elif row < len(evidence) - 1:
                page.keyboard.press("Home")
                page.keyboard.press("ArrowDown")

    # One cell of the grid is in the tab order: the next Tab leaves the grid.
    expect(grid.locator('td.cell[tabindex="0"]')).to_have_count(1)
    page.keyboard.press("Tab")
    assert focused_cell(page) is None

    saved = {
        (r.evidence_id, r.hypothesis_id): Rating.Value(r.value).label
        for r in Rating.objects.filter(analyst=live_matrix["alice"], evidence__assessment=assessment)
    }
    assert saved == expected
    page.reload()
    for (evidence_id, hypothesis_id), label in expected.items():
        expect(page.locator(f'td.cell[data-e="{evidence_id}"][data-h="{hypothesis_id}"]')).to_have_text(label)


def test_the_focused_cell_keeps_the_focus_when_a_teammate_adds_an_item(browser_ready, live_server, page, live_matrix):
    assessment = live_matrix["assessment"]
    last = assessment.evidence.order_by("order").last()
    hypothesis = assessment.hypotheses.order_by("order").last()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    cell = page.locator(f'td.cell[data-e="{last.pk}"][data-h="{hypothesis.pk}"]')
    cell.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(cell).to_be_focused()
    evidence_add(
        assessment=assessment,
        user=live_matrix["bob"],
        items=[{"summary": "A teammate's new report", "credibility": "medium", "relevance": "medium"}],
        via="test",
    )
    # The matrix redraws itself on the poll (the whole region is swapped); the reader stays where she was.
    expect(page.locator("#matrix-table")).to_contain_text("A teammate's new report")
    expect(cell).to_be_focused()
    expect(page.get_by_role("grid").locator('td.cell[tabindex="0"]')).to_have_count(1)
