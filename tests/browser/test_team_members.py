"""Real Chromium: a team admin adds, re-roles and removes members on the team's members page (htmx, no reload);
the last team admin cannot be removed; an analyst is refused (403) and an outsider sees no such team (404)."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Membership, MembershipChange
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_team_admin_manages_members_and_others_are_refused(
    browser_ready, live_server, page, browser, live_matrix, team, other_team, tmp_path
):
    factories.member(team, "team_admin", username="tess")
    factories.member(other_team, "analyst", username="oscar")
    factories.UserFactory(username="nadia")
    url = f"{live_server.url}/accounts/teams/{team.pk}/members/"
    log_in(page, live_server, "tess")
    page.goto(f"{live_server.url}/accounts/profile/")
    page.click(f"a[href='/accounts/teams/{team.pk}/members/']")
    page.wait_for_url(url)
    page.on("dialog", lambda dialog: dialog.accept())
    # Marks the document: a full reload would lose it, an htmx swap keeps it.
    page.evaluate("window.notReloaded = true")

    page.fill("#id_username", "nobody")
    page.click("#member-add button[type=submit]")
    expect(page.locator("#member-add")).to_contain_text("There is no active account named “nobody”")

    page.fill("#id_username", "nadia")
    page.select_option("#id_role", "supervisor")
    page.click("#member-add button[type=submit]")
    expect(page.locator("#membership-changes")).to_contain_text("nadia added as supervisor")
    nadia = Membership.objects.get(user__username="nadia", team=team)
    assert nadia.role == "supervisor"

    page.select_option(f"#role-{nadia.pk}", "team_admin")
    page.click(f"#member-{nadia.pk} button:has-text('Change role')")
    expect(page.locator("#membership-changes")).to_contain_text("nadia: supervisor → team admin")

    bob = Membership.objects.get(user__username="bob", team=team)
    page.click(f"#member-{bob.pk} button:has-text('Remove')")
    expect(page.locator(f"#member-{bob.pk}")).to_have_count(0)
    expect(page.locator("#membership-changes")).to_contain_text("bob removed (was analyst)")

    # nadia steps down meanwhile (another admin's page): tess's page is now stale for her row.
    tess = Membership.objects.get(user__username="tess", team=team)
    page.select_option(f"#role-{nadia.pk}", "analyst")
    Membership.objects.filter(pk=nadia.pk).update(role="supervisor", version=nadia.version + 5)
    page.click(f"#member-{nadia.pk} button:has-text('Change role')")
    expect(page.locator("#members-error")).to_contain_text("nadia's role was changed meanwhile (now Supervisor)")
    assert Membership.objects.get(pk=nadia.pk).role == "supervisor"

    # tess is now the only team admin: she cannot leave the team.
    page.click(f"#member-{tess.pk} button:has-text('Remove')")
    expect(page.locator("#members-error")).to_contain_text("tess is Maghreb Desk's last team admin")
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=str(tmp_path / "members.png"), full_page=True)
    assert list(
        MembershipChange.objects.order_by("id").values_list("username", "before", "after", "actor__username")
    ) == [
        ("nadia", "", "supervisor", "tess"),
        ("nadia", "supervisor", "team_admin", "tess"),
        ("bob", "analyst", "", "tess"),
    ]

    for username, status in (("alice", 403), ("oscar", 404)):
        other = browser.new_context().new_page()
        log_in(other, live_server, username)
        response = other.goto(url)
        assert response is not None and response.status == status
        expect(other.locator("#members")).to_have_count(0)
