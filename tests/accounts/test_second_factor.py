"""Second factor: TOTP codes and recovery codes after the password, a team's requirement, and the lockout."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.services import recovery_codes_replace
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
LIMIT = settings.AXES_FAILURE_LIMIT


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def _password(client, username, url=None, ip="10.0.0.1", **extra):
    url = url or reverse("accounts:login")
    return client.post(url, {"username": username, "password": PASSWORD, **extra}, REMOTE_ADDR=ip)


def _code_step(client, token, ip="10.0.0.1"):
    return client.post(reverse("accounts:login_verify"), {"token": token}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_user_without_a_device_signs_in_with_the_password_alone(client, analyst):
    response = _password(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("assessments:list")
    assert _signed_in(client)


def test_the_password_alone_does_not_sign_in_a_user_with_a_device(client, analyst):
    _device(analyst)
    response = _password(client, "alice")
    assert response["Location"] == reverse("accounts:login_verify")
    assert not _signed_in(client)
    # Nothing behind the login is reachable at this point.
    assert client.get(reverse("assessments:list"))["Location"].startswith(reverse("accounts:login"))


def test_signing_in_with_a_totp_code(client, analyst):
    device = _device(analyst)
    _password(client, "alice", next="/accounts/profile/")
    page = client.get(reverse("accounts:login_verify")).content.decode()
    assert "authenticator app" in page
    response = _code_step(client, _code(device))
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert _signed_in(client)
    assert client.get(reverse("assessments:list")).status_code == 200


def test_a_totp_code_is_not_accepted_twice(client, analyst):
    device = _device(analyst)
    _password(client, "alice")
    code = _code(device)
    _code_step(client, code)
    client.logout()
    _password(client, "alice")
    response = _code_step(client, code)
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert not _signed_in(client)


def test_signing_in_with_a_recovery_code_works_once(client, analyst):
    _device(analyst)
    codes = recovery_codes_replace(user=analyst)
    _password(client, "alice")
    # Typed with spaces and in capitals, as people do.
    response = _code_step(client, f" {codes[0][:4].upper()} {codes[0][4:].upper()} ")
    assert response.status_code == 302 and _signed_in(client)
    assert StaticToken.objects.filter(device__user=analyst).count() == len(codes) - 1
    assert "recovery code; 9 left" in client.get(reverse("assessments:list")).content.decode()
    client.logout()
    _password(client, "alice")
    assert "That code is not right" in _code_step(client, codes[0]).content.decode()
    assert not _signed_in(client)
    assert _code_step(client, codes[1]).status_code == 302 and _signed_in(client)


def test_the_code_step_without_a_password_first_sends_back_to_log_in(client, analyst):
    _device(analyst)
    response = _code_step(client, "123456")
    assert response["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_the_code_step_expires(client, analyst):
    device = _device(analyst)
    _password(client, "alice")
    session = client.session
    session["second_factor_pending"]["at"] -= 3600
    session.save()
    assert _code_step(client, _code(device))["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, analyst):
    device = _device(analyst)
    _password(client, "alice")
    for _ in range(LIMIT - 1):
        assert _code_step(client, "000000").status_code == 200
    response = _code_step(client, "000000")
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()
    assert not _signed_in(client)
    # The right password and code no longer get in, from any address.
    assert _password(client, "alice", ip="10.9.9.9").status_code == 429
    assert _code_step(client, _code(device), ip="10.9.9.9")["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_typing_the_password_again_does_not_reset_the_count_of_wrong_codes(client, analyst):
    _device(analyst)
    for _ in range(LIMIT - 1):
        _password(client, "alice")
        _code_step(client, "000000")
    _password(client, "alice")
    assert _code_step(client, "000000").status_code == 429


def test_a_locked_account_does_not_reach_the_code_step(client, analyst):
    device = _device(analyst)
    for _ in range(LIMIT):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert _password(client, "alice").status_code == 429
    assert _code_step(client, _code(device))["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_the_admin_login_asks_for_the_code_too(client):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    device = _device(admin)
    response = _password(client, "root", url=reverse("admin:login"), next="/admin/")
    assert response["Location"] == reverse("accounts:login_verify")
    assert not _signed_in(client)
    assert _code_step(client, _code(device))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_signed_in_without_the_devices_code_is_ended(client, analyst):
    _device(analyst)
    client.force_login(analyst)
    response = client.get(reverse("assessments:list"))
    assert response["Location"] == reverse("accounts:login")
    assert not _signed_in(client)


def test_setting_up_an_authenticator_app_and_signing_in_with_it(client, analyst):
    client.force_login(analyst)
    assert "Set up an authenticator app" in client.get(reverse("accounts:two_factor")).content.decode()
    client.post(reverse("accounts:two_factor_begin"))
    page = client.get(reverse("accounts:two_factor")).content.decode()
    pending = TOTPDevice.objects.get(user=analyst, confirmed=False)
    secret = re.search(r'<code id="totp-key">([A-Z2-7]+)</code>', page).group(1)
    assert "otpauth://totp/" in page

    wrong = client.post(reverse("accounts:two_factor_confirm"), {"device": pending.pk, "token": "000000"}, follow=True)
    assert "not the authenticator" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=analyst, confirmed=True).exists()

    # The key shown is the one the app needs: a code computed from it confirms the device.
    import base64

    code = f"{totp(base64.b32decode(secret)):06d}"
    done = client.post(reverse("accounts:two_factor_confirm"), {"device": pending.pk, "token": code})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.filter(user=analyst, confirmed=True).count() == 1
    # The session that set it up goes on; the next sign-in asks for a code.
    assert client.get(reverse("assessments:list")).status_code == 200
    client.logout()
    assert _password(client, "alice")["Location"] == reverse("accounts:login_verify")
    assert _code_step(client, codes[3]).status_code == 302 and _signed_in(client)


def test_confirming_someone_elses_pending_device_changes_nothing(client, analyst, teammate):
    client.force_login(teammate)
    client.post(reverse("accounts:two_factor_begin"))
    theirs = TOTPDevice.objects.get(user=teammate)
    client.force_login(analyst)
    response = client.post(reverse("accounts:two_factor_confirm"), {"device": theirs.pk, "token": _code(theirs)})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert not theirs.confirmed
    assert not TOTPDevice.objects.filter(user=analyst).exists()


def test_new_recovery_codes_replace_the_old(client, analyst):
    device = _device(analyst)
    old = recovery_codes_replace(user=analyst)
    _password(client, "alice")
    _code_step(client, _code(device))
    page = client.post(reverse("accounts:recovery_codes")).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=analyst).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


# The team's requirement.
@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tara")


def _require(client, admin, team, required=True):
    client.force_login(admin)
    data = {"required": "on"} if required else {}
    return client.post(reverse("accounts:team_second_factor", args=[team.pk]), data)


def test_a_team_admin_requires_a_second_factor_on_the_profile_page(client, team, team_admin):
    client.force_login(team_admin)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:team_second_factor", args=[team.pk]) in page
    assert _require(client, team_admin, team).status_code == 302
    team.refresh_from_db()
    assert team.second_factor_required
    # The rule applies to the team admin too: set up first, then anything else (turning it off included).
    client.force_login(team_admin)
    off = reverse("accounts:team_second_factor", args=[team.pk])
    assert client.post(off)["Location"] == reverse("accounts:two_factor")
    team.refresh_from_db()
    assert team.second_factor_required
    device = _device(team_admin)
    client.logout()
    _password(client, "tara")
    _code_step(client, _code(device))
    assert 'name="required" checked' in client.get(reverse("accounts:profile")).content.decode()
    assert client.post(off).status_code == 302
    team.refresh_from_db()
    assert not team.second_factor_required


def test_only_a_team_admin_of_the_team_sets_it(client, team, supervisor, outsider):
    assert _require(client, supervisor, team).status_code == 403
    assert _require(client, outsider, team).status_code == 404
    team.refresh_from_db()
    assert not team.second_factor_required


def test_a_required_supervisor_without_a_device_is_sent_to_set_one_up_first(client, team, supervisor, analyst):
    team.second_factor_required = True
    team.save()
    assert _password(client, "sam").status_code == 302
    for url in (reverse("assessments:list"), reverse("accounts:profile"), "/api/assessments/"):
        assert client.get(url)["Location"] == reverse("accounts:two_factor")
    htmx = client.get(reverse("assessments:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == reverse("accounts:two_factor")
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    # Analysts are not concerned.
    client.logout()
    _password(client, "alice")
    assert client.get(reverse("assessments:list")).status_code == 200


def test_once_set_up_the_required_supervisor_goes_on(client, team, supervisor):
    team.second_factor_required = True
    team.save()
    _password(client, "sam")
    client.post(reverse("accounts:two_factor_begin"))
    pending = TOTPDevice.objects.get(user=supervisor)
    client.post(reverse("accounts:two_factor_confirm"), {"device": pending.pk, "token": _code(pending)})
    assert client.get(reverse("assessments:list")).status_code == 200


def test_members_already_signed_in_are_caught_at_the_recheck(client, team, team_admin, supervisor, settings):
    client.force_login(supervisor)
    assert client.get(reverse("assessments:list")).status_code == 200
    admin_client = type(client)()
    _require(admin_client, team_admin, team)
    assert client.get(reverse("assessments:list")).status_code == 200  # until the recheck is due
    settings.SECOND_FACTOR_RECHECK_SECONDS = 0
    assert client.get(reverse("assessments:list"))["Location"] == reverse("accounts:two_factor")
