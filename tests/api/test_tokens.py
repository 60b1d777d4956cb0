import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.api.models import ApiToken

pytestmark = pytest.mark.django_db


def _hypotheses_url(assessment) -> str:
    return reverse("api:hypothesis-list", kwargs={"assessment_pk": assessment.pk})


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _create(client, name: str, *, read_only: bool = False) -> str:
    response = client.post(reverse("api_tokens:list"), {"name": name, "read_only": "on" if read_only else ""})
    assert response.status_code == 200
    return response.context["secret"]


def test_a_token_is_shown_once_and_stored_only_as_its_digest(client, analyst):
    client.force_login(analyst)
    secret = _create(client, "Reuters feed")
    token = ApiToken.objects.get(user=analyst)
    assert token.name == "Reuters feed" and not token.read_only
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    page = client.get(reverse("api_tokens:list")).content.decode()
    assert "Reuters feed" in page and secret not in page and token.prefix in page


def test_a_token_authenticates_its_owner_and_records_its_use(client, analyst, assessment):
    client.force_login(analyst)
    secret = _create(client, "script")
    response = _bearer(secret).get(_hypotheses_url(assessment))
    assert response.status_code == 200 and len(response.json()) == 3
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused_with_401(client, analyst, assessment):
    client.force_login(analyst)
    secret = _create(client, "old feed")
    token = ApiToken.objects.get()
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = _bearer(secret).get(_hypotheses_url(assessment))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_a_read_only_token_reads_but_cannot_write(client, analyst, assessment):
    client.force_login(analyst)
    api = _bearer(_create(client, "dashboard", read_only=True))
    assert api.get(_hypotheses_url(assessment)).status_code == 200
    evidence_url = reverse("api:evidence-list", kwargs={"assessment_pk": assessment.pk})
    response = api.post(evidence_url, {"summary": "x"}, format="json")
    assert response.status_code == 403 and assessment.evidence.count() == 5


def test_nobody_can_revoke_another_users_token(client, analyst, teammate):
    client.force_login(analyst)
    _create(client, "mine")
    token = ApiToken.objects.get()
    client.force_login(teammate)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("api_tokens:list"), {"name": ""})
    assert response.context["secret"] is None and "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer a b", "Bearer"])
def test_unknown_or_malformed_tokens_get_401(header, assessment):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(_hypotheses_url(assessment)).status_code == 401


def test_the_browser_session_works_and_writes_need_csrf(analyst, assessment):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.get(_hypotheses_url(assessment)).status_code == 200
    evidence_url = reverse("api:evidence-list", kwargs={"assessment_pk": assessment.pk})
    response = client.post(evidence_url, {"summary": "x"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_the_token_page_needs_a_login(client):
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_token_with_an_expiry_works_until_then_and_is_refused_with_401_after(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(reverse("api_tokens:list"), {"name": "trial feed", "expires_in": "30"})
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert round((token.expires_at - token.created_at) / datetime.timedelta(days=1)) == 30
    assert _bearer(secret).get(_hypotheses_url(assessment)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _bearer(secret).get(_hypotheses_url(assessment))
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def _expiry_cells(client) -> dict[str, str]:
    page = client.get(reverse("api_tokens:list")).content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    return {
        row.split("<td>")[1].split("</td>")[0]: row.split('class="token-expiry">')[1].split("</td>")[0] for row in rows
    }


def test_the_profile_shows_each_tokens_expiry(client, analyst):
    client.force_login(analyst)
    client.post(reverse("api_tokens:list"), {"name": "forever"})
    client.post(reverse("api_tokens:list"), {"name": "short", "expires_in": "7"})
    expiring = ApiToken.objects.get(name="short")
    assert _expiry_cells(client) == {"forever": "never", "short": f"{expiring.expires_at:%-d %b %Y %H:%M}"}
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert _expiry_cells(client)["short"].startswith("expired ")


def test_an_unknown_expiry_is_refused_and_creates_nothing(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("api_tokens:list"), {"name": "feed", "expires_in": "100000"})
    assert response.context["secret"] is None and "expires_in" in response.context["form"].errors
    assert not ApiToken.objects.exists()
