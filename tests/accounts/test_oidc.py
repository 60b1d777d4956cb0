"""OpenID Connect sign-in against a real provider (django-oauth-toolkit) started by the test."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "sat-workbench"
CLIENT_SECRET = "client-secret-for-tests"
CALLBACK = "http://testserver/accounts/oidc/callback/"
PASSWORD = "pw-for-tests-123"


@dataclass
class Provider:
    url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": key.decode(),
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.oidc_provider.serve", str(port), CLIENT_ID, CLIENT_SECRET, CALLBACK],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the OIDC provider exited: {process.stderr.read().decode()[-2000:]}")
            try:
                if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the OIDC provider did not answer within 120 s")
            time.sleep(0.1)
        yield Provider(url=url)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def sso(provider, settings):
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/o/.well-known/jwks.json"
    settings.OIDC_PROVIDER_NAME = "Example ID"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "apps.accounts.oidc.OIDCBackend"]
    return provider


def _sign_in(client, provider, *, email, next_url=None):
    """The browser's round trip: the workbench sends it to the provider, which sends it back with a code."""
    username = f"{email}-at-the-provider"  # one provider account per address, across the module's tests
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url} if next_url else {})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/o/authorize/")
    browser = requests.Session()
    browser.get(f"{provider.url}/login-as/{username}/", params={"email": email}, timeout=30).raise_for_status()
    answer = browser.get(start["Location"], allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return client.get(back.removeprefix("http://testserver"), REMOTE_ADDR="10.0.0.1")


def _user_id(client):
    return client.session.get("_auth_user_id")


def test_without_settings_there_is_no_single_sign_on(client):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    assert "Sign in with" not in client.get(reverse("accounts:login")).content.decode()


def test_the_login_page_offers_the_provider(client, sso):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with Example ID" in page and reverse("oidc_authentication_init") in page


def test_signing_in_through_the_provider(client, sso, analyst):
    response = _sign_in(client, sso, email="alice@example.org", next_url="/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert _user_id(client) == str(analyst.pk)
    assert client.get(reverse("assessments:list")).status_code == 200


def test_an_address_without_a_workbench_account_does_not_sign_in(client, sso, analyst):
    response = _sign_in(client, sso, email="stranger@example.org")
    assert response["Location"] == reverse("accounts:login")
    assert _user_id(client) is None
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="stranger@example.org").exists()


def test_a_locked_account_cannot_get_in_through_the_provider(client, sso, analyst):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR=f"10.1.0.{n}")
    response = _sign_in(client, sso, email="alice@example.org")
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()
    assert _user_id(client) is None


def test_a_locked_address_cannot_get_in_through_the_provider(client, sso, analyst):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": f"nobody{n}", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = _sign_in(client, sso, email="alice@example.org")
    assert response.status_code == 429
    assert _user_id(client) is None


def test_a_user_with_a_second_factor_gives_its_code_after_the_provider(client, sso, analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    response = _sign_in(client, sso, email="alice@example.org")
    assert response["Location"] == reverse("accounts:login_verify")
    assert _user_id(client) is None
    done = client.post(reverse("accounts:login_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert done.status_code == 302
    assert _user_id(client) == str(analyst.pk)


def test_password_sign_in_still_works_beside_it(client, sso):
    factories.UserFactory(username="pat")
    response = client.post(reverse("accounts:login"), {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302 and _user_id(client)
