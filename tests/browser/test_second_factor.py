"""Real Chromium: a supervisor whose team requires a second factor sets one up, then signs in with it."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_required_supervisor_sets_up_an_authenticator_then_signs_in_with_a_recovery_code(
    browser_ready, live_server, page, live_matrix, team, tmp_path
):
    team.second_factor_required = True
    team.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    # Sent to set one up before anything else.
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/")
    expect(page.locator("#two-factor")).to_contain_text("Your team requires a second factor")
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/")

    page.click("text=Set up an authenticator app")
    key = page.locator("#totp-key").inner_text()
    page.fill("#id_token", f"{totp(base64.b32decode(key)):06d}")
    page.click("text=Confirm")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.screenshot(path=str(tmp_path / "recovery-codes.png"))
    code = page.locator("#recovery-codes li").first.inner_text()
    page.click("text=Done")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("#dashboard h1")).to_have_text("Maghreb Desk: assessments")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/login/code/")
    page.fill("#id_token", code)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("body")).to_contain_text("You used a recovery code; 9 left")
