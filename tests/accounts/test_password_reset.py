"""Password reset by e-mail: the link in the message sets a new password; it never bypasses the lockout."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
NEW_PASSWORD = "a-new-Passphrase-4711"


def _link(message) -> str:
    match = re.search(r"^(https?://\S+/password/reset/\S+/)$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def _reset(client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    return _link(mail.outbox[0])


def _follow_and_set(client, link: str, password: str):
    path = link.removeprefix(settings.SITE_URL)
    page = client.get(path, follow=True)
    assert "Choose a new password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_login_page_links_to_the_reset(client):
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()


def test_the_e_mailed_link_sets_a_new_password_that_then_logs_in(client, analyst, settings):
    settings.SITE_URL = "https://workbench.example.org"
    link = _reset(client, "alice@example.org")
    assert link.startswith("https://workbench.example.org/accounts/password/reset/")
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "alice" in mail.outbox[0].body

    done = _follow_and_set(client, link, NEW_PASSWORD)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    # Setting the password does not sign in: the login page (lockout, second factor) does.
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}).status_code == 200
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_link_works_once(client, analyst):
    link = _reset(client, "alice@example.org")
    _follow_and_set(client, link, NEW_PASSWORD)
    page = client.get(link.removeprefix(settings.SITE_URL), follow=True).content.decode()
    assert "This link no longer works" in page


def test_a_tampered_link_is_refused_and_changes_nothing(client, analyst):
    link = _reset(client, "alice@example.org")
    page = client.get(link.removeprefix(settings.SITE_URL)[:-3] + "xx/", follow=True).content.decode()
    assert "This link no longer works" in page
    analyst.refresh_from_db()
    assert analyst.check_password(PASSWORD)


def test_without_site_url_the_link_uses_the_requests_address(client, analyst, settings):
    settings.SITE_URL = ""
    link = _reset(client, "alice@example.org")
    assert link.startswith("http://testserver/accounts/password/reset/")


def test_an_unknown_address_sends_nothing_and_says_the_same(client, analyst):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_a_reset_does_not_unlock_a_locked_account(client, analyst):
    login = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "alice", "password": "wrong"})
    _follow_and_set(client, _reset(client, "alice@example.org"), NEW_PASSWORD)
    response = client.post(login, {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_second_request_for_the_same_address_within_the_interval_sends_nothing(client, analyst):
    _reset(client, "alice@example.org")
    again = client.post(reverse("accounts:password_reset"), {"email": "ALICE@example.org"}, follow=True)
    assert "Check your e-mail" in again.content.decode()
    assert len(mail.outbox) == 1
    # Another address is not held up.
    factories.UserFactory(username="bob")
    client.post(reverse("accounts:password_reset"), {"email": "bob@example.org"})
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["bob@example.org"]
