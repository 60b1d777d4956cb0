"""Brute force: an account and an address are locked after a few failed logins, until an admin unlocks."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
LIMIT = settings.AXES_FAILURE_LIMIT


def _login(client, url, username, password, ip="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", [reverse("accounts:login"), reverse("admin:login")])
def test_after_the_failure_limit_the_right_password_is_refused_with_a_message(client, url):
    factories.UserFactory(username="alice", is_staff=True, is_superuser=True)
    for _ in range(LIMIT):
        _login(client, url, "alice", "wrong")
    response = _login(client, url, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert not _logged_in(client)


def test_the_account_is_locked_from_every_address(client, analyst):
    for n in range(LIMIT):
        _login(client, reverse("accounts:login"), "alice", "wrong", ip=f"10.0.0.{n + 1}")
    assert _login(client, reverse("accounts:login"), "alice", PASSWORD, ip="10.9.9.9").status_code == 429
    assert not _logged_in(client)


def test_the_address_is_locked_for_every_account(client, analyst, teammate):
    for n in range(LIMIT):
        _login(client, reverse("accounts:login"), f"nobody{n}", "wrong", ip="10.0.0.7")
    assert _login(client, reverse("accounts:login"), "bob", PASSWORD, ip="10.0.0.7").status_code == 429
    assert _login(client, reverse("accounts:login"), "bob", PASSWORD, ip="10.0.0.8").status_code == 302


def test_axes_reset_unlocks(client, analyst):
    for _ in range(LIMIT):
        _login(client, reverse("accounts:login"), "alice", "wrong")
    assert _login(client, reverse("accounts:login"), "alice", PASSWORD).status_code == 429
    call_command("axes_reset")
    assert _login(client, reverse("accounts:login"), "alice", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_site_admins_see_the_lockouts_in_the_admin(client, analyst, admin_user):
    for _ in range(LIMIT):
        _login(client, reverse("accounts:login"), "alice", "wrong")
    client.force_login(admin_user)
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "alice" in page


def test_another_users_success_from_the_same_address_does_not_reset_an_accounts_failures(client):
    factories.UserFactory(username="tess")
    factories.UserFactory(username="oscar")
    login = reverse("accounts:login")
    # Four wrong guesses for tess, then the attacker's own good login, three times over: twelve failures.
    for _ in range(3):
        for _ in range(LIMIT - 1):
            _login(client, login, "tess", "wrong", ip="10.0.0.5")
        _login(client, login, "oscar", PASSWORD, ip="10.0.0.5")
        client.logout()
    assert _login(client, login, "tess", PASSWORD, ip="10.9.9.9").status_code == 429
    assert not _logged_in(client)


def test_a_success_resets_only_the_failures_of_the_user_who_logged_in(client):
    factories.UserFactory(username="tess")
    login = reverse("accounts:login")
    for _ in range(LIMIT - 1):
        _login(client, login, "tess", "wrong")
    assert _login(client, login, "tess", PASSWORD).status_code == 302
    client.logout()
    # Her own success cleared her count: as many failures again do not lock her.
    for _ in range(LIMIT - 1):
        _login(client, login, "tess", "wrong", ip="10.0.0.2")
    assert _login(client, login, "tess", PASSWORD, ip="10.0.0.2").status_code == 302
