import pytest
from django.urls import reverse

from apps.accounts.profile import PROFILE_SECTIONS

pytestmark = pytest.mark.django_db


def test_the_profile_shows_the_users_teams_and_every_registered_section(client, analyst, team):
    client.force_login(analyst)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Maghreb Desk: Analyst" in page
    # ACH registers its calibration card in its AppConfig.ready(); accounts cannot import it.
    assert PROFILE_SECTIONS and 'id="calibration"' in page


def test_the_top_bar_links_to_the_profile(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("assessments:list")).content.decode()
    assert f'href="{reverse("accounts:profile")}">alice</a>' in page
